/** SIP URIs as the SIP providers take them from the app (checks of header text: header-text.ts). */

/** A call or transfer target: a SIP(S) URI as given, or a user name completed with `domain`. */
export function completeTarget(target: string, domain: string): string {
  if (/^sips?:/.test(target)) return target;
  return `sip:${target}@${domain}`;
}
