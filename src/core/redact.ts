import type { Credentials } from './contract.js';
import { VoiceError, type VoiceErrorCause } from './errors.js';

/** The secret parts of credentials (a bare string is a token or password). */
export function credentialSecrets(credentials: Credentials | string | undefined): string[] {
  if (credentials === undefined) return [];
  if (typeof credentials === 'string') return [credentials];
  switch (credentials.type) {
    case 'password':
      return [credentials.password];
    case 'jwt':
      return [credentials.token];
    case 'accessToken':
      return [credentials.accessToken];
    default:
      return [];
  }
}

const MASK = '[redacted]';
const URL_USERINFO = /([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi;

// Test hook, not API: a test sets this global to prove its secret scan would see a leak if the
// masking below were gone. polyphone itself never sets it.
const REDACTION_OFF = Symbol.for('polyphone.test.redactionOff');
const redactionOff = () => (globalThis as Record<symbol, unknown>)[REDACTION_OFF] === true;
// A secret shorter than this would match ordinary words; such values are not worth masking.
const MIN_SECRET_LENGTH = 4;

/**
 * Knows the secrets of one client (passwords, tokens) and masks them wherever text leaves
 * polyphone: error messages, causes, event payloads, log lines.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  add(secret: unknown): void {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) return;
    this.secrets.add(secret);
    // Vendor SDKs and servers echo secrets URL- or JSON-escaped as often as verbatim.
    this.secrets.add(encodeURIComponent(secret));
    this.secrets.add(JSON.stringify(secret).slice(1, -1));
  }

  text(value: string): string {
    if (redactionOff()) return value;
    // User info in any URL (ws://user:secret@host) is masked whoever wrote it there.
    let out = value.includes('@') ? value.replace(URL_USERINFO, `$1${MASK}@`) : value;
    for (const secret of this.secrets) {
      if (out.includes(secret)) out = out.split(secret).join(MASK);
    }
    return out;
  }

  /** A structural copy with every string masked; functions and class instances are dropped. */
  value<T>(value: T, depth = 0): T {
    if (typeof value === 'string') return this.text(value) as T;
    if (value === null || typeof value !== 'object' || depth > 8) return value;
    if (Array.isArray(value)) return value.map((v) => this.value(v, depth + 1)) as T;
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = this.value(v, depth + 1);
    return out as T;
  }

  cause(cause: VoiceErrorCause | undefined): VoiceErrorCause | undefined {
    if (!cause) return cause;
    const out: VoiceErrorCause = {};
    if (cause.name !== undefined) out.name = this.text(cause.name);
    if (cause.message !== undefined) out.message = this.text(cause.message);
    if (cause.code !== undefined) out.code = typeof cause.code === 'string' ? this.text(cause.code) : cause.code;
    return out;
  }

  error(error: VoiceError): VoiceError {
    const masked = new VoiceError(error.code, this.text(error.message), {
      provider: error.provider,
      cause: this.cause(error.cause),
      details: this.value(error.details),
    });
    if (error.stack) masked.stack = this.text(error.stack);
    return masked;
  }
}
