import type { Session, UserAgent } from 'sip.js';
import type { Credentials, ProviderDefinitionV1 } from '../../core/contract.js';
import { provider } from './provider.js';
import type { DtmfTransport, SipjsOptions } from './options.js';

export type { SipjsOptions, DtmfTransport } from './options.js';

/** The object config of the SIP.js provider (`{ provider: 'sipjs', server, … }`). */
export interface SipjsConfig {
  /** The SIP-over-WebSocket server, `ws://` or `wss://`, e.g. `wss://pbx.example.com:8443/ws`. Required. */
  server: string;
  /** Digest credentials (`username` defaults to the user part of `uri`), or anonymous (the default without any). */
  credentials?: Extract<Credentials, { type: 'password' } | { type: 'anonymous' }>;
  /** The address of record to register, `sip:alice@example.com`. Required with a password; absent for an anonymous client. */
  uri?: string;
  /** The display name in From headers. Default: none. */
  displayName?: string;
  /** Digest user name when it differs from the user part of `uri`. Default: that user part. */
  authorizationUsername?: string;
  /** Seconds a registration lasts before it is refreshed. Default 300; 30–86 400. */
  registerExpires?: number;
  /** DTMF through the media (RFC 4733, falling back to SIP INFO where the sender cannot) or SIP INFO. Default `'rfc4733'`. */
  dtmfTransport?: DtmfTransport;
  /** @deprecated Use the client's `reconnect.attempts` (the same for every provider); still read, with a logged warning. */
  reconnectionAttempts?: number;
  /** Upper bound for one ICE gathering, in ms. Default 2 000; 100–60 000. */
  iceGatheringTimeoutMs?: number;
  /**
   * An OPTIONS keep-alive every this many ms while connected: a dead connection (frozen server,
   * black-holed path) is noticed within 2 × this. Default 15 000; 0 (off) or 1 000–600 000.
   */
  keepAliveIntervalMs?: number;
}

/** `client.vendor` and `call.vendor` of this provider (outside the stability promise). */
export interface SipjsVendor {
  client: UserAgent;
  call: Session;
}

export type SipjsDefinition = ProviderDefinitionV1<SipjsOptions, 'sipjs', SipjsConfig, SipjsVendor>;

// The definition in provider.ts is typed loosely (name: string); this gives it its name and config types.
/**
 * The SIP.js provider (vendor SDK `sip.js`, loaded when the client connects). Hand it over:
 * `createVoiceClient('sipjs:wss://pbx.example.com/ws?uri=sip:alice@example.com', { providers: [sipjs] })`.
 */
export const sipjs = { ...provider, credentialTypes: ['password', 'anonymous'] } as unknown as SipjsDefinition;
export { sipjs as provider };
