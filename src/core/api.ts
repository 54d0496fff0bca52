/**
 * The public interfaces of the client and the call: what an app is written against. The classes
 * that implement them stay inside polyphone.
 */
import type { Handler } from './emitter.js';
import type { Credentials, ProviderCapabilities, VendorObjects } from './contract.js';
import type { CallEndReason, CallEvents, ClientEvents } from './events.js';
import type { CallState, ClientState } from './states.js';
import type { TraceEntry } from './trace.js';
import type { AgentData, TranscriptEntry } from './agent/types.js';
import type { Devices } from './devices/devices.js';
import type { QualitySample } from './quality/index.js';

export type CallDirection = 'outgoing' | 'incoming';

export interface CallOptions {
  /** Where the remote audio is played; polyphone sets its srcObject and calls play(). */
  audioElement?: HTMLMediaElement;
  /** ICE servers for this call, overriding the client's. */
  iceServers?: RTCIceServer[];
  /** Ends the call `unanswered` if nobody answers within this time (default from the client). */
  ringTimeoutMs?: number;
}

/**
 * One call, the same handle for every vendor. Its state machine is the core's (states.ts), so a
 * vendor that reports an end twice, or not at all, still yields exactly one `ended`.
 */
export interface Call<VendorCall = unknown> {
  readonly direction: CallDirection;
  /** The other party: a SIP URI, a phone number or a vendor user id. */
  readonly peer: string;
  readonly displayName: string | undefined;
  /** Unique within its client: the `#n` of the trace. */
  readonly id: number;
  readonly state: CallState;
  readonly muted: boolean;
  readonly remoteStream: MediaStream | undefined;
  readonly endReason: CallEndReason | undefined;
  /** The conversation with the AI agent so far (empty where the call has no agent transcript). */
  readonly transcript: readonly TranscriptEntry[];
  /**
   * The vendor SDK's own call object (sip.js Session, JsSIP RTCSession, Telnyx Call, Sendbird
   * DirectCall), for what polyphone does not cover. **Outside the stability promise**: its type
   * and behaviour are the vendor SDK's and change with it; acting on it behind polyphone's back
   * (ending, holding) can leave the call's state out of step. Undefined until the vendor made it.
   */
  readonly vendor: VendorCall | undefined;
  /** The latest quality sample (one a second while established), where the provider reaches the media. */
  readonly quality: QualitySample | undefined;
  /** Resolves with the `ended` event, whenever it comes. */
  readonly ended: Promise<CallEvents['ended']>;
  on<K extends keyof CallEvents>(type: K, handler: Handler<CallEvents[K]>): () => void;
  off<K extends keyof CallEvents>(type: K, handler: Handler<CallEvents[K]>): void;
  /** An incoming call, while it rings. */
  answer(options?: Pick<CallOptions, 'iceServers' | 'audioElement'>): Promise<void>;
  /** An incoming call, while it rings; `status` 486 ends it `busy`. */
  reject(options?: { status?: number }): Promise<void>;
  /** Ends the call in whatever state: cancels, rejects or hangs up. Calling it again is a no-op. */
  hangup(): Promise<void>;
  mute(): Promise<void>;
  unmute(): Promise<void>;
  hold(): Promise<void>;
  unhold(): Promise<void>;
  /** 1–64 of 0-9, A-D, *, # and "," (a pause). */
  sendDtmf(digits: string): Promise<void>;
  /** Sends a typed message (and optional JSON data) to the AI agent on the far end. */
  sendText(text: string, data?: AgentData): Promise<void>;
  /**
   * Hands the far end to `target` (blind transfer: a SIP URI or user) or to the far end of
   * `target` when it is another of this client's calls (attended transfer). Resolves once the
   * target took the call (`transferred`); this call, and the other call, then end `transferred`.
   * Where the vendor cannot transfer: UNSUPPORTED (`capabilities.transfer`).
   */
  transfer(target: string | Call): Promise<void>;
  /** The RTCPeerConnection's stats, where the vendor exposes the connection. */
  getStats(): Promise<RTCStatsReport | undefined>;
  /**
   * Starts the remote audio the browser refused to play (`audioBlocked`); call it from a user
   * gesture (a click). Rejects MEDIA_DENIED if the browser still refuses.
   */
  resumeAudio(): Promise<void>;
}

export interface ConnectOptions {
  signal?: AbortSignal;
  /** Overrides the client's connect timeout for this attempt. */
  timeoutMs?: number;
}

/** What `client.prepare()` does ahead of the first call. */
export interface PrepareOptions extends ConnectOptions {
  /**
   * How long the prepared microphone waits for a call before polyphone releases it (ms, default
   * 30 000). A call placed or answered within it takes the microphone; after it, the track is
   * stopped and the next call opens its own.
   */
  holdMicrophoneMs?: number;
  /** Opens the microphone ahead (default true); false: only loads the SDK and connects. */
  microphone?: boolean;
}

/** What `client.prepare()` made ready. */
export interface PrepareResult {
  /**
   * A microphone track is held for the next call (until it is taken, `client.release()` or the
   * bound). False where the microphone was not asked for, or the vendor SDK cannot take a stream
   * (`capabilities.preparedMicrophone` false): the permission was then asked and the track
   * stopped at once.
   */
  microphoneHeld: boolean;
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
  /**
   * A warm start: loads the vendor SDK, connects (where not connected) and opens the microphone
   * of `devices` (the chosen input) at the same time, so the next `call()` or `answer()` pays for
   * none of them and sends the prepared track (the call then owns it and stops it when it ends).
   * Rejects with connect()'s errors, or MEDIA_DENIED where the browser refuses the microphone
   * (the session stays connected). Calling it again renews the bound and keeps the track held.
   */
  prepare(options?: PrepareOptions): Promise<PrepareResult>;
  /** Stops the microphone `prepare()` holds, if no call took it yet. No-op otherwise; never throws. */
  release(): void;
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
