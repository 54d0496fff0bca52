import { VoiceError, type CallEndReason } from '../../core/provider-kit.js';

/** A final SIP response to REGISTER, as a polyphone error. */
export function registerFailure(status: number, reason: string): VoiceError {
  const cause = { name: 'SIPResponse', message: `${status} ${reason}`, code: status };
  if (status === 401 || status === 403 || status === 407) {
    return new VoiceError('AUTH_REJECTED', `The SIP server rejected the registration (${status}).`, { provider: 'sipjs', cause, details: { status } });
  }
  if (status === 408 || status === 480 || status === 503 || status === 504) {
    return new VoiceError('NETWORK_UNREACHABLE', `The SIP server could not be reached for registration (${status}).`, { provider: 'sipjs', cause, details: { status } });
  }
  return new VoiceError('PROTOCOL_ERROR', `The SIP server answered the registration with ${status}.`, { provider: 'sipjs', cause, details: { status } });
}

/** A final SIP response to INVITE, as the reason the call ended (and an error where it failed). */
export function inviteFailure(status: number, reason: string): { reason: CallEndReason; error?: VoiceError } {
  if (status === 486 || status === 600) return { reason: 'busy' };
  if (status === 603) return { reason: 'rejected' };
  if (status === 487) return { reason: 'canceled' };
  if (status === 408) return { reason: 'unanswered' };
  const code = status === 401 || status === 407 ? 'AUTH_REJECTED' : 'CALL_FAILED';
  return {
    reason: 'failed',
    error: new VoiceError(code, `The call failed with SIP ${status}.`, {
      provider: 'sipjs',
      cause: { name: 'SIPResponse', message: `${status} ${reason}`, code: status },
      details: { status },
    }),
  };
}
