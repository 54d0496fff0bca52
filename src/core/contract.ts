/**
 * VoiceProviderV1: the one contract a provider implements. The core owns behaviour (state
 * machines, ordering, de-duplication, timeouts, error wrapping, redaction); a provider only
 * translates its vendor SDK onto these calls and reports what happened through the sinks.
 */
import type { VoiceError } from './errors.js';
import type { CallEndReason } from './events.js';
import type { AgentCallSink, AgentCapabilities, AgentProviderCall } from './agent/types.js';

export type Credentials =
  | { type: 'anonymous'; displayName?: string; targetType?: string; targetId?: string; targetParams?: Record<string, string> }
  | { type: 'password'; username?: string; login?: string; password: string }
  | { type: 'jwt'; token: string }
  | { type: 'accessToken'; userId: string; accessToken: string };

export interface ProviderCapabilities extends AgentCapabilities {
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
  /** The session has one natural destination (Cognigy's agent), dialled by `call()` without a target. */
  defaultTarget?: boolean;
  /** The microphone can be chosen, and switched mid-call without renegotiation (`setInput`). */
  inputSelection?: boolean;
  /** The speaker can be chosen: set by the core where the browser has `setSinkId`. */
  outputSelection?: boolean;
  /**
   * The session can hold more than one call at once (call waiting, a consultation call). Absent
   * means false: a second call is refused busy / INVALID_STATE whatever `maxCalls` says.
   */
  multipleCalls?: boolean;
  /** `call.transfer()`: blind (a target) and attended (another call). Absent means false. */
  transfer?: boolean;
  /** Calls yield quality samples and warnings (the provider's getStats() reaches the media). */
  quality?: boolean;
  /** A lost media path is restored by the provider (`restartMedia`, e.g. an ICE restart). */
  mediaReconnect?: boolean;
  /**
   * The vendor SDK takes a microphone stream opened ahead (`client.prepare()`), handed in as
   * `ProviderCallOptions.stream`. Absent means false: `prepare()` still asks for the microphone
   * (the permission), then stops the track at once, and the SDK opens its own at call time.
   */
  preparedMicrophone?: boolean;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface ProviderSink {
  /** The registration came back after a loss (the first one is the core's to report). */
  registered(): void;
  unregistered(): void;
  /**
   * The connection dropped. The core's reconnection policy (config `reconnect`) takes over: it
   * calls `reconnect()` for each try, or, for a provider without it, waits for its vendor SDK to
   * restore the connection by itself (`connectionRestored`) within the policy's bounds.
   */
  connectionLost(error?: VoiceError): void;
  /** The vendor SDK restored a lost connection by itself (providers without `reconnect()`). */
  connectionRestored(): void;
  /**
   * One reconnection try the vendor SDK made by itself failed: the core counts it against
   * `reconnect.attempts` (providers without `reconnect()`; with it, the try's rejection says so).
   */
  reconnectTryFailed(error?: unknown): void;
  /** The provider gave up on the connection by itself (a refused login, the server ended the session). */
  connectionFailed(error: VoiceError): void;
  /**
   * A call came in. The core builds the call's handle and sink first, then calls `create(sink)`
   * once, at once: the provider makes its ProviderCall there and wires the vendor's events to that
   * sink, so no report can come before the core listens (and no provider keeps a replay buffer).
   * Returns what `create` returned. A call the core refuses (no room: busy) is still created, then
   * rejected 486 through its `reject`.
   */
  incomingCall<C extends ProviderCall>(info: { from: string; displayName?: string; replaces?: ProviderCall }, create: (sink: CallSink) => C): C;
  tokenWillExpire(info: { expiresAt?: number }): void;
  /** Failover moved to the next configured provider (reported by the core's failover, not vendors). */
  providerChanged(info: { from: string; to: string }): void;
  /** A failure outside any method call, that does not end the connection. */
  error(error: VoiceError): void;
  log(level: LogLevel, message: string, data?: Record<string, unknown>): void;
}

export interface CallSink extends AgentCallSink {
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
  /**
   * The far end asked this side to call `target` (an incoming REFER). The core calls `place` with
   * the new call's sink; the provider then places the call and returns it.
   */
  referred?(target: string, place: (sink: CallSink) => Promise<ProviderCall>): void;
}

export interface ProviderCallOptions {
  iceServers: RTCIceServer[] | undefined;
  /** The chosen microphone's constraints; absent: the default microphone. */
  audio?: MediaTrackConstraints;
  /**
   * A microphone the core opened ahead (`client.prepare()`) for `audio`: the vendor SDK sends it
   * instead of opening its own. Given only where `capabilities.preparedMicrophone`; the core
   * stops its tracks when the call ends (the provider need not).
   */
  stream?: MediaStream;
}

export interface ProviderCall extends AgentProviderCall {
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
  /** The vendor SDK's own call object, handed to the app as `call.vendor`. */
  readonly vendor?: unknown;
  /** Replaces the microphone with one matching `audio` mid-call, without renegotiation. */
  setInput?(audio: MediaTrackConstraints): Promise<void>;
  /** The call's RTCPeerConnection where the vendor exposes it (the core watches the microphone's track). */
  peerConnection?(): RTCPeerConnection | undefined;
  /**
   * Hands the far end to `target` (blind: a SIP URI) or to the far end of `replaces` (attended:
   * REFER with Replaces). Resolves once the transfer target accepted (NOTIFY 2xx), rejects with a
   * VoiceError naming why not.
   */
  transfer?(target: string | ProviderCall): Promise<void>;
  /** Restores a lost media path (ICE restart); the core calls it while the call is reconnecting. */
  restartMedia?(): Promise<void>;
}

export interface ConnectResult {
  /** The session holds a registration (SIP REGISTER, Telnyx REGED, Sendbird socket). */
  registered: boolean;
  /** The address this session is known by, where the provider chose it (a generated SIP AOR). */
  identity?: string;
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
  /**
   * `target` is undefined only when `capabilities.defaultTarget` is true: dial the session's own
   * destination. `sink` is bound already: the provider reports to it from the moment it has a
   * vendor call (a fast 180 included), and keeps no reports back. An end reported before `call()`
   * resolves waits in the core: if `call()` then rejects, the call ends with that error instead.
   */
  call(target: string | undefined, options: ProviderCallOptions, sink: CallSink, signal: AbortSignal): Promise<ProviderCall>;
  refreshToken(credentials: Credentials | string | undefined, signal: AbortSignal): Promise<void>;
  /**
   * One try at restoring a connection reported lost (socket, then registration): resolves once the
   * session can place and take calls again, rejects when this try failed (AUTH_REJECTED ends the
   * tries). The core decides when each try runs and when to give up; `signal` aborts a try the
   * core no longer waits for. Absent: the vendor SDK reconnects by itself, and the provider
   * reports `connectionRestored` / `reconnectTryFailed`.
   */
  reconnect?(signal: AbortSignal): Promise<void>;
  /**
   * The vendor SDK's own session object (sip.js UserAgent, JsSIP UA, TelnyxRTC, SendBirdCall),
   * handed to the app as `client.vendor`; undefined before the SDK is loaded.
   */
  readonly vendor?: unknown;
}

/** Types only: what `client.vendor` and `call.vendor` hold for a provider. */
export interface VendorObjects {
  client: unknown;
  call: unknown;
}

/** Where a provider registers the secrets it handles (passwords, tokens, generated keys). */
export interface SecretRegistry {
  /** The core masks `secret` (and its URL- and JSON-escaped forms) everywhere text leaves polyphone. */
  add(secret: unknown): void;
}

/** What a provider module receives besides its own options. */
export interface ProviderContext {
  sink: ProviderSink;
  /** Register every secret the provider handles, so the core can mask it everywhere. */
  redactor: SecretRegistry;
  /** Client-wide ICE servers (Cognigy calls them pcConfig). */
  iceServers: RTCIceServer[] | undefined;
  /** When to send a local description while gathering goes on; apply it through the vendor's hook (src/core/ice-policy.ts). */
  icePolicy?: IcePolicy;
  /**
   * The client's reconnection policy, which the core applies; a provider whose vendor SDK
   * reconnects by itself configures it from this (e.g. its own try limit). Absent: the defaults.
   */
  reconnect?: ReconnectPolicy;
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

/**
 * A provider as the app hands it to `createVoiceClient(config, { providers })`.
 * `Name` is the word config strings and `provider:` fields choose it by; `Config` the options of
 * its object config (typed, so a misspelt option fails to compile).
 */
export interface ProviderDefinitionV1<
  Options = unknown,
  Name extends string = string,
  Config extends object = Record<string, unknown>,
  Vendor extends VendorObjects = VendorObjects,
> {
  readonly specificationVersion: 'v1';
  readonly name: Name;
  /** Types only, never present at run time: what an object config of this provider holds. */
  readonly types?: { config: Config; vendor: Vendor };
  /** Throws VoiceError('CONFIG_INVALID') naming the field. Makes no request. */
  parseOptions(input: ProviderConfigInput): Options;
  create(options: Options, context: ProviderContext): VoiceProviderV1;
  /**
   * The credential types the provider takes: the core refuses any other (UNSUPPORTED) before
   * anything reaches the network. Absent: the provider checks for itself.
   */
  readonly credentialTypes?: readonly Credentials['type'][];
  /** Credentials used when the app connects without calling `authenticate`. */
  defaultCredentials?(options: Options): Credentials | undefined;
}

export interface IcePolicy {
  /** How long after the first server-reflexive or relay candidate the others may still come (ms). Default 150. */
  settleMs: number;
  /** The longest a local description waits for candidates, from the start of gathering (ms). Default 2000. */
  capMs: number;
}

/**
 * The client's reconnection policy (config `reconnect`, every field optional there), the same for
 * every provider. The core applies it (src/core/reconnect.ts); it is in the contract so a provider
 * whose vendor SDK reconnects by itself can configure the SDK from it.
 */
export interface ReconnectPolicy {
  /**
   * Failed tries before the client gives up (`disconnected`, NETWORK_UNREACHABLE). Default 5;
   * 0 turns reconnection off (the first loss ends the session). 0 … 100.
   */
  readonly attempts: number;
  /**
   * The longest the client stays `reconnecting`, from the loss, whatever the tries: then it gives
   * up the same way. Default 60 000 ms.
   */
  readonly deadlineMs: number;
  /**
   * Try 1 runs at once (the server may only have dropped the socket); try k ≥ 2 waits
   * min(maxDelayMs, baseDelayMs × 2^(k−2) × j), j uniform in [1, 2), so that the clients one
   * server restart dropped do not all come back in the same millisecond. Default 500 ms. Vendor
   * SDKs that reconnect by themselves (JsSIP, @telnyx/webrtc, sendbird-calls) keep their own waits.
   */
  readonly baseDelayMs: number;
  /** The longest wait between two tries. Default 8 000 ms. */
  readonly maxDelayMs: number;
}
