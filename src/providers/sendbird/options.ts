import { configInvalid, optionInteger, optionString, rejectUnknownOptions, type ProviderConfigInput } from '../../core/provider-kit.js';
import { refuseKeepAliveOption } from './keep-alive.js';

export interface SendbirdOptions {
  /** The Sendbird application id (the config string's locator). */
  appId: string;
  /** REST origin; absent means Sendbird's own (`https://api-<APP_ID>.calls.sendbird.com`). */
  apiHost: string | undefined;
  /** WebSocket origin; absent means Sendbird's own (`wss://ws-<APP_ID>.calls.sendbird.com`). */
  wsHost: string | undefined;
  /**
   * Upper bound for the REST login, in ms. sendbird-calls puts no timeout on it; when the provider
   * gives up, a reply that still comes is thrown away (the SDK is deauthenticated again).
   */
  loginTimeoutMs: number;
  /**
   * How long an answered call may take to connect its media before it ends `failed` with
   * CALL_FAILED. Also given to sendbird-calls (`setCallConnectionTimeout`), whose own timer of the
   * same length starts only once it has built the call's RTCPeerConnection. Default 60 000 (the
   * SDK's own default); 1 000–600 000.
   */
  callConnectionTimeoutMs: number;
}

const KNOWN = ['apiHost', 'wsHost', 'loginTimeoutMs', 'callConnectionTimeoutMs'] as const;
// Sendbird app ids are upper-case UUIDs; the lab uses a readable name. Anything that can sit in a
// host name passes.
const APP_ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,99}$/;

/** An origin (plus an optional path prefix) with one of the given schemes, without a trailing slash. */
function optionHost(params: Record<string, unknown>, field: string, schemes: readonly string[]): string | undefined {
  const value = optionString(params, field);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw configInvalid(field, `"${field}" is not a valid URL.`);
  }
  if (!schemes.includes(url.protocol)) throw configInvalid(field, `"${field}" must be a ${schemes.map((s) => `${s}//`).join(' or ')} URL.`);
  if (!url.hostname) throw configInvalid(field, `"${field}" has no host.`);
  if (url.search || url.hash || url.username || url.password) throw configInvalid(field, `"${field}" must be an origin, without query, fragment or user info.`);
  return value.replace(/\/+$/, '');
}

export function parseSendbirdOptions(input: ProviderConfigInput): SendbirdOptions {
  const { params } = input;
  if ('accessToken' in params || 'token' in params) {
    throw configInvalid('accessToken', 'An access token is a credential: pass it as credentials { type: "accessToken", userId, accessToken }, never as an option.');
  }
  refuseKeepAliveOption(params);
  rejectUnknownOptions(params, KNOWN);
  const appId = input.locator;
  if (appId === undefined) throw configInvalid('appId', 'The Sendbird application id is required: "sendbird:<APP_ID>".');
  if (!APP_ID.test(appId)) throw configInvalid('appId', 'The Sendbird application id may hold only letters, digits and "-".');
  if (input.credentials !== undefined && input.credentials.type !== 'accessToken') {
    throw configInvalid('credentials', 'The sendbird provider takes credentials { type: "accessToken", userId, accessToken }.');
  }
  return {
    appId,
    apiHost: optionHost(params, 'apiHost', ['http:', 'https:']),
    wsHost: optionHost(params, 'wsHost', ['ws:', 'wss:']),
    loginTimeoutMs: optionInteger(params, 'loginTimeoutMs', 15_000, 100, 600_000),
    callConnectionTimeoutMs: optionInteger(params, 'callConnectionTimeoutMs', 60_000, 1_000, 600_000),
  };
}
