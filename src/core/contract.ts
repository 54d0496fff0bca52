/**
 * VoiceProviderV1: the one contract a provider implements. The core owns behaviour (state
 * machines, ordering, de-duplication, timeouts, error wrapping, redaction); a provider only
 * translates its vendor SDK onto these calls and reports what happened through the sinks.
 */
import type { VoiceError } from './errors.js';
import type { CallEndReason } from './events.js';
import type { Redactor } from './redact.js';

export type Credentials =
  | { type: 'anonymous'; displayName?: string; targetType?: string; targetId?: string; targetParams?: Record<string, string> }
  | { type: 'password'; username?: string; login?: string; password: string }
  | { type: 'jwt'; token: string }
  | { type: 'accessToken'; userId: string; accessToken: string };

export interface ProviderCapabilities {
  /** The session can receive calls. */
  incomingCalls: boolean;
  mute: boolean;
  hold: boolean;
  /**
   * When the far end puts the call on hold, this side learns of it (`held`/`unheld` with
   * `by: 'remote'`). A UI shows "the other party put you on hold" only where this is true; a
   * vendor whose signalling never tells the held party (Telnyx) must say false here.
   */
  remoteHold: boolean;
  /** The session can send DTMF digits. */
  dtmf: boolean;
  /** Digits sent by the far end surface as `dtmf` events. */
  receiveDtmf: boolean;
  /** `refreshToken` renews the session's credentials without a new connection. */
  tokenRefresh: boolean;
  /** The session can run without user credentials. */
  anonymous: boolean;
  /** Calls yield quality samples and warnings (the provider's getStats() reaches the media). */
  quality?: boolean;
  /** A lost media path is restored by the provider (`restartMedia`, e.g. an ICE restart). */
  mediaReconnect?: boolean;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface ProviderSink {
  /** The registration came back after a loss (the first one is the core's to report). */
  registered(): void;
  unregistered(): void;
  /** The connection dropped and the provider is trying to restore it. */
  connectionLost(error?: VoiceError): void;
  connectionRestored(): void;
  /** The provider gave up on the connection. */
  connectionFailed(error: VoiceError): void;
  /** Returns the sink the provider reports that call's progress to. */
  incomingCall(info: { from: string; displayName?: string }, call: ProviderCall): CallSink;
  tokenWillExpire(info: { expiresAt?: number }): void;
  /** Failover moved to the next configured provider (reported by the core's failover, not vendors). */
  providerChanged(info: { from: string; to: string }): void;
  /** A failure outside any method call, that does not end the connection. */
  error(error: VoiceError): void;
  log(level: LogLevel, message: string, data?: Record<string, unknown>): void;
}

export interface CallSink {
  /** The far end is alerting (SIP 180, Telnyx ringing, Sendbird dial received). */
  ringing(): void;
  /** The call is established: media may flow. */
  active(): void;
  remoteStream(stream: MediaStream): void;
  /** The far end put the call on hold or took it off. */
  held(): void;
  unheld(): void;
  dtmf(digit: string): void;
  ended(reason: CallEndReason, error?: VoiceError): void;
  error(error: VoiceError): void;
}

export interface ProviderCallOptions {
  iceServers: RTCIceServer[] | undefined;
  /** Headers or metadata the app wants to pass through where the vendor has such a thing. */
  extraHeaders?: string[];
}

export interface ProviderCall {
  /** Ends the call whatever its state: cancel before answer, reject while ringing in, bye after. */
  hangup(): Promise<void>;
  answer?(options: ProviderCallOptions): Promise<void>;
  reject?(options: { status?: number }): Promise<void>;
  mute?(): Promise<void>;
  unmute?(): Promise<void>;
  hold?(): Promise<void>;
  unhold?(): Promise<void>;
  sendDtmf?(digits: string): Promise<void>;
  /** The RTCPeerConnection's stats, where the vendor exposes the connection. */
  getStats?(): Promise<RTCStatsReport | undefined>;
  /** Restores a lost media path (ICE restart); the core calls it while the call is reconnecting. */
  restartMedia?(): Promise<void>;
}

export interface ConnectResult {
  /** The session holds a registration (SIP REGISTER, Telnyx REGED, Sendbird socket). */
  registered: boolean;
}

export interface VoiceProviderV1 {
  readonly specificationVersion: 'v1';
  readonly name: string;
  /** May change after `authenticate` (an anonymous session takes no calls). */
  readonly capabilities: ProviderCapabilities;
  /** Loads the vendor SDK and checks the environment. No network. */
  init(signal: AbortSignal): Promise<void>;
  /** Takes credentials; a vendor whose login is a REST request makes it here. */
  authenticate(credentials: Credentials, signal: AbortSignal): Promise<void>;
  /** Resolves once the session can place calls (registered / ready). */
  connect(signal: AbortSignal): Promise<ConnectResult>;
  /** Leaves nothing running: no socket, timer or registration. Never rejects. */
  disconnect(): Promise<void>;
  call(target: string, options: ProviderCallOptions, sink: CallSink, signal: AbortSignal): Promise<ProviderCall>;
  refreshToken(credentials: Credentials | string | undefined, signal: AbortSignal): Promise<void>;
}

/** What a provider module receives besides its own options. */
export interface ProviderContext {
  sink: ProviderSink;
  /** Register every secret the provider handles, so the core can mask it everywhere. */
  redactor: Redactor;
  /** Client-wide ICE servers (Cognigy calls them pcConfig). */
  iceServers: RTCIceServer[] | undefined;
}

/** What `createVoiceClient` hands a provider to parse: the string form's parts, or the object. */
export interface ProviderConfigInput {
  /** The part of a config string after `name:` and before `?`, or `server` of an object config. */
  locator: string | undefined;
  /** Query parameters of a config string, or the object's remaining fields. */
  params: Record<string, unknown>;
  /** True when the config came as a string (where secrets must not travel). */
  fromString: boolean;
  /** Credentials given in the config, so a provider can check they fit its other options. */
  credentials: Credentials | undefined;
}

export interface ProviderDefinitionV1<Options = unknown> {
  readonly specificationVersion: 'v1';
  readonly name: string;
  /** Throws VoiceError('CONFIG_INVALID') naming the field. Makes no request. */
  parseOptions(input: ProviderConfigInput): Options;
  create(options: Options, context: ProviderContext): VoiceProviderV1;
  /** Credentials used when the app connects without calling `authenticate`. */
  defaultCredentials?(options: Options): Credentials | undefined;
}
