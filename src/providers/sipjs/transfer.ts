import type { Notification, Referral, Session, URI } from 'sip.js';
import { VoiceError, describeCause, type CallSink, type ProviderCall } from '../../core/provider-kit.js';

// The status line a NOTIFY of a REFER's implicit subscription carries (RFC 3515 message/sipfrag).
const SIPFRAG_STATUS = /^SIP\/2\.0\s+(\d{3})\s*(.*)$/m;

function transferFailed(message: string, status?: number, reason?: string): VoiceError {
  return new VoiceError('CALL_FAILED', message, {
    provider: 'sipjs',
    ...(status !== undefined ? { cause: { name: 'SIPResponse', code: status, message: reason ?? '' }, details: { status } } : {}),
  });
}

/**
 * Sends REFER on `session` (blind: Refer-To a URI; attended: Refer-To the far end of `replaces`
 * with its dialog in a Replaces header, built by sip.js) and resolves once a NOTIFY says the
 * transfer target answered 2xx. A refused REFER or a final NOTIFY of ≥300 rejects.
 */
export function refer(session: Session, target: URI | Session): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onNotify = (notification: Notification) => {
      notification.accept();
      const match = SIPFRAG_STATUS.exec(notification.request.body ?? '');
      if (!match) return;
      const status = Number(match[1]);
      if (status >= 200 && status < 300) resolve();
      else if (status >= 300) reject(transferFailed(`The transfer target did not take the call (${status}).`, status, match[2]));
    };
    session
      .refer(target, {
        onNotify,
        requestDelegate: {
          onReject: (response) =>
            reject(transferFailed(`The far end refused the transfer (${response.message.statusCode}).`, response.message.statusCode, response.message.reasonPhrase)),
        },
      })
      .catch((error: unknown) => reject(new VoiceError('CALL_FAILED', 'The transfer could not be sent.', { provider: 'sipjs', cause: describeCause(error) })));
  });
}

/** The target of an incoming REFER as the app sees it: the Refer-To URI without its headers (Replaces). */
export function referTarget(referral: Referral): string | undefined {
  try {
    const uri = referral.referTo.uri.clone();
    uri.clearHeaders();
    return uri.toString();
  } catch {
    return undefined; // a Refer-To sip.js cannot parse: the REFER is refused
  }
}

/**
 * Follows an incoming REFER the core accepted: 202, then an INVITE to the Refer-To target (with
 * Replaces when the REFER carried one); sip.js NOTIFYs the transferor of its outcome.
 */
export async function followReferral(referral: Referral, invite: (session: Session, sink: CallSink) => Promise<ProviderCall>, sink: CallSink): Promise<ProviderCall> {
  await referral.accept();
  const inviter = referral.makeInviter({ sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } } as object });
  return invite(inviter, sink);
}
