/**
 * SIP final responses as polyphone outcomes, for every SIP provider (sipjs, cognigy): one table for
 * REGISTER, one for INVITE. Each provider's errors.ts adds only what its library says besides a
 * status (JsSIP's cause strings, sip.js's exceptions).
 */
import { VoiceError, type CallEndReason, type VoiceErrorCode } from '../../core/provider-kit.js';

/** A REGISTER refused with one of these is this error; any other status is PROTOCOL_ERROR. */
export const REGISTER_STATUS: Readonly<Record<number, VoiceErrorCode>> = {
  401: 'AUTH_REJECTED',
  403: 'AUTH_REJECTED',
  407: 'AUTH_REJECTED',
  408: 'NETWORK_UNREACHABLE',
  480: 'NETWORK_UNREACHABLE',
  503: 'NETWORK_UNREACHABLE',
  504: 'NETWORK_UNREACHABLE',
};

/** An INVITE refused with one of these ends the call so, without an error. */
export const INVITE_END: Readonly<Record<number, CallEndReason>> = {
  486: 'busy',
  600: 'busy',
  603: 'rejected',
  487: 'canceled',
  408: 'unanswered',
};

/** An INVITE refused with one of these fails the call with this code; any other, CALL_FAILED. */
const INVITE_ERROR: Readonly<Record<number, VoiceErrorCode>> = {
  401: 'AUTH_REJECTED',
  407: 'AUTH_REJECTED',
};

const REGISTER_MESSAGE: Partial<Record<VoiceErrorCode, (status: string) => string>> = {
  AUTH_REJECTED: (status) => `The SIP server rejected the registration${status}.`,
  NETWORK_UNREACHABLE: (status) => `The SIP server could not be reached for registration${status}.`,
};

export interface SipCause {
  name: string;
  message: string;
}

export function registerErrorCode(status: number | undefined): VoiceErrorCode {
  return (status !== undefined && REGISTER_STATUS[status]) || 'PROTOCOL_ERROR';
}

/** A final SIP response to REGISTER, as a polyphone error (`cause` as the library reported it). */
export function registerFailure(provider: string, status: number, cause: SipCause): VoiceError {
  return registerError(provider, registerErrorCode(status), status, cause);
}

/** The error of a failed REGISTER with a code already chosen; `status` where one came. */
export function registerError(provider: string, code: VoiceErrorCode, status: number | undefined, cause: SipCause): VoiceError {
  const known = status !== undefined;
  const shown = known ? ` (${status})` : '';
  const message = REGISTER_MESSAGE[code]?.(shown) ?? (code === 'TIMEOUT' ? 'The SIP server did not answer the REGISTER.' : `The SIP server answered the registration with ${status ?? cause.message}.`);
  return new VoiceError(code, message, { provider, cause: { ...cause, ...(known ? { code: status } : {}) }, ...(known ? { details: { status } } : {}) });
}

/** A final SIP response to INVITE, as the reason the call ended (and an error where it failed). */
export function inviteFailure(provider: string, status: number, cause: SipCause): { reason: CallEndReason; error?: VoiceError } {
  const reason = INVITE_END[status];
  if (reason) return { reason };
  return {
    reason: 'failed',
    error: new VoiceError(INVITE_ERROR[status] ?? 'CALL_FAILED', `The call failed with SIP ${status}.`, { provider, cause: { ...cause, code: status }, details: { status } }),
  };
}
