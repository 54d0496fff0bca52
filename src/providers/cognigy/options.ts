import { configInvalid, optionInteger, optionString, rejectUnknownOptions, type ProviderConfigInput } from '../../core/provider-kit.js';
import { parseKeepAliveInterval } from '../sip/keep-alive.js';
import { parseDtmfTransport, type DtmfTransport } from '../sip/dtmf.js';

export type { DtmfTransport };

export interface CognigyOptions {
  /** The Click-to-Call endpoint (http or https) that hands out the SIP config. */
  endpointUrl: string;
  /**
   * The user part of the visitor's SIP address (`sip:<userId>@<realm>`); never sent to the
   * endpoint. Absent: one is made per client, `webrtc-sdk-<endpointname>-<8 letters/digits>`.
   */
  userId: string | undefined;
  /**
   * Node and other signalling-only hosts: skip the WebRTC check of `init()` (Cognigy's SDK fails
   * at creation without WebRTC). Calls still need WebRTC and fail with WEBRTC_UNSUPPORTED.
   */
  signalingOnly: boolean;
  /** Bound on the config GET, Cognigy's 10 s by default. */
  configTimeoutMs: number;
  /** SIP INFO `application/dtmf-relay` (what Cognigy's Voice Gateway expects; the default) or RFC 4733. */
  dtmfTransport: DtmfTransport;
  /**
   * While connected, an OPTIONS to the SIP server every this many ms; one unanswered for as long
   * means the connection is dead: the client goes `reconnecting`, then back to `connected` or,
   * when the client's `reconnect` policy gives up (a JsSIP try that hangs is cut after 5 s and
   * counts as failed), `disconnected` with NETWORK_UNREACHABLE. Noticed within 2 × keepAliveIntervalMs (default
   * 15 000: 30 s). 0 turns it off; 1 000 … 600 000 otherwise. The same option as sipjs's.
   */
  keepAliveIntervalMs: number;
}

const KNOWN = ['endpointUrl', 'userId', 'signalingOnly', 'configTimeoutMs', 'dtmfTransport', 'keepAliveIntervalMs'] as const;

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
  // The URL is not echoed in any message: with credentials in it, it is a secret.
  if (url.username !== '' || url.password !== '') {
    throw configInvalid('endpointUrl', '"endpointUrl" must not carry credentials (user:password@); the Cognigy endpoint URL takes none.');
  }
  if (url.searchParams.has('userId')) throw configInvalid('userId', 'Pass userId as the "userId" option, not inside "endpointUrl": it is never sent to the endpoint.');
  return url.toString();
}

// RFC 3261 user part characters: the userId becomes the user of the visitor's SIP address.
const SIP_USER = /^[A-Za-z0-9\-_.!~*'()&=+$,]{1,128}$/;

function parseUserId(params: Record<string, unknown>): string | undefined {
  const value = optionString(params, 'userId');
  if (value !== undefined && !SIP_USER.test(value)) {
    throw configInvalid('userId', '"userId" must be 1–128 characters allowed in a SIP user part (letters, digits, - _ . ! ~ * \' ( ) & = + $ ,).');
  }
  return value;
}

export function parseCognigyOptions(input: ProviderConfigInput): CognigyOptions {
  const { params } = input;
  if (input.credentials !== undefined && input.credentials.type !== 'anonymous') {
    throw configInvalid('credentials', 'The Cognigy provider takes no credentials: the endpoint hands out short-lived SIP credentials itself.');
  }
  rejectUnknownOptions(params, KNOWN);
  const dtmfTransport = parseDtmfTransport(params, 'info');
  return {
    endpointUrl: parseEndpointUrl(input),
    userId: parseUserId(params),
    signalingOnly: optionBoolean(params, 'signalingOnly'),
    configTimeoutMs: optionInteger(params, 'configTimeoutMs', 10_000, 1, 120_000),
    dtmfTransport,
    keepAliveIntervalMs: parseKeepAliveInterval(params),
  };
}
