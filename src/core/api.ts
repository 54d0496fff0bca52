/**
 * The public interfaces of the client and the call: what an app is written against. The classes
 * that implement them stay inside polyphone.
 */
import type { Handler } from './emitter.js';
import type { Call, CallOptions } from './call.js';
import type { Credentials, ProviderCapabilities, VendorObjects } from './contract.js';
import type { ClientEvents } from './events.js';
import type { ClientState } from './states.js';
import type { TraceEntry } from './trace.js';
import type { Devices } from './devices/devices.js';

export interface ConnectOptions {
  signal?: AbortSignal;
  /** Overrides the client's connect timeout for this attempt. */
  timeoutMs?: number;
}

/** The one API a call UI is written against, whatever the vendor. */
export interface VoiceClient<Vendor extends VendorObjects = VendorObjects> {
  readonly provider: string;
  /**
   * The vendor SDK's own session object (sip.js UserAgent, JsSIP UA, TelnyxRTC, the SendBirdCall
   * module), for what polyphone does not cover. **Outside the stability promise**: its type and
   * behaviour are the vendor SDK's and change with it; acting on it behind polyphone's back can
   * leave the client's state out of step. Undefined until the SDK is loaded (or connected).
   */
  readonly vendor: Vendor['client'] | undefined;
  readonly state: ClientState;
  readonly capabilities: ProviderCapabilities;
  /** The call in progress that opened last, if any. */
  readonly currentCall: Call<Vendor['call']> | undefined;
  /** Every live call, oldest first (several with `maxCalls` > 1 where `capabilities.multipleCalls`). */
  readonly calls: readonly Call<Vendor['call']>[];
  /** The address the session is known by, once connected, where the provider chose it (Cognigy's generated user). */
  readonly identity: string | undefined;
  /** Microphones and speakers: list, choose (before or during a call), learn of changes. */
  readonly devices: Devices;
  /** Loads the vendor SDK. `connect` runs it when the app has not. */
  init(): Promise<void>;
  /** Takes credentials (or those of the config); `connect` runs it when the app has not. */
  authenticate(credentials?: Credentials): Promise<void>;
  /**
   * Resolves when registered / ready; bounded by `timeouts.connectMs` (or `timeoutMs`) whatever
   * the server does; cancelled by `signal` at once. A failed attempt's teardown is bounded too
   * (TEARDOWN_MS) and goes on in the background if the server does not answer.
   */
  connect(options?: ConnectOptions): Promise<void>;
  /**
   * Resolves within TEARDOWN_MS (3 s) whatever the server does (a call in progress is hung up
   * first); what the server has not answered by then goes on in the background. A `connect()`
   * made meanwhile starts after this teardown.
   */
  disconnect(): Promise<void>;
  /** Without a target, dials the session's natural destination where `capabilities.defaultTarget` says there is one. */
  call(target?: string, options?: CallOptions): Promise<Call<Vendor['call']>>;
  /** `connect` (where needed) then `call`, like Cognigy's `connectAndCall`. */
  connectAndCall(target?: string, options?: CallOptions & ConnectOptions): Promise<Call<Vendor['call']>>;
  /** Ends the current call; no-op without one. */
  hangup(): Promise<void>;
  /** A new token or password (or, for Cognigy, nothing: a fresh config is fetched). */
  refreshToken(credentials?: Credentials | string): Promise<void>;
  on<K extends keyof ClientEvents>(type: K, handler: Handler<ClientEvents<Vendor['call']>[K]>): () => void;
  off<K extends keyof ClientEvents>(type: K, handler: Handler<ClientEvents<Vendor['call']>[K]>): void;
  /** The normalised, secret-free event log of this client, for support tickets and comparisons. */
  trace(): TraceEntry[];
}
