import { configInvalid, optionInteger, optionString, rejectUnknownOptions, type ProviderConfigInput } from '../../core/provider-kit.js';

/** Telnyx's production signalling host; the SDK's own default. */
export const TELNYX_PRODUCTION_HOST = 'wss://rtc.telnyx.com';

export interface TelnyxOptions {
  /** The Verto WebSocket host (`wss://rtc.telnyx.com`, or a local emulator's `ws://127.0.0.1:PORT`). */
  host: string;
  /** Caller id sent with outgoing calls, where the account allows choosing it. */
  callerName: string | undefined;
  callerNumber: string | undefined;
  /**
   * How often a `telnyx_rtc.ping` checks that the server still answers; a dead connection is
   * noticed within 2 × keepAliveIntervalMs (default 15 000: 30 s). 0 turns it off (the SDK's own
   * health probe then notices within ~26 s, and only while it watches); 1 000 … 600 000 otherwise.
   */
  keepAliveIntervalMs: number;
}

const KNOWN = ['callerName', 'callerNumber', 'keepAliveIntervalMs'] as const;

function parseHost(locator: string | undefined): string {
  if (locator === undefined) return TELNYX_PRODUCTION_HOST;
  let url: URL;
  try {
    url = new URL(locator);
  } catch {
    throw configInvalid('server', 'The Telnyx host must be a ws:// or wss:// URL.');
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw configInvalid('server', 'The Telnyx host must be a ws:// or wss:// URL.');
  if (url.username || url.password) throw configInvalid('server', 'The Telnyx host must not carry credentials.');
  // The SDK rewrites "rtc" in the host when a region is set; polyphone sets none, so the URL is used as given.
  return locator;
}

export function parseTelnyxOptions(input: ProviderConfigInput): TelnyxOptions {
  const { params } = input;
  for (const secret of ['password', 'passwd', 'login_token', 'token']) {
    if (secret in params) throw configInvalid(secret, 'Credentials go in `credentials` (type "jwt", "password" or "anonymous"), never in the options.');
  }
  rejectUnknownOptions(params, KNOWN);
  return {
    host: parseHost(input.locator),
    callerName: optionString(params, 'callerName'),
    callerNumber: optionString(params, 'callerNumber'),
    keepAliveIntervalMs: keepAliveInterval(optionInteger(params, 'keepAliveIntervalMs', 15_000, 0, 600_000)),
  };
}

function keepAliveInterval(ms: number): number {
  if (ms !== 0 && ms < 1_000) throw configInvalid('keepAliveIntervalMs', 'The option "keepAliveIntervalMs" must be 0 (off) or from 1000 to 600000.');
  return ms;
}
