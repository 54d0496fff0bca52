import type { RTCSession } from 'jssip/lib/RTCSession.js';
import type { UA } from 'jssip/lib/UA.js';
import type { Credentials, ProviderDefinitionV1 } from '../../core/contract.js';
import { provider } from './provider.js';
import type { CognigyOptions, DtmfTransport } from './options.js';

export type { CognigyOptions, DtmfTransport } from './options.js';
export type { CognigyEndpointConfig, LegacyEndpointConfig, RuntimeEndpointConfig } from './config-schema.js';

/** The object config of the Cognigy Click-to-Call provider (`{ provider: 'cognigy', server, … }`). */
export interface CognigyConfig {
  /** The Click-to-Call endpoint URL (`http://` or `https://`) that hands out the SIP config. Give it here or as `endpointUrl`. */
  server?: string;
  /** The Click-to-Call endpoint URL, when not given as `server`. */
  endpointUrl?: string;
  /** None: the endpoint hands out short-lived SIP credentials itself. */
  credentials?: Extract<Credentials, { type: 'anonymous' }>;
  /**
   * The user part of the visitor's SIP address (`sip:<userId>@<realm>`); never sent to the
   * endpoint. Default: one made per client in Cognigy's form `webrtc-sdk-<endpoint>-<8 letters/digits>`,
   * kept for the client's life. 1–128 SIP user-part characters.
   */
  userId?: string;
  /** Skip the WebRTC check of `init()` on signalling-only hosts such as Node. Default false. */
  signalingOnly?: boolean;
  /** Bound on the config request, in ms. Default 10 000 (Cognigy's own); 1–120 000. */
  configTimeoutMs?: number;
  /** DTMF by SIP INFO `application/dtmf-relay` (what Cognigy's Voice Gateway expects) or through the media (RFC 4733). Default `'info'`. */
  dtmfTransport?: DtmfTransport;
  /** @deprecated Use the client's `reconnect.attempts` (the same for every provider); still read, with a logged warning. */
  reconnectionAttempts?: number;
  /**
   * An OPTIONS keep-alive to the SIP server every this many ms: a dead connection (a hung server, a
   * path that drops packets) is noticed within 2 × this and the client goes `reconnecting`.
   * Default 15 000; 0 turns it off; 1 000–600 000 otherwise.
   */
  keepAliveIntervalMs?: number;
}

/** `client.vendor` and `call.vendor` of this provider (outside the stability promise). */
export interface CognigyVendor {
  client: UA;
  call: RTCSession;
}

export type CognigyDefinition = ProviderDefinitionV1<CognigyOptions, 'cognigy', CognigyConfig, CognigyVendor>;

// The definition in provider.ts is typed loosely (name: string); this gives it its name and config types.
/**
 * The Cognigy Click-to-Call provider (vendor SDK `jssip`, loaded when the client connects):
 * `createVoiceClient('cognigy:https://endpoint.example.com/…', { providers: [cognigy] })`.
 */
export const cognigy = { ...provider, credentialTypes: ['anonymous'] } as unknown as CognigyDefinition;
export { cognigy as provider };
