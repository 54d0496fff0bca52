import { VoiceError, describeCause, type CallEndReason, type VoiceErrorCode } from '../../core/provider-kit.js';

export const NAME = 'sendbird';

// Server codes reach the app unchanged from the login reply's `{error, code, message}`. Sendbird
// does not publish its Calls login codes; these are the platform's token codes the lab answers with
// (lab/sendbird/codes.mjs): 400302 access token not valid, 400309 token expired, 400200 no such app.
const TOKEN_EXPIRED_CODES = new Set([400309]);
const AUTH_REJECTED_CODES = new Set([400200, 400302, 400401, 1800303]);
// Client codes of sendbird-calls 1.10 (SendBirdCall.ErrorCode).
const NETWORK_CODES = new Set([1800201, 1800202, 1800203, 1800204]);
const PROTOCOL_CODES = new Set([1800200, 1800205, 1800207, 1800208]);
// A failed fetch: Chromium "Failed to fetch", Firefox "NetworkError when attempting to fetch
// resource.", Safari "Load failed". Any other TypeError out of the SDK is it choking on a reply.
// Browsers say "Failed to fetch" / "NetworkError" / "Load failed"; Node's fetch says "fetch failed".
const FETCH_FAILURE = /failed to fetch|fetch failed|networkerror|load failed|network request failed/i;

function codeOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : typeof code === 'string' && /^\d+$/.test(code) ? Number(code) : undefined;
}

function voiceError(code: VoiceErrorCode, message: string, error: unknown): VoiceError {
  const cause = describeCause(error);
  const vendorCode = codeOf(error);
  return new VoiceError(code, message, { provider: NAME, cause, ...(vendorCode !== undefined ? { details: { vendorCode } } : {}) });
}

/** A failed `SendBirdCall.authenticate` (REST login). */
export function loginFailure(error: unknown): VoiceError {
  const code = codeOf(error);
  if (code !== undefined && TOKEN_EXPIRED_CODES.has(code)) return voiceError('TOKEN_EXPIRED', 'Sendbird refused the access token: it has expired.', error);
  if (code !== undefined && (AUTH_REJECTED_CODES.has(code) || (code >= 400300 && code < 400400))) {
    return voiceError('AUTH_REJECTED', 'Sendbird refused the access token.', error);
  }
  if (code !== undefined && NETWORK_CODES.has(code)) return voiceError('NETWORK_UNREACHABLE', 'The Sendbird API could not be reached.', error);
  if (code !== undefined && PROTOCOL_CODES.has(code)) return voiceError('PROTOCOL_ERROR', 'The Sendbird API answered the login with a malformed or unexpected reply.', error);
  if (code === undefined && error instanceof TypeError) {
    return FETCH_FAILURE.test(error.message)
      ? voiceError('NETWORK_UNREACHABLE', 'The Sendbird API could not be reached.', error)
      : // sendbird-calls 1.10 reads `reply.user` without checking it: a reply without it surfaces as a bare TypeError.
        voiceError('PROTOCOL_ERROR', 'The Sendbird API answered the login with a reply the SDK could not read.', error);
  }
  if (code !== undefined && code >= 400000 && code < 500000) return voiceError('AUTH_REJECTED', 'Sendbird refused the login.', error);
  return voiceError('PROTOCOL_ERROR', 'The Sendbird login failed.', error);
}

/** A failed `SendBirdCall.connectWebSocket`. */
export function socketFailure(error: unknown): VoiceError {
  const code = codeOf(error);
  if (code !== undefined && PROTOCOL_CODES.has(code)) return voiceError('PROTOCOL_ERROR', 'The Sendbird WebSocket answered with a malformed reply.', error);
  if (code !== undefined && AUTH_REJECTED_CODES.has(code)) return voiceError('AUTH_REJECTED', 'The Sendbird session is not authenticated.', error);
  return voiceError('NETWORK_UNREACHABLE', 'The Sendbird WebSocket could not be opened.', error);
}

/** A call the server refused or the SDK could not set up (dial/accept callbacks, DirectCall end). */
export function callFailure(error: unknown, what: string): VoiceError {
  const code = codeOf(error);
  if (code !== undefined && NETWORK_CODES.has(code)) return voiceError('NETWORK_UNREACHABLE', `${what}: the Sendbird WebSocket is not connected.`, error);
  if (code !== undefined && PROTOCOL_CODES.has(code)) return voiceError('PROTOCOL_ERROR', `${what}: Sendbird answered with a malformed reply.`, error);
  return voiceError('CALL_FAILED', `${what} failed.`, error);
}

/** Environment failures of `SendBirdCall.init`, which throws plain strings. */
export function initFailure(error: unknown): VoiceError {
  const text = typeof error === 'string' ? error : (error as { message?: unknown } | null)?.message;
  const message = typeof text === 'string' ? text : '';
  if (/window|RTCPeerConnection|legacy WebRTC/i.test(message)) {
    return new VoiceError('WEBRTC_UNSUPPORTED', 'sendbird-calls needs a browser with WebRTC.', { provider: NAME, cause: { message } });
  }
  if (/https/i.test(message)) {
    return new VoiceError('WEBRTC_UNSUPPORTED', 'sendbird-calls runs only on https:, file: or a localhost / 127.0.0.1 page.', { provider: NAME, cause: { message } });
  }
  if (codeOf(error) === 1800300) return new VoiceError('CONFIG_INVALID', 'Sendbird refused the application id.', { provider: NAME, cause: describeCause(error), details: { field: 'appId' } });
  return new VoiceError('INTERNAL', 'sendbird-calls could not be initialised.', { provider: NAME, cause: typeof error === 'string' ? { message } : describeCause(error) });
}

/**
 * Where a DirectCall's `endResult` leaves a polyphone call. `completed` depends on who ended it;
 * `other_device_accepted`: the call was taken on another device of this user, so for this one the
 * caller went away. A failure carries a CALL_FAILED with the vendor's word as the cause.
 */
const END_RESULTS: Record<string, { reason: CallEndReason; failure?: string }> = {
  declined: { reason: 'rejected' },
  canceled: { reason: 'canceled' },
  no_answer: { reason: 'unanswered' },
  other_device_accepted: { reason: 'canceled' },
  connection_lost: { reason: 'failed', failure: 'The call ended: a party lost its connection.' },
  timed_out: { reason: 'failed', failure: 'The call ended: the media connection was not established in time.' },
};

export function endReasonFor(result: unknown, endedByMe: boolean, role: 'caller' | 'callee'): { reason: CallEndReason; error?: VoiceError } {
  const word = String(result).slice(0, 40);
  if (word === 'completed') return { reason: endedByMe ? 'hangup' : 'remoteHangup' };
  const known = Object.hasOwn(END_RESULTS, word) ? END_RESULTS[word] : undefined;
  if (known && !known.failure) return { reason: known.reason };
  const message = known?.failure ?? `The call ended (${word}) on the ${role} side.`;
  return { reason: 'failed', error: new VoiceError('CALL_FAILED', message, { provider: NAME, cause: { code: word } }) };
}

/** The call was accepted but its media connection never came up within the bound (see call.ts). */
export function connectionTimeout(timeoutMs: number): VoiceError {
  return new VoiceError('CALL_FAILED', `The call was answered but its media connection did not come up within ${timeoutMs} ms.`, {
    provider: NAME,
    details: { timeoutMs },
  });
}
