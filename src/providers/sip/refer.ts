/**
 * What a REFER's implicit subscription (RFC 3515) tells the transferor, for both SIP providers: the
 * status line of each NOTIFY's message/sipfrag body, what that status means for the transfer, and
 * the errors a failed transfer is reported with.
 */
import { VoiceError, describeCause } from '../../core/provider-kit.js';

// The status line a NOTIFY of a REFER's subscription carries (RFC 3515 §2.4.5, message/sipfrag).
const SIPFRAG_STATUS = /^SIP\/2\.0\s+(\d{3})\s*(.*)$/m;

/** Where a transfer stands after one NOTIFY: still trying, taken (2xx), or refused (≥ 300). */
export type ReferProgress = 'trying' | 'transferred' | 'failed';

/** The status line of a NOTIFY's sipfrag body; undefined when the body holds none. */
export function sipfragStatus(body: string | undefined): { status: number; reason: string } | undefined {
  const match = SIPFRAG_STATUS.exec(body ?? '');
  return match ? { status: Number(match[1]), reason: match[2] ?? '' } : undefined;
}

/** What the transfer target's answer (as relayed in a NOTIFY) means for the transfer. */
export function referProgress(status: number): ReferProgress {
  if (status >= 200 && status < 300) return 'transferred';
  return status >= 300 ? 'failed' : 'trying';
}

function transferFailed(provider: string, message: string, status?: number, reason?: string): VoiceError {
  return new VoiceError('CALL_FAILED', message, {
    provider,
    ...(status !== undefined ? { cause: { name: 'SIPResponse', code: status, message: reason ?? '' }, details: { status } } : {}),
  });
}

/** The far end answered the REFER itself with an error (it will not try the target). */
export function referRefused(provider: string, status: number | undefined, reason: string | undefined): VoiceError {
  return transferFailed(provider, `The far end refused the transfer (${status ?? 'no answer'}).`, status, reason);
}

/** A NOTIFY said the transfer target answered ≥ 300. */
export function referTargetFailed(provider: string, status: number, reason: string): VoiceError {
  return transferFailed(provider, `The transfer target did not take the call (${status}).`, status, reason);
}

/** The REFER could not be sent at all. */
export function referNotSent(provider: string, error: unknown): VoiceError {
  return new VoiceError('CALL_FAILED', 'The transfer could not be sent.', { provider, cause: describeCause(error) });
}
