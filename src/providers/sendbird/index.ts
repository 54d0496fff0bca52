import type { DirectCall } from 'sendbird-calls';
import type { Credentials, ProviderDefinitionV1 } from '../../core/contract.js';
import { provider } from './provider.js';
import type { SendbirdOptions } from './options.js';

export type { SendbirdOptions } from './options.js';

/** The object config of the Sendbird Calls provider (`{ provider: 'sendbird', server: APP_ID, … }`). */
export interface SendbirdConfig {
  /** The Sendbird application id. Required. */
  server: string;
  /** The user id and its access token (a session token). */
  credentials?: Extract<Credentials, { type: 'accessToken' }>;
  /** REST origin. Default: Sendbird's own, `https://api-<APP_ID>.calls.sendbird.com`. */
  apiHost?: string;
  /** WebSocket origin. Default: Sendbird's own, `wss://ws-<APP_ID>.calls.sendbird.com`. */
  wsHost?: string;
  /** Upper bound for the REST login, in ms. Default 15 000; 100–600 000. */
  loginTimeoutMs?: number;
  /** @deprecated Use the client's `reconnect.deadlineMs` (the same for every provider); still read, with a logged warning. */
  reconnectTimeoutMs?: number;
  /** How long an answered call may take to connect its media before it fails CALL_FAILED, in ms. Default 60 000 (the SDK's own); 1 000–600 000. */
  callConnectionTimeoutMs?: number;
}

/** `client.vendor` and `call.vendor` of this provider (outside the stability promise). */
export interface SendbirdVendor {
  /** The sendbird-calls module (`SendBirdCall`). */
  client: typeof import('sendbird-calls');
  call: DirectCall;
}

export type SendbirdDefinition = ProviderDefinitionV1<SendbirdOptions, 'sendbird', SendbirdConfig, SendbirdVendor>;

// The definition in provider.ts is typed loosely (name: string); this gives it its name and config types.
/**
 * The Sendbird Calls provider (vendor SDK `sendbird-calls`, loaded when the client connects):
 * `createVoiceClient('sendbird:APP_ID', { providers: [sendbird] })`.
 */
export const sendbird = { ...provider, credentialTypes: ['accessToken'] } as unknown as SendbirdDefinition;
export { sendbird as provider };
