import { configInvalid, optionInteger, optionString, rejectUnknownOptions, type ProviderConfigInput } from '../../core/provider-kit.js';

export type DtmfTransport = 'rfc4733' | 'info';

export interface CognigyOptions {
  /** The Click-to-Call endpoint (http or https) that hands out the SIP config. */
  endpointUrl: string;
  /** Identifies the session to the backend (sent as the `userId` query parameter); not a secret. */
  userId: string | undefined;
  /**
   * Node and other signalling-only hosts: skip the WebRTC check of `init()` (Cognigy's SDK fails
   * at creation without WebRTC). Calls still need WebRTC and fail with WEBRTC_UNSUPPORTED.
   */
  signalingOnly: boolean;
  /** Bound on the config GET, Cognigy's 10 s by default. */
  configTimeoutMs: number;
  /** RFC 4733 through the peer connection, or SIP INFO (what a far end can surface as digits). */
  dtmfTransport: DtmfTransport;
  /**
   * JsSIP restores a lost WebSocket forever by itself; after this many failed tries in a row the
   * client gives up with NETWORK_UNREACHABLE (0: give up at the first loss).
   */
  reconnectionAttempts: number;
}

const KNOWN = ['endpointUrl', 'userId', 'signalingOnly', 'configTimeoutMs', 'dtmfTransport', 'reconnectionAttempts'] as const;


function optionBoolean(params: Record<string, unknown>, field: string): boolean {
  const raw = params[field];
  if (raw === undefined || raw === '' || raw === false || raw === 'false') return false;
  if (raw === true || raw === 'true') return true;
  throw configInvalid(field, `The option "${field}" must be true or false.`);
}

function parseEndpointUrl(input: ProviderConfigInput): string {
  const fromParams = input.params.endpointUrl;
  if (input.locator !== undefined && fromParams !== undefined) {
    throw configInvalid('endpointUrl', 'Give the endpoint URL once: as "server"/locator or as "endpointUrl", not both.');
  }
  const value = input.locator ?? (fromParams === undefined ? undefined : optionString(input.params, 'endpointUrl'));
  if (value === undefined) throw configInvalid('endpointUrl', 'The Cognigy provider needs "endpointUrl" (the Click-to-Call endpoint URL).');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw configInvalid('endpointUrl', '"endpointUrl" is not a valid URL.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw configInvalid('endpointUrl', '"endpointUrl" must be an http:// or https:// URL.');
  if (url.searchParams.has('userId')) throw configInvalid('userId', 'Pass userId as the "userId" option, not inside "endpointUrl".');
  return url.toString();
}

export function parseCognigyOptions(input: ProviderConfigInput): CognigyOptions {
  const { params } = input;
  if (input.credentials !== undefined && input.credentials.type !== 'anonymous') {
    throw configInvalid('credentials', 'The Cognigy provider takes no credentials: the endpoint hands out short-lived SIP credentials itself.');
  }
  rejectUnknownOptions(params, KNOWN);
  const dtmfTransport = optionString(params, 'dtmfTransport') ?? 'rfc4733';
  if (dtmfTransport !== 'rfc4733' && dtmfTransport !== 'info') throw configInvalid('dtmfTransport', 'The option "dtmfTransport" must be "rfc4733" or "info".');
  return {
    endpointUrl: parseEndpointUrl(input),
    userId: optionString(params, 'userId'),
    signalingOnly: optionBoolean(params, 'signalingOnly'),
    configTimeoutMs: optionInteger(params, 'configTimeoutMs', 10_000, 1, 120_000),
    dtmfTransport,
    reconnectionAttempts: optionInteger(params, 'reconnectionAttempts', 5, 0, 100),
  };
}
