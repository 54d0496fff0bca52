import { VoiceError, type CallEndReason } from '../../core/provider-kit.js';

const NAME = 'cognigy';

/** JsSIP's registrationFailed, as a polyphone error. */
export function registrationFailure(status: number | undefined, cause: string | undefined): VoiceError {
  const vendorCause = { name: 'JsSIPRegistrationFailed', message: cause ?? 'unknown', ...(status ? { code: status } : {}) };
  const details = status ? { status } : undefined;
  if (status === 401 || status === 403 || status === 407 || cause === 'Authentication Error' || cause === 'Rejected') {
    return new VoiceError('AUTH_REJECTED', `The SIP server rejected the registration${status ? ` (${status})` : ''}.`, { provider: NAME, cause: vendorCause, details });
  }
  if (cause === 'Request Timeout') {
    return new VoiceError('TIMEOUT', 'The SIP server did not answer the REGISTER.', { provider: NAME, cause: vendorCause, details });
  }
  if (cause === 'Connection Error' || status === 408 || status === 480 || status === 503 || status === 504) {
    return new VoiceError('NETWORK_UNREACHABLE', 'The SIP server could not be reached for registration.', { provider: NAME, cause: vendorCause, details });
  }
  return new VoiceError('PROTOCOL_ERROR', `The SIP server answered the registration with ${status ?? cause}.`, { provider: NAME, cause: vendorCause, details });
}

/**
 * How a JsSIP session ended (its `ended`/`failed` event), as the call's end reason. The same
 * table as the sipjs provider: 486/600 busy, 603 rejected, 487/CANCEL canceled, BYE remoteHangup.
 */
export function sessionEnd(
  event: { originator: string; cause: string; status: number | undefined },
  context: { incoming: boolean; established: boolean },
): { reason: CallEndReason; error?: VoiceError } {
  const { originator, cause, status } = event;
  if (cause === 'Terminated') return { reason: originator === 'remote' ? 'remoteHangup' : 'hangup' };
  if (originator === 'local') return { reason: context.incoming && !context.established ? 'rejected' : cause === 'Canceled' ? 'canceled' : 'hangup' };
  if (status === 486 || status === 600 || cause === 'Busy') return { reason: 'busy' };
  if (status === 603) return { reason: 'rejected' };
  if (status === 487 || cause === 'Canceled') return { reason: 'canceled' };
  if (status === 408 || cause === 'No Answer') return { reason: 'unanswered' };
  if (cause === 'User Denied Media Access') {
    return { reason: 'failed', error: new VoiceError('MEDIA_DENIED', 'The microphone could not be used.', { provider: NAME, cause: { name: 'JsSIPSessionFailed', message: cause } }) };
  }
  const code = status === 401 || status === 407 ? 'AUTH_REJECTED' : 'CALL_FAILED';
  return {
    reason: 'failed',
    error: new VoiceError(code, status ? `The call failed with SIP ${status}.` : `The call failed (${cause}).`, {
      provider: NAME,
      cause: { name: 'JsSIPSessionFailed', message: cause, ...(status ? { code: status } : {}) },
      ...(status ? { details: { status } } : {}),
    }),
  };
}
