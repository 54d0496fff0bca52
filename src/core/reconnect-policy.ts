/**
 * The client's one reconnection policy (config `reconnect`), the same for every provider: how many
 * failed tries and how long in `reconnecting` before the client gives up with NETWORK_UNREACHABLE,
 * and how long to wait between the tries the core schedules itself. Pure data and arithmetic; the
 * supervisor that applies it is reconnect.ts.
 */
import type { ReconnectPolicy } from './contract.js';
import { VoiceError } from './errors.js';

export type { ReconnectPolicy };

/** The config's `reconnect`: any field of the policy; the others keep their defaults. */
export type ReconnectOptions = { -readonly [K in keyof ReconnectPolicy]?: number };

export const DEFAULT_RECONNECT: ReconnectPolicy = Object.freeze({ attempts: 5, deadlineMs: 60_000, baseDelayMs: 500, maxDelayMs: 8_000 });

const MAX_ATTEMPTS = 100;
const MAX_MS = 2 ** 31 - 1;

/**
 * Option names the providers used before the one policy, each mapped onto it with a logged
 * deprecation warning (they still work, for any provider).
 */
const DEPRECATED: Readonly<Record<string, keyof ReconnectOptions>> = {
  reconnectionAttempts: 'attempts', // sipjs, cognigy
  reconnectAttempts: 'attempts', // telnyx
  reconnectTimeoutMs: 'deadlineMs', // sendbird
};

/** How long the core waits before try `tryNumber` (1-based): 0 for the first. `random` in [0, 1). */
export function reconnectDelay(tryNumber: number, policy: ReconnectPolicy, random: number): number {
  if (tryNumber <= 1) return 0;
  const grown = policy.baseDelayMs * 2 ** Math.min(tryNumber - 2, 30) * (1 + random);
  return Math.round(Math.min(policy.maxDelayMs, grown));
}

function invalid(field: string, message: string): VoiceError {
  return new VoiceError('CONFIG_INVALID', message, { details: { field } });
}

/** A whole number within bounds; config strings give strings. */
function whole(raw: unknown, field: string, min: number, max: number): number {
  const value = typeof raw === 'string' && raw !== '' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(field, `${field} must be a whole number from ${min} to ${max}.`);
  }
  return value;
}

const BOUNDS: Record<keyof ReconnectOptions, [number, number]> = {
  attempts: [0, MAX_ATTEMPTS],
  deadlineMs: [1, MAX_MS],
  baseDelayMs: [1, MAX_MS],
  maxDelayMs: [1, MAX_MS],
};

export interface ParsedReconnect {
  policy: ReconnectPolicy;
  /** Deprecation warnings, logged once the client has its logger. */
  warnings: string[];
}

/**
 * Reads `reconnect` (an object; in a config string the fields as `reconnect.attempts=3`) and the
 * deprecated per-provider names, removing all of them from `params` so the provider never sees them.
 */
export function parseReconnect(value: unknown, params: Record<string, unknown>): ParsedReconnect {
  const given: Record<string, unknown> = Object.create(null);
  // The name each value came under, so an error names what the app wrote.
  const source: Record<string, string> = Object.create(null);
  if (value !== undefined) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('reconnect', 'reconnect must be an object.');
    for (const key of Object.keys(value)) given[key] = (value as Record<string, unknown>)[key];
  }
  for (const key of Object.keys(params)) {
    if (!key.startsWith('reconnect.')) continue;
    given[key.slice('reconnect.'.length)] = params[key];
    delete params[key];
  }
  const warnings: string[] = [];
  for (const [old, field] of Object.entries(DEPRECATED)) {
    if (!Object.hasOwn(params, old)) continue;
    if (Object.hasOwn(given, field)) throw invalid(old, `"${old}" and reconnect.${field} say the same thing; keep reconnect.${field}.`);
    given[field] = params[old];
    source[field] = old;
    delete params[old];
    warnings.push(`The option "${old}" is deprecated; use reconnect.${field} (it means the same for every provider).`);
  }
  const policy: Record<string, number> = { ...DEFAULT_RECONNECT };
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(BOUNDS, key)) throw invalid(`reconnect.${key.slice(0, 40)}`, `Unknown reconnect option "${key.slice(0, 40)}"; known: ${Object.keys(BOUNDS).join(', ')}.`);
    const [min, max] = BOUNDS[key as keyof ReconnectOptions];
    policy[key] = whole(given[key], source[key] ?? `reconnect.${key}`, min, max);
  }
  if (policy.maxDelayMs! < policy.baseDelayMs!) throw invalid('reconnect.maxDelayMs', 'reconnect.maxDelayMs must not be below reconnect.baseDelayMs.');
  return { policy: Object.freeze(policy) as unknown as ReconnectPolicy, warnings };
}
