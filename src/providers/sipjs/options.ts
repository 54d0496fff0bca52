import { configInvalid, optionInteger, optionString, parseWebSocketUrl, rejectUnknownOptions, type ProviderConfigInput } from '../../core/provider-kit.js';
import { checkDigestUser, checkDisplayName, checkSipAddress } from '../sip/header-text.js';
import { parseKeepAliveInterval } from '../sip/keep-alive.js';
import { parseDtmfTransport, type DtmfTransport } from '../sip/dtmf.js';

export type { DtmfTransport };

export interface SipjsOptions {
  /** The SIP-over-WebSocket server, e.g. wss://pbx.example.com:8443/ws. */
  server: string;
  /** The address of record to register (`sip:alice@example.com`); absent for an anonymous client. */
  uri: string | undefined;
  displayName: string | undefined;
  /** Digest user name when it differs from the URI's user. */
  authorizationUsername: string | undefined;
  /** Seconds a registration lasts before sip.js refreshes it. */
  registerExpires: number;
  /** RFC 4733 through the peer connection (falls back to SIP INFO where the sender cannot), or SIP INFO. */
  dtmfTransport: DtmfTransport;
  /** Upper bound for one ICE gathering, in ms (sip.js waits for gathering before sending an offer). */
  iceGatheringTimeoutMs: number;
  /**
   * While connected, an OPTIONS to the server every this many ms; one unanswered for as long means
   * the connection is dead (a hung server or a path that drops packets closes nothing): the client
   * goes `reconnecting`, then back to `connected` or, when the client's `reconnect` policy gives
   * up, `disconnected` with NETWORK_UNREACHABLE. A dead connection is so noticed within
   * 2 × keepAliveIntervalMs (default 15 000: 30 s). 0 turns it off; 1 000 … 600 000 otherwise.
   * A registration lost anyway (a refresh refused or unanswered) is reported the same way.
   */
  keepAliveIntervalMs: number;
}

const KNOWN = ['uri', 'displayName', 'authorizationUsername', 'registerExpires', 'dtmfTransport', 'iceGatheringTimeoutMs', 'keepAliveIntervalMs'] as const;

export function parseSipjsOptions(input: ProviderConfigInput): SipjsOptions {
  const { params } = input;
  if ('password' in params || 'authorizationPassword' in params) {
    throw configInvalid('password', 'A password is a credential: pass it as credentials { type: "password" }, never as an option.');
  }
  rejectUnknownOptions(params, KNOWN);
  const server = parseWebSocketUrl(input.locator, 'server');
  const uri = optionString(params, 'uri');
  if (uri !== undefined) checkSipAddress(uri, 'uri');
  const authorizationUsername = optionString(params, 'authorizationUsername');
  if (authorizationUsername !== undefined) checkDigestUser(authorizationUsername, 'authorizationUsername');
  const displayName = optionString(params, 'displayName');
  if (displayName !== undefined) checkDisplayName(displayName, 'displayName');
  if ((authorizationUsername !== undefined || input.credentials?.type === 'password') && uri === undefined) {
    throw configInvalid('uri', 'An authenticated SIP.js client needs "uri" (the address of record to register).');
  }
  const dtmfTransport = parseDtmfTransport(params, 'rfc4733');
  return {
    server,
    uri,
    displayName,
    authorizationUsername,
    registerExpires: optionInteger(params, 'registerExpires', 300, 30, 86_400),
    dtmfTransport,
    iceGatheringTimeoutMs: optionInteger(params, 'iceGatheringTimeoutMs', 2_000, 100, 60_000),
    keepAliveIntervalMs: parseKeepAliveInterval(params),
  };
}

