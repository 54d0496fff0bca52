import type { Credentials, LogLevel, ProviderConfigInput, ProviderDefinitionV1 } from './contract.js';
import { VoiceError } from './errors.js';
import { parseIcePolicy, type IcePolicy } from './ice-policy.js';
import { parseQualityOptions, type QualityOptions, type ResolvedQualityOptions } from './quality/options.js';
import { parseReconnect, type ReconnectOptions, type ReconnectPolicy } from './reconnect-policy.js';

export interface Timeouts {
  /** `connect()` from start to registered. Default 15 000 ms. */
  connectMs?: number;
  /** `call()` to an answer before the call ends `unanswered`. Default 60 000 ms. */
  ringMs?: number;
  /** A single provider operation (hold, DTMF, hangup, refresh). Default 10 000 ms. */
  operationMs?: number;
}

export type Logger = (entry: { level: LogLevel; message: string; data?: Record<string, unknown> }) => void;

export interface VoiceClientConfig {
  /** The name of a provider handed over in `createVoiceClient(config, { providers })`, or a provider definition of your own. */
  provider: string | ProviderDefinitionV1<any>;
  /** The provider's locator: a SIP WebSocket URL, a Cognigy endpoint URL, a Sendbird app id… */
  server?: string;
  credentials?: Credentials;
  iceServers?: RTCIceServer[];
  /** When a local description is sent although gathering goes on (src/core/ice-policy.ts); default { settleMs: 150, capMs: 2000 }. */
  icePolicy?: Partial<IcePolicy>;
  timeouts?: Timeouts;
  logger?: Logger;
  /**
   * How many calls may be live at once (default 1). With 1, a call arriving during another is
   * refused busy (`callRefused`); with more, it is offered (`incomingCall`) and answering it holds
   * the other. Honoured only where `capabilities.multipleCalls` is true.
   */
  maxCalls?: number;
  /** Call quality: sampling, warning thresholds, media-reconnection bound (README "Call quality"). */
  quality?: QualityOptions;
  /**
   * When a lost connection is tried again and when the client gives up (`disconnected`,
   * NETWORK_UNREACHABLE): the same option for every provider (README "Reconnection"). Default
   * { attempts: 5, deadlineMs: 60 000, baseDelayMs: 500, maxDelayMs: 8 000 }. The old per-provider
   * names (`reconnectionAttempts`, `reconnectAttempts`, `reconnectTimeoutMs`) still work, with a
   * logged deprecation warning.
   */
  reconnect?: ReconnectOptions;
  /** Provider-specific options. */
  [option: string]: unknown;
}

export const DEFAULT_TIMEOUTS: Required<Timeouts> = { connectMs: 15_000, ringMs: 60_000, operationMs: 10_000 };

const CORE_FIELDS = new Set(['provider', 'server', 'credentials', 'iceServers', 'icePolicy', 'timeouts', 'logger', 'maxCalls', 'quality', 'reconnect']);
const MAX_CALLS_LIMIT = 16;
const PROVIDER_NAME = /^[a-z][a-z0-9-]*$/;

export interface ParsedConfig {
  provider: string | ProviderDefinitionV1<any>;
  input: ProviderConfigInput;
  credentials: Credentials | undefined;
  iceServers: RTCIceServer[] | undefined;
  icePolicy: IcePolicy;
  timeouts: Required<Timeouts>;
  logger: Logger | undefined;
  maxCalls: number;
  quality: ResolvedQualityOptions;
  /** The reconnection policy; undefined where the provider supervises its own parts (failover: each member has its own). */
  reconnect: ReconnectPolicy | undefined;
  /** Warnings about the config (deprecated names), logged once the client has its logger. */
  warnings: string[];
}

function invalid(field: string, message: string): VoiceError {
  return new VoiceError('CONFIG_INVALID', message, { details: { field } });
}

/**
 * Config string grammar: `<provider>[:<locator>][?<param>=<value>&…]`.
 * The locator runs from the first `:` to the first `?`; params are URL-encoded. Secrets never
 * go in a string: strings end up in logs and URLs.
 */
export function parseConfigString(config: string): ParsedConfig {
  if (config.length === 0) throw invalid('provider', 'The config string is empty; expected "<provider>[:<locator>][?params]".');
  const colon = config.indexOf(':');
  const question = config.indexOf('?');
  const nameEnd = colon === -1 ? (question === -1 ? config.length : question) : Math.min(colon, question === -1 ? Infinity : question);
  const name = config.slice(0, nameEnd);
  if (!PROVIDER_NAME.test(name)) {
    throw invalid('provider', `The config string must start with a provider name (lowercase letters, digits, "-"), got "${name.slice(0, 40)}".`);
  }
  let rest = config.slice(nameEnd);
  if (rest.startsWith(':')) rest = rest.slice(1);
  const q = rest.indexOf('?');
  const locator = q === -1 ? rest : rest.slice(0, q);
  const query = q === -1 ? '' : rest.slice(q + 1);
  const params: Record<string, unknown> = Object.create(null);
  for (const [key, value] of new URLSearchParams(query)) {
    if (Object.hasOwn(params, key)) throw invalid(key, `The config string repeats the parameter "${key}".`);
    params[key] = value;
  }
  const maxCalls = optionInteger(params, 'maxCalls', 1, 1, MAX_CALLS_LIMIT);
  delete params.maxCalls;
  const reconnect = parseReconnect(undefined, params);
  return {
    provider: name,
    input: { locator: locator === '' ? undefined : locator, params, fromString: true, credentials: undefined },
    credentials: undefined,
    iceServers: undefined,
    icePolicy: parseIcePolicy(undefined),
    timeouts: { ...DEFAULT_TIMEOUTS },
    logger: undefined,
    maxCalls,
    quality: parseQualityOptions(undefined),
    reconnect: reconnect.policy,
    warnings: reconnect.warnings,
  };
}

/** The largest delay a timer honours: setTimeout runs a longer one at once (after 1 ms). */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** True for a number of milliseconds a timer can honour: finite, 1 … 2^31−1. */
export function isTimeoutMs(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 1 && value <= MAX_TIMEOUT_MS;
}

/** A time bound given to a method (`connect({ timeoutMs })`, `call({ ringTimeoutMs })`). */
export function timeoutArgument(value: unknown, field: string): number {
  if (!isTimeoutMs(value)) {
    throw new VoiceError('INVALID_ARGUMENT', `${field} must be a number of milliseconds from 1 to ${MAX_TIMEOUT_MS}.`, { details: { field } });
  }
  return value;
}

function parseTimeouts(value: unknown): Required<Timeouts> {
  if (value === undefined) return { ...DEFAULT_TIMEOUTS };
  if (!isPlainObject(value)) throw invalid('timeouts', 'timeouts must be an object.');
  const out = { ...DEFAULT_TIMEOUTS };
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(DEFAULT_TIMEOUTS, key)) throw invalid(`timeouts.${key.slice(0, 40)}`, `Unknown timeout "${key.slice(0, 40)}".`);
    const ms = value[key];
    if (!isTimeoutMs(ms)) {
      throw invalid(`timeouts.${key}`, `timeouts.${key} must be a number of milliseconds from 1 to ${MAX_TIMEOUT_MS}.`);
    }
    out[key as keyof Timeouts] = ms;
  }
  return out;
}

/**
 * An object literal or JSON value: `{ __proto__: {...} }` in a literal would slip fields in through
 * the prototype, unseen by the own-key checks below.
 */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** An own field only: nothing is read through a prototype. */
function own(object: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

function parseCredentials(value: unknown): Credentials | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value) || typeof own(value, 'type') !== 'string') {
    throw invalid('credentials', 'credentials must be an object with a "type".');
  }
  return value as Credentials;
}

export function parseConfigObject(config: VoiceClientConfig): ParsedConfig {
  if (!isPlainObject(config)) throw invalid('config', 'The config object must be a plain object (no prototype of its own).');
  const provider = own(config, 'provider') as VoiceClientConfig['provider'] | undefined;
  if (typeof provider === 'string') {
    if (!PROVIDER_NAME.test(provider)) throw invalid('provider', `"${provider.slice(0, 40)}" is not a provider name.`);
  } else if (typeof provider !== 'object' || provider === null || provider.specificationVersion !== 'v1') {
    throw invalid('provider', 'provider must be a name or a provider definition with specificationVersion "v1".');
  }
  const server = own(config, 'server');
  const iceServers = own(config, 'iceServers');
  const logger = own(config, 'logger');
  if (server !== undefined && typeof server !== 'string') throw invalid('server', 'server must be a string.');
  if (iceServers !== undefined && !Array.isArray(iceServers)) throw invalid('iceServers', 'iceServers must be an array.');
  if (logger !== undefined && typeof logger !== 'function') throw invalid('logger', 'logger must be a function.');
  // Null prototype: a "__proto__" or "constructor" key is an option like any other (and unknown).
  const params: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(config)) if (!CORE_FIELDS.has(key)) params[key] = config[key];
  const credentials = parseCredentials(own(config, 'credentials'));
  const reconnect = parseReconnect(own(config, 'reconnect'), params);
  return {
    provider,
    input: { locator: server as string | undefined, params, fromString: false, credentials },
    credentials,
    iceServers: iceServers as RTCIceServer[] | undefined,
    icePolicy: parseIcePolicy(own(config, 'icePolicy')),
    timeouts: parseTimeouts(own(config, 'timeouts')),
    logger: logger as Logger | undefined,
    maxCalls: optionInteger(config as Record<string, unknown>, 'maxCalls', 1, 1, MAX_CALLS_LIMIT),
    quality: parseQualityOptions(own(config, 'quality')),
    reconnect: reconnect.policy,
    warnings: reconnect.warnings,
  };
}

export function parseConfig(config: unknown): ParsedConfig {
  if (typeof config === 'string') return parseConfigString(config);
  if (typeof config === 'object' && config !== null && !Array.isArray(config)) return parseConfigObject(config as VoiceClientConfig);
  throw invalid('config', 'The config must be a string like "sipjs:wss://host/ws?uri=sip:alice@host" or an object with a provider.');
}

/** Reads a string option that a provider requires or accepts, for use inside `parseOptions`. */
export function optionString(params: Record<string, unknown>, field: string, required: true): string;
export function optionString(params: Record<string, unknown>, field: string, required?: false): string | undefined;
export function optionString(params: Record<string, unknown>, field: string, required = false): string | undefined {
  const value = Object.hasOwn(params, field) ? params[field] : undefined;
  if (value === undefined || value === '') {
    if (required) throw invalid(field, `The option "${field}" is required.`);
    return undefined;
  }
  if (typeof value !== 'string') throw invalid(field, `The option "${field}" must be a string.`);
  return value;
}

/** Reads a whole-number option (a string in config strings, a number in objects) within bounds. */
export function optionInteger(params: Record<string, unknown>, field: string, fallback: number, min: number, max: number): number {
  const raw = Object.hasOwn(params, field) ? params[field] : undefined;
  if (raw === undefined || raw === '') return fallback;
  const value = typeof raw === 'string' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(field, `The option "${field}" must be a whole number from ${min} to ${max}.`);
  }
  return value;
}

/** Fails on any parameter the provider does not know, so a typo is not silently ignored. */
export function rejectUnknownOptions(params: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(params)) {
    if (!known.includes(key)) throw invalid(key.slice(0, 40), `Unknown option "${key.slice(0, 40)}"; known: ${known.join(', ') || 'none'}.`);
  }
}

/** Validates a WebSocket server URL without contacting it. */
export function parseWebSocketUrl(value: string | undefined, field: string): string {
  if (value === undefined) throw invalid(field, `The option "${field}" (a ws:// or wss:// URL) is required.`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(field, `"${field}" is not a valid URL.`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw invalid(field, `"${field}" must be a ws:// or wss:// URL.`);
  if (!url.hostname) throw invalid(field, `"${field}" has no host.`);
  // A URL travels into logs, traces and vendor SDK dumps; a secret in it would go along.
  if (url.username || url.password) throw invalid(field, `"${field}" must not carry a user name or password; pass credentials as credentials.`);
  return url.toString();
}

export { invalid as configInvalid };
