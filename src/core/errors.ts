/** One row of the error table: what a code means, when polyphone reports it, what the app does. */
export interface VoiceErrorInfo {
  readonly meaning: string;
  readonly when: string;
  readonly action: string;
}

/**
 * Every failure polyphone reports is a VoiceError with one of these codes. A code, once
 * published, keeps its meaning; new failures get new codes. The README's error table is checked
 * against this one (test/core/errors-table.test.ts).
 */
export const VOICE_ERRORS = {
  CONFIG_INVALID: {
    meaning: 'a bad or missing config option; `details.field` names it (never its value if secret)',
    when: 'createVoiceClient(), authenticate() without credentials, a provider checking its options',
    action: 'fix the config: it will not work on retry',
  },
  INVALID_ARGUMENT: {
    meaning: 'a bad argument to a method (empty call target, DTMF outside `0-9A-D*#,`)',
    when: 'any method, before anything is sent',
    action: 'fix the call site',
  },
  PROVIDER_UNKNOWN: {
    meaning: 'no provider of that name was handed over (`createVoiceClient(config, { providers })`)',
    when: 'createVoiceClient()',
    action: 'import the provider and hand it over, or use `polyphone/all`',
  },
  PROVIDER_SDK_MISSING: {
    meaning: "the chosen provider's vendor SDK (or, in Node 20, `ws`) is not installed; the message says what to install",
    when: 'init() or connect(), when the SDK is loaded',
    action: 'install the package the message names',
  },
  WEBRTC_UNSUPPORTED: {
    meaning: 'no RTCPeerConnection / getUserMedia where a call needs them',
    when: 'call(), answer(), a provider that needs WebRTC to connect',
    action: 'run in a browser with WebRTC (a secure context), or use a signalling-only setup',
  },
  INVALID_STATE: {
    meaning: "the method cannot run in the client's or call's current state",
    when: 'any method; the state tables (states.ts) say where each one runs',
    action: 'wait for the state the method needs (`stateChanged`), or do not offer the action in this state',
  },
  AUTH_REJECTED: {
    meaning: 'the server refused the credentials (SIP 401/403, Telnyx 46001, Sendbird bad token, Cognigy endpoint 401/403)',
    when: 'authenticate(), connect(), refreshToken()',
    action: 'ask for new credentials; retrying the same ones will not help',
  },
  TOKEN_EXPIRED: {
    meaning: 'the token has expired',
    when: 'connect(), refreshToken(), or while connected',
    action: 'fetch a new token and call refreshToken() (or connect() again)',
  },
  NETWORK_UNREACHABLE: {
    meaning: 'the server could not be reached, or stayed unreachable after the reconnection attempts',
    when: 'connect(), or while connected once the reconnection gave up (client `error`, state `disconnected`)',
    action: 'check the network and the server address; connect() again later',
  },
  TIMEOUT: {
    meaning: 'an operation exceeded its bound (`details.timeoutMs`)',
    when: 'connect(), authenticate(), any call operation (`timeouts`)',
    action: 'retry; raise the bound in `timeouts` if the server is known to be slow',
  },
  PROTOCOL_ERROR: {
    meaning: 'a malformed or unexpected server reply',
    when: 'any exchange with the server',
    action: 'report it with `client.trace()`: the server and polyphone disagree',
  },
  WIDGET_INACTIVE: {
    meaning: 'the Cognigy Click-to-Call widget is switched off',
    when: 'authenticate() or connect() with the cognigy provider',
    action: 'switch the endpoint on in Cognigy',
  },
  CALL_FAILED: {
    meaning: 'a call could not be set up or an in-call operation failed (`details.status` for SIP)',
    when: 'call(), answer(), hold(), transfer() and the other call operations; a call that ends `failed`',
    action: 'tell the user; the call (if any) says whether it goes on (`state`)',
  },
  MEDIA_DENIED: {
    meaning: 'the microphone could not be used (permission denied, no device)',
    when: 'call(), answer(), devices.setInput(), resumeAudio()',
    action: 'ask the user to allow the microphone (or plug one in), then try again',
  },
  MEDIA_LOST: {
    meaning: "the call's media path was lost and not restored within `quality.mediaReconnectMs`; the call ended `failed`",
    when: 'during an established call',
    action: 'tell the user; place the call again',
  },
  UNSUPPORTED: {
    meaning: 'the provider cannot do this operation',
    when: 'any operation the provider does not declare in `capabilities`',
    action: 'check `client.capabilities` before offering the action',
  },
  ABORTED: {
    meaning: 'the app cancelled the operation (`AbortSignal`, or `disconnect()` during `connect()`)',
    when: 'connect() and other operations that take a signal',
    action: 'nothing: the app asked for it',
  },
  INTERNAL: {
    meaning: 'a bug in polyphone or a provider: please report it with `client.trace()`',
    when: 'anywhere',
    action: 'report it with `client.trace()`',
  },
} as const satisfies Record<string, VoiceErrorInfo>;

export type VoiceErrorCode = keyof typeof VOICE_ERRORS;

/** Every code, in the table's order. Marked pure so that a bundle which never reads it drops the table's texts. */
export const VOICE_ERROR_CODES = /* @__PURE__ */ Object.keys(VOICE_ERRORS) as readonly VoiceErrorCode[];

/** A vendor failure reduced to plain, secret-free fields: no vendor object leaves polyphone. */
export interface VoiceErrorCause {
  name?: string;
  message?: string;
  /** The vendor's own code (SIP status, Telnyx 46001, Sendbird 1800208 …). */
  code?: string | number;
}

export interface VoiceErrorOptions {
  provider?: string;
  cause?: VoiceErrorCause;
  /** Machine-readable particulars, e.g. `{ field: 'uri' }` or `{ status: 404 }`. Never a secret. */
  details?: Record<string, string | number | boolean>;
}

export class VoiceError extends Error {
  override readonly name = 'VoiceError';
  readonly code: VoiceErrorCode;
  readonly provider: string | undefined;
  override readonly cause: VoiceErrorCause | undefined;
  readonly details: Record<string, string | number | boolean> | undefined;

  constructor(code: VoiceErrorCode, message: string, options: VoiceErrorOptions = {}) {
    super(message);
    this.code = code;
    this.provider = options.provider;
    this.cause = options.cause;
    this.details = options.details;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      provider: this.provider,
      cause: this.cause,
      details: this.details,
    };
  }
}

export function isVoiceError(value: unknown): value is VoiceError {
  return value instanceof VoiceError;
}

/** Reads name, message and code off anything thrown, without keeping the object itself. */
export function describeCause(value: unknown): VoiceErrorCause {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object') return { message: String(value) };
  const v = value as { name?: unknown; message?: unknown; code?: unknown; status_code?: unknown };
  const cause: VoiceErrorCause = {};
  if (typeof v.name === 'string') cause.name = v.name;
  if (typeof v.message === 'string') cause.message = v.message;
  const code = v.code ?? v.status_code;
  if (typeof code === 'string' || typeof code === 'number') cause.code = code;
  return cause;
}
