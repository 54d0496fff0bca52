/**
 * JsSIP's failures as polyphone outcomes. SIP statuses go through the shared tables
 * (../sip/status.ts); what is JsSIP's own is its cause strings (JsSIP.C.causes), which say what
 * happened when no status did (a timeout, a dropped socket, a refused microphone), as tables too.
 */
import { VoiceError, type CallEndReason, type VoiceErrorCode } from '../../core/provider-kit.js';
import { INVITE_END, inviteFailure, registerError, registerErrorCode } from '../sip/status.js';

const NAME = 'cognigy';

/** JsSIP causes of a failed REGISTER that decide the error whatever the status. */
const REGISTRATION_CAUSE: Readonly<Record<string, VoiceErrorCode>> = {
  'Authentication Error': 'AUTH_REJECTED',
  Rejected: 'AUTH_REJECTED',
  'Request Timeout': 'TIMEOUT',
  'Connection Error': 'NETWORK_UNREACHABLE',
};

/** JsSIP causes of an ended or failed session that name its end reason when no status does. */
const SESSION_CAUSE: Readonly<Record<string, CallEndReason>> = {
  Busy: 'busy',
  Canceled: 'canceled',
  'No Answer': 'unanswered',
};

/** JsSIP's registrationFailed, as a polyphone error. */
export function registrationFailure(status: number | undefined, cause: string | undefined): VoiceError {
  const byStatus = registerErrorCode(status);
  // An authentication status outranks the cause; otherwise JsSIP's cause says more than a status.
  const code = byStatus === 'AUTH_REJECTED' ? byStatus : (cause !== undefined && Object.hasOwn(REGISTRATION_CAUSE, cause) ? REGISTRATION_CAUSE[cause]! : byStatus);
  return registerError(NAME, code, status, { name: 'JsSIPRegistrationFailed', message: cause ?? 'unknown' });
}

/**
 * How a JsSIP session ended (its `ended`/`failed` event), as the call's end reason: a BYE is
 * remoteHangup, this side's own end is hangup/canceled/rejected, a status goes through the shared
 * SIP table, then JsSIP's cause.
 */
export function sessionEnd(
  event: { originator: string; cause: string; status: number | undefined },
  context: { incoming: boolean; established: boolean },
): { reason: CallEndReason; error?: VoiceError } {
  const { originator, cause, status } = event;
  if (cause === 'Terminated') return { reason: originator === 'remote' ? 'remoteHangup' : 'hangup' };
  if (originator === 'local') return { reason: context.incoming && !context.established ? 'rejected' : cause === 'Canceled' ? 'canceled' : 'hangup' };
  const known = (status !== undefined ? INVITE_END[status] : undefined) ?? (Object.hasOwn(SESSION_CAUSE, cause) ? SESSION_CAUSE[cause] : undefined);
  if (known) return { reason: known };
  if (cause === 'User Denied Media Access') {
    return { reason: 'failed', error: new VoiceError('MEDIA_DENIED', 'The microphone could not be used.', { provider: NAME, cause: { name: 'JsSIPSessionFailed', message: cause } }) };
  }
  if (status !== undefined) return inviteFailure(NAME, status, { name: 'JsSIPSessionFailed', message: cause });
  return { reason: 'failed', error: new VoiceError('CALL_FAILED', `The call failed (${cause}).`, { provider: NAME, cause: { name: 'JsSIPSessionFailed', message: cause } }) };
}
