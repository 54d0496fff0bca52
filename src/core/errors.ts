/**
 * Every failure polyphone reports is a VoiceError with one of these codes.
 * A code, once published, keeps its meaning; new failures get new codes.
 */
export const VOICE_ERROR_CODES = [
  'CONFIG_INVALID',
  'INVALID_ARGUMENT',
  'PROVIDER_UNKNOWN',
  'PROVIDER_SDK_MISSING',
  'WEBRTC_UNSUPPORTED',
  'INVALID_STATE',
  'AUTH_REJECTED',
  'TOKEN_EXPIRED',
  'NETWORK_UNREACHABLE',
  'TIMEOUT',
  'PROTOCOL_ERROR',
  'WIDGET_INACTIVE',
  'CALL_REJECTED',
  'CALL_FAILED',
  'MEDIA_DENIED',
  'MEDIA_LOST',
  'UNSUPPORTED',
  'ABORTED',
  'INTERNAL',
] as const;

export type VoiceErrorCode = (typeof VOICE_ERROR_CODES)[number];

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
