import type { Call, TelnyxRTC } from '@telnyx/webrtc';
import type { Credentials, ProviderDefinitionV1 } from '../../core/contract.js';
import { provider } from './provider.js';
import type { TelnyxOptions } from './options.js';

export type { TelnyxOptions } from './options.js';

/** The object config of the Telnyx provider (`{ provider: 'telnyx', … }`). */
export interface TelnyxConfig {
  /** The Verto WebSocket host, `ws://` or `wss://`. Default `wss://rtc.telnyx.com`. */
  server?: string;
  /** A JWT (`login_token`), SIP connection login and password, or anonymous (AI assistants). */
  credentials?: Extract<Credentials, { type: 'jwt' } | { type: 'password' } | { type: 'anonymous' }>;
  /** @deprecated Use the client's `reconnect.attempts` (the same for every provider); still read, with a logged warning. */
  reconnectAttempts?: number;
  /** Caller id name sent with outgoing calls, where the account allows choosing it. Default: the account's. */
  callerName?: string;
  /** Caller id number sent with outgoing calls, where the account allows choosing it. Default: the account's. */
  callerNumber?: string;
  /** How often a ping checks the server still answers; a dead connection is noticed within twice this. Default 15 000; 0 (off) or 1 000–600 000. */
  keepAliveIntervalMs?: number;
}

/** `client.vendor` and `call.vendor` of this provider (outside the stability promise). */
export interface TelnyxVendor {
  client: TelnyxRTC;
  call: Call;
}

export type TelnyxDefinition = ProviderDefinitionV1<TelnyxOptions, 'telnyx', TelnyxConfig, TelnyxVendor>;

// The definition in provider.ts is typed loosely (name: string); this gives it its name and config types.
/**
 * The Telnyx provider (vendor SDK `@telnyx/webrtc`, loaded when the client connects):
 * `createVoiceClient('telnyx', { providers: [telnyx] })`.
 */
export const telnyx = { ...provider, credentialTypes: ['jwt', 'password', 'anonymous'] } as unknown as TelnyxDefinition;
export { telnyx as provider };
