import { VoiceError, type CallEndReason, type VoiceErrorCode, type VoiceErrorCause } from '../../core/provider-kit.js';

const NAME = 'telnyx';

/** The SDK's error object as `telnyx.error` carries it (a TelnyxError). */
export interface TelnyxSdkError {
  code?: number;
  name?: string;
  message?: string;
}

/** The SDK's documented error codes, onto polyphone's. */
const ERROR_CODES: Record<number, VoiceErrorCode> = {
  40001: 'CALL_FAILED', // SDP_CREATE_OFFER_FAILED
  40002: 'CALL_FAILED', // SDP_CREATE_ANSWER_FAILED
  40003: 'CALL_FAILED', // SDP_SET_LOCAL_DESCRIPTION_FAILED
  40004: 'CALL_FAILED', // SDP_SET_REMOTE_DESCRIPTION_FAILED
  40005: 'CALL_FAILED', // SDP_SEND_FAILED
  42001: 'MEDIA_DENIED', // MEDIA_MICROPHONE_PERMISSION_DENIED
  42002: 'MEDIA_DENIED', // MEDIA_DEVICE_NOT_FOUND
  42003: 'MEDIA_DENIED', // MEDIA_GET_USER_MEDIA_FAILED
  44001: 'CALL_FAILED', // HOLD_FAILED
  44002: 'INVALID_ARGUMENT', // INVALID_CALL_PARAMETERS
  44003: 'CALL_FAILED', // BYE_SEND_FAILED
  44004: 'CALL_FAILED', // SUBSCRIBE_FAILED
  44005: 'CALL_FAILED', // PEER_CLOSED_DURING_INIT
  45001: 'NETWORK_UNREACHABLE', // WEBSOCKET_CONNECTION_FAILED
  45002: 'NETWORK_UNREACHABLE', // WEBSOCKET_ERROR
  45003: 'NETWORK_UNREACHABLE', // RECONNECTION_EXHAUSTED
  45004: 'NETWORK_UNREACHABLE', // GATEWAY_FAILED
  46001: 'AUTH_REJECTED', // LOGIN_FAILED
  46002: 'CONFIG_INVALID', // INVALID_CREDENTIALS (client-side check, nothing sent)
  46003: 'AUTH_REJECTED', // AUTHENTICATION_REQUIRED
  // The SDK's own ICE restart after a media outage was refused or timed out: the media path is
  // gone, which is what MEDIA_LOST says, whether or not polyphone had yet seen the path go quiet.
  47001: 'MEDIA_LOST', // ICE_RESTART_FAILED
  48001: 'NETWORK_UNREACHABLE', // NETWORK_OFFLINE
  48501: 'CALL_FAILED', // SESSION_NOT_REATTACHED
};

/** SDK codes the session acts on by name. */
export const SDK_CODE = {
  TOKEN_EXPIRING_SOON: 34001,
  HOLD_FAILED: 44001,
  BYE_SEND_FAILED: 44003,
  WEBSOCKET_CONNECTION_FAILED: 45001,
  WEBSOCKET_ERROR: 45002,
  RECONNECTION_EXHAUSTED: 45003,
  LOGIN_FAILED: 46001,
  AUTHENTICATION_REQUIRED: 46003,
} as const;

/** What a session-level `telnyx.error` (one naming no call of ours) means, by the session's phase. */
export type SessionErrorVerdict =
  | 'ignore' // reported elsewhere: by hold(), by the socket events, or moot once a call ends
  | 'login-refused' // the login failed: AUTH_REJECTED or TOKEN_EXPIRED, from the server's own reply
  | 'unreachable' // the server cannot be reached: connect() fails, or the session ends
  | 'warn' // during login, nothing that decides it: logged
  | 'report'; // a live session's error event

export function sessionErrorVerdict(code: number | undefined, phase: 'connecting' | 'ready' | 'lost'): SessionErrorVerdict {
  if (code === SDK_CODE.HOLD_FAILED || code === SDK_CODE.BYE_SEND_FAILED) return 'ignore';
  if (phase === 'connecting') {
    if (code === SDK_CODE.LOGIN_FAILED) return 'login-refused';
    if (code !== undefined && code >= 45001 && code <= 48001 && code !== SDK_CODE.AUTHENTICATION_REQUIRED) return 'unreachable';
    return 'warn';
  }
  if (code === SDK_CODE.RECONNECTION_EXHAUSTED) return 'unreachable';
  if (code === SDK_CODE.LOGIN_FAILED && phase === 'lost') return 'login-refused';
  if (code === SDK_CODE.WEBSOCKET_CONNECTION_FAILED || code === SDK_CODE.WEBSOCKET_ERROR) return 'ignore';
  return 'report';
}

export function sdkCause(error: TelnyxSdkError | undefined): VoiceErrorCause {
  const cause: VoiceErrorCause = {};
  if (typeof error?.name === 'string') cause.name = error.name;
  if (typeof error?.message === 'string') cause.message = error.message;
  if (typeof error?.code === 'number' || typeof error?.code === 'string') cause.code = error.code;
  return cause;
}

/** A `telnyx.error` as a VoiceError; the SDK's code stays in `cause.code`. */
export function sdkError(error: TelnyxSdkError | undefined, message?: string): VoiceError {
  const code = (typeof error?.code === 'number' && ERROR_CODES[error.code]) || 'INTERNAL';
  return new VoiceError(code, message ?? `Telnyx reported ${error?.name ?? 'an error'}${error?.code ? ` (${error.code})` : ''}.`, {
    provider: NAME,
    cause: sdkCause(error),
  });
}

/** Hangup causes (Q.850 names as Telnyx sends them in `telnyx_rtc.bye`). */
const BUSY = new Set(['USER_BUSY']);
const REJECTED = new Set(['CALL_REJECTED']);
const CANCELED = new Set(['ORIGINATOR_CANCEL']);
const UNANSWERED = new Set(['NO_ANSWER', 'NO_USER_RESPONSE', 'ALLOTTED_TIMEOUT']);

export interface HangupInfo {
  cause: string | undefined;
  causeCode: number | undefined;
  sipCode: number | undefined;
  sipReason: string | undefined;
}

/** Why a call the far end (or Telnyx) ended, from the bye's cause and how far the call got. */
export function remoteEndReason(info: HangupInfo, direction: 'inbound' | 'outbound', wasActive: boolean): { reason: CallEndReason; error?: VoiceError } {
  const cause = info.cause ?? '';
  if (wasActive) {
    if (cause === '' || cause === 'NORMAL_CLEARING' || BUSY.has(cause) || cause === 'ORIGINATOR_CANCEL') return { reason: 'remoteHangup' };
    return { reason: 'failed', error: hangupError(info) };
  }
  // An incoming call that ends before it was answered: the caller gave up (or rang elsewhere).
  if (direction === 'inbound') return { reason: 'canceled' };
  if (BUSY.has(cause) || info.sipCode === 486 || info.sipCode === 600) return { reason: 'busy' };
  if (REJECTED.has(cause) || info.sipCode === 603) return { reason: 'rejected' };
  if (CANCELED.has(cause) || info.sipCode === 487) return { reason: 'canceled' };
  if (UNANSWERED.has(cause) || info.sipCode === 408 || info.sipCode === 480) return { reason: 'unanswered' };
  return { reason: 'failed', error: hangupError(info) };
}

function hangupError(info: HangupInfo): VoiceError {
  const details: Record<string, string | number> = {};
  if (info.cause) details.hangupCause = info.cause;
  if (info.sipCode) details.status = info.sipCode;
  return new VoiceError('CALL_FAILED', `The call failed${info.cause ? ` (${info.cause}${info.sipCode ? `, SIP ${info.sipCode}` : ''})` : ''}.`, {
    provider: NAME,
    cause: { name: 'TelnyxHangup', code: info.sipCode ?? info.causeCode, message: [info.cause, info.sipReason].filter(Boolean).join(' ') || undefined },
    details,
  });
}
