/**
 * The types of an object config: a union keyed by `provider`, made from the providers the app
 * handed over, so a misspelt provider name or option fails to compile.
 */
import type { Logger, Timeouts } from './config.js';
import type { Credentials, ProviderDefinitionV1, VendorObjects } from './contract.js';
import type { ReconnectOptions } from './reconnect-policy.js';

// `any` options: a definition's `parseOptions`/`create` pair is opaque to the app.
export type AnyProviderDefinition = ProviderDefinitionV1<any, string, any, any>;

/** Fields every object config has, whatever its provider. */
export interface CommonConfig {
  /** The provider's locator: a SIP WebSocket URL, a Cognigy endpoint URL, a Sendbird app id… */
  server?: string;
  /** Used when the app connects without calling `authenticate()`. */
  credentials?: Credentials;
  /** STUN/TURN servers for every call of this client; each call may override them. */
  iceServers?: RTCIceServer[];
  timeouts?: Timeouts;
  /** When a lost connection is tried again and when the client gives up: the same for every provider (README "Reconnection"). */
  reconnect?: ReconnectOptions;
  /** Receives the client's log, secrets masked. */
  logger?: Logger;
}

/** The object config of one provider definition. */
export type ConfigOfProvider<D> =
  D extends ProviderDefinitionV1<any, infer Name, infer Config> ? Omit<CommonConfig, keyof Config> & { provider: Name } & Config : never;

/** The vendor objects of one provider definition. */
export type VendorOf<D> = D extends ProviderDefinitionV1<any, any, any, infer Vendor> ? Vendor : never;

/** What `client.vendor` and `call.vendor` may hold, given the providers handed over. */
export type VendorOfProviders<P extends readonly AnyProviderDefinition[]> = [P[number]] extends [never] ? VendorObjects : VendorOf<P[number]>;

/** An object config that carries its provider definition itself (no `providers` needed). */
export type DefinitionConfig = CommonConfig & { provider: AnyProviderDefinition; [option: string]: unknown };

/**
 * A config for `createVoiceClient` given these providers: a config string
 * (`"sipjs:wss://pbx.example.com/ws?uri=sip:alice@example.com"`, checked at run time), an
 * object whose `provider` names one of them, or an object carrying a definition.
 */
export type VoiceConfig<P extends readonly AnyProviderDefinition[] = readonly []> = string | ConfigOfProvider<P[number]> | DefinitionConfig;
