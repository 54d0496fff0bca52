import type { Notification, Referral, Session, URI } from 'sip.js';
import type { CallSink, ProviderCall } from '../../core/provider-kit.js';
import { referNotSent, referProgress, referRefused, referTargetFailed, sipfragStatus } from '../sip/refer.js';

/**
 * Sends REFER on `session` (blind: Refer-To a URI; attended: Refer-To the far end of `replaces`
 * with its dialog in a Replaces header, built by sip.js) and resolves once a NOTIFY says the
 * transfer target answered 2xx. A refused REFER or a final NOTIFY of ≥300 rejects.
 */
export function refer(session: Session, target: URI | Session): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onNotify = (notification: Notification) => {
      notification.accept();
      const line = sipfragStatus(notification.request.body);
      if (!line) return;
      const progress = referProgress(line.status);
      if (progress === 'transferred') resolve();
      else if (progress === 'failed') reject(referTargetFailed('sipjs', line.status, line.reason));
    };
    session
      .refer(target, {
        onNotify,
        requestDelegate: {
          onReject: (response) => reject(referRefused('sipjs', response.message.statusCode, response.message.reasonPhrase)),
        },
      })
      .catch((error: unknown) => reject(referNotSent('sipjs', error)));
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
