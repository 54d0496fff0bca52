/**
 * Text that ends up inside a SIP header (display names, digest user names, call targets), checked
 * before any SIP library sees it. SIP is a line protocol: a CR or LF in such a value would start
 * a header line of the app's choosing (RFC 3261 §7.3.1), a NUL cuts the message short for some
 * servers, and bidi controls make a name display as something it is not. Shared by the SIP
 * providers (sipjs, cognigy); the libraries themselves check none of this.
 */
import { VoiceError, type VoiceErrorCode } from '../../core/provider-kit.js';

/** Longest display name accepted: a name for a person or a line, not a payload. */
export const DISPLAY_NAME_MAX = 128;
/** Longest user name (digest user, the user part of a target). */
export const USER_NAME_MAX = 256;
/** Longest SIP URI accepted as an address of record or call target. */
export const SIP_URI_MAX = 1_024;

// C0 controls (CR, LF, NUL, …), DEL and C1 controls, bidi marks, embeddings, overrides and
// isolates, the Unicode line and paragraph separators, and the byte-order mark.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069\ufeff]/;

/** Why a value may not go into a SIP header, or undefined when it may. */
export function headerTextProblem(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length > max) return `is longer than ${max} characters`;
  if (UNSAFE.test(value)) return 'contains a control character (CR, LF, NUL …) or a bidi control';
  return undefined;
}

/**
 * Throws a VoiceError naming `field` (never echoing the value) unless `value` is safe in a SIP
 * header. CONFIG_INVALID for config and credentials; INVALID_ARGUMENT for method arguments.
 */
export function checkHeaderText(value: unknown, field: string, max: number, code: VoiceErrorCode = 'CONFIG_INVALID', provider?: string): string {
  const problem = headerTextProblem(value, max);
  if (problem) throw new VoiceError(code, `"${field}" ${problem}; it would reach a SIP header.`, { provider, details: { field } });
  return value as string;
}

/** A display name: safe header text of at most DISPLAY_NAME_MAX characters. */
export function checkDisplayName(value: unknown, field: string, provider?: string): string {
  return checkHeaderText(value, field, DISPLAY_NAME_MAX, 'CONFIG_INVALID', provider);
}

/**
 * A user name for digest authentication: it is written as `username="…"`, so a quote or a
 * backslash would end or bend that string.
 */
export function checkDigestUser(value: unknown, field: string, provider?: string): string {
  const text = checkHeaderText(value, field, USER_NAME_MAX, 'CONFIG_INVALID', provider);
  if (/["\\]/.test(text) || text === '') {
    throw new VoiceError('CONFIG_INVALID', `"${field}" must be a non-empty user name without quotes or backslashes.`, { provider, details: { field } });
  }
  return text;
}

/**
 * The inside of a quoted-string (RFC 3261 §25.1: `"` and `\` as quoted-pairs). sip.js 0.21 wraps
 * a display name in quotes without escaping it: hand it this instead of the name. (JsSIP 3
 * escapes by itself, in NameAddrHeader: give it the checked name as it is.)
 */
export function quotedStringContent(value: string): string {
  return value.replace(/[\\"]/g, (c) => `\\${c}`);
}

/**
 * A SIP or SIPS URI with a user part, as an address of record: `sip:user@host[:port][;params]`.
 * Stricter than RFC 3261 on purpose (no headers part, no password): what passes here every SIP
 * library parses the same way.
 */
const SIP_AOR = /^sips?:(?:[A-Za-z0-9\-_.!~*'()&=+$,;?/]|%[0-9A-Fa-f]{2})+@(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*)(?::\d{1,5})?(?:;[A-Za-z0-9\-_.!~*'()%[\]/:&+$=]+)*$/;

/**
 * Throws CONFIG_INVALID naming `field` unless `value` is a plain SIP address of record. A password
 * in the user part (`sip:alice:secret@host`) would travel in From and To: refused, never echoed.
 */
export function checkSipAddress(value: unknown, field: string, provider?: string): string {
  const text = checkHeaderText(value, field, SIP_URI_MAX, 'CONFIG_INVALID', provider);
  const userinfo = /^sips?:([^@]*)@/.exec(text)?.[1];
  if (userinfo?.includes(':')) {
    throw new VoiceError('CONFIG_INVALID', `"${field}" must not carry a password: pass it as credentials.`, { provider, details: { field } });
  }
  if (!SIP_AOR.test(text)) throw new VoiceError('CONFIG_INVALID', `"${field}" must be a SIP URI such as sip:alice@example.com.`, { provider, details: { field } });
  return text;
}
