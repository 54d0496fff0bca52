import { createEmitter, type Emitter, type Handler } from './emitter.js';
import { Call, type CallOptions } from './call.js';
import { CallRegistry, followReferral, takeOverReplaced } from './calls.js';
import { timeoutArgument, type ParsedConfig } from './config.js';
import type { Credentials, LogLevel, ProviderCallOptions, ProviderCapabilities, ProviderDefinitionV1, ProviderSink, VendorObjects, VoiceProviderV1 } from './contract.js';
import { VoiceError, describeCause, isVoiceError, type VoiceErrorCode } from './errors.js';
import type { ClientEvents, ClientState } from './events.js';
import { Redactor, credentialSecrets } from './redact.js';
import { bounded, deadline } from './runtime.js';
import { TraceRecorder, errorData, type TraceEntry } from './trace.js';
import { AGENT_CAPABILITIES_NONE } from './agent/types.js';
import { Devices, canSelectOutput } from './devices/devices.js';

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

/**
 * How long disconnect() (and the teardown of a failed connect) may take: an unREGISTER and a
 * WebSocket close handshake to a hung server would otherwise take a minute.
 */
export const TEARDOWN_MS = 3_000;
/**
 * How long a cancelled or timed-out connect() waits for its teardown before it rejects (the rest
 * goes on in the background; the next connect() waits for it within its own bound).
 */
const CANCELLED_TEARDOWN_MS = 200;

/** An incoming caller's display name and address are cut to these lengths (they are the caller's text). */
const MAX_CALLER_NAME_LENGTH = 128;
const MAX_PEER_LENGTH = 1_024;

const CAPABILITIES_NONE: ProviderCapabilities = {
  incomingCalls: false,
  mute: false,
  hold: false,
  remoteHold: false,
  dtmf: false,
  receiveDtmf: false,
  tokenRefresh: false,
  anonymous: false,
  ...AGENT_CAPABILITIES_NONE,
};

export class DefaultVoiceClient implements VoiceClient {
  private _state: ClientState = 'idle';
  private readonly emitter: Emitter<ClientEvents> = createEmitter<ClientEvents>((type, error) => this.handlerFailed(`client ${String(type)}`, error));
  private readonly redactor = new Redactor();
  private readonly recorder = new TraceRecorder();
  private readonly impl: VoiceProviderV1;
  private initPromise: Promise<void> | undefined;
  private credentials: Credentials | undefined;
  private registered = false;
  private connectAbort: AbortController | undefined;
  /** Settles once the connect() under way has finished, teardown of a failed attempt included. */
  private connectSettled: Promise<void> | undefined;
  /** The disconnect() under way: a second one joins it, a connect() waits for it. */
  private teardown: Promise<void> | undefined;
  /** The provider's last disconnect(), possibly still running in the background. */
  private providerStopping: Promise<void> = Promise.resolve();
  private readonly liveCalls: CallRegistry;
  private callCount = 0;
  private _identity: string | undefined;
  private readonly lifetime = new AbortController();
  readonly devices: Devices;

  constructor(
    definition: ProviderDefinitionV1<any>,
    private readonly config: ParsedConfig,
  ) {
    this.credentials = config.credentials;
    this.liveCalls = new CallRegistry(config.maxCalls, () => this.impl.capabilities, () => this.provider, (calls) => this.announceCalls(calls));
    this.devices = new Devices(definition.name, () => this.liveCalls.latest(), this.recorder, (event, error) => this.handlerFailed(`devices ${event}`, error));
    for (const secret of credentialSecrets(config.credentials)) this.redactor.add(secret);
    const options = definition.parseOptions(config.input);
    this.credentials ??= definition.defaultCredentials?.(options);
    this.impl = definition.create(options, { sink: this.providerSink(), redactor: this.redactor, iceServers: config.iceServers, icePolicy: config.icePolicy });
    if (this.impl.specificationVersion !== 'v1') {
      throw new VoiceError('CONFIG_INVALID', `The provider "${definition.name}" implements an unknown specification.`, { details: { field: 'provider' } });
    }
  }

  /** The provider in use (with failover, the one currently active). */
  get provider(): string {
    return this.impl.name;
  }
  get vendor(): unknown {
    return this.impl.vendor;
  }
  get state(): ClientState {
    return this._state;
  }
  get capabilities(): ProviderCapabilities {
    const outputSelection = canSelectOutput();
    return this._state === 'idle' ? { ...CAPABILITIES_NONE, ...this.impl.capabilities, outputSelection } : { ...AGENT_CAPABILITIES_NONE, ...this.impl.capabilities, outputSelection };
  }
  get currentCall(): Call | undefined {
    return this.liveCalls.latest();
  }
  get calls(): readonly Call[] {
    return this.liveCalls.list();
  }
  get identity(): string | undefined {
    return this._identity;
  }

  on<K extends keyof ClientEvents>(type: K, handler: Handler<ClientEvents[K]>): () => void {
    this.emitter.on(type, handler);
    return () => this.emitter.off(type, handler);
  }
  off<K extends keyof ClientEvents>(type: K, handler: Handler<ClientEvents[K]>): void {
    this.emitter.off(type, handler);
  }
  trace(): TraceEntry[] {
    return this.recorder.list();
  }

  init(): Promise<void> {
    this.initPromise ??= this.impl.init(this.lifetime.signal).then(
      () => {
        if (this._state === 'idle') this.setState('initialized');
      },
      (error: unknown) => {
        this.initPromise = undefined;
        throw this.wrap(error, 'INTERNAL');
      },
    );
    return this.initPromise;
  }

  async authenticate(credentials?: Credentials): Promise<void> {
    if (credentials !== undefined) this.checkCredentials(credentials);
    if (!['idle', 'initialized', 'authenticated', 'disconnected'].includes(this._state)) throw this.invalidState('authenticate');
    await this.init();
    const creds = credentials ?? this.credentials;
    if (!creds) {
      throw new VoiceError('CONFIG_INVALID', `The ${this.provider} provider needs credentials: pass them to authenticate() or in the config.`, {
        provider: this.provider,
        details: { field: 'credentials' },
      });
    }
    for (const secret of credentialSecrets(creds)) this.redactor.add(secret);
    await this.credentialStep('authenticate()', (signal) => this.impl.authenticate(creds, signal));
    this.credentials = creds;
    if (this._state === 'initialized' || this._state === 'disconnected') this.setState('authenticated');
  }

  async connect(options: ConnectOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs === undefined ? this.config.timeouts.connectMs : this.checked(() => timeoutArgument(options.timeoutMs, 'timeoutMs'));
    // Called during a disconnect(): the old session goes first, so the state matches the new one.
    if (this.teardown) await this.teardown;
    if (!['idle', 'initialized', 'authenticated', 'disconnected'].includes(this._state)) throw this.invalidState('connect');
    // Until the SDK is loaded the state is still idle/initialized; a second attempt must not slip
    // through and open a second session whose socket nobody would ever close.
    if (this.connectAbort) throw this.invalidState('connect', 'a connect() is already in progress');
    if (options.signal?.aborted) throw new VoiceError('ABORTED', 'connect() was aborted before it started.', { provider: this.provider });
    const abort = new AbortController();
    this.connectAbort = abort;
    let settle!: () => void;
    this.connectSettled = new Promise<void>((resolve) => (settle = resolve));
    const onUserAbort = () => abort.abort(new VoiceError('ABORTED', 'connect() was aborted.', { provider: this.provider }));
    options.signal?.addEventListener('abort', onUserAbort, { once: true });
    const deadlineAt = Date.now() + timeoutMs;
    const timer = setTimeout(
      () => abort.abort(new VoiceError('TIMEOUT', `connect() did not finish within ${timeoutMs} ms.`, { provider: this.provider, details: { timeoutMs } })),
      timeoutMs,
    );
    try {
      if (this._state === 'idle' || this._state === 'initialized') {
        await bounded(this.init(), { signal: abort.signal, what: 'init()', provider: this.provider });
        if (this._state === 'initialized') await bounded(this.authenticate(), { signal: abort.signal, what: 'authenticate()', provider: this.provider });
      }
      if (this._state === 'disconnected' && !this.credentials) throw this.invalidState('connect');
      this.setState('connecting');
      // A teardown the last attempt left running must be over before a new session starts.
      await bounded(this.providerStopping, { signal: abort.signal, what: 'the previous teardown', provider: this.provider });
      const result = await bounded(this.impl.connect(abort.signal), { signal: abort.signal, what: 'connect()', provider: this.provider });
      if (abort.signal.aborted) throw abort.signal.reason;
      this._identity = result.identity;
      if (result.registered && !this.registered) {
        this.registered = true;
        this.emit('registered', {});
      }
      this.setState('connected');
      this.devices.resume();
    } catch (error) {
      const wrapped = this.wrap(abort.signal.aborted ? abort.signal.reason : error, 'NETWORK_UNREACHABLE');
      // Nothing of a failed attempt may keep running (no socket, no retry timer), but a hung server
      // must not hold the app: the teardown is bounded and finishes in the background.
      const waitMs = abort.signal.aborted ? CANCELLED_TEARDOWN_MS : Math.min(TEARDOWN_MS, Math.max(CANCELLED_TEARDOWN_MS, deadlineAt - Date.now()));
      await this.teardownProvider(waitMs);
      if (this._state === 'connecting' || this._state === 'connected') this.setState('disconnected');
      throw wrapped;
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onUserAbort);
      if (this.connectAbort === abort) this.connectAbort = undefined;
      settle();
    }
  }

  disconnect(): Promise<void> {
    if (!this.teardown) {
      // Set before any state change, so that a connect() from a `stateChanged` handler waits.
      let release!: () => void;
      this.teardown = new Promise<void>((resolve) => (release = resolve));
      void this.tearDown().finally(() => {
        this.teardown = undefined;
        release();
      });
    }
    return this.teardown;
  }

  private async tearDown(): Promise<void> {
    // A connect() under way is cancelled whatever the state says (it may still be loading the SDK);
    // its own failure path tears the provider down within the bound. One that had already
    // succeeded (disconnect() from its `registered` handler) is torn down below.
    if (this.connectAbort) {
      const settled = this.connectSettled;
      this.connectAbort.abort(new VoiceError('ABORTED', 'connect() was cancelled by disconnect().', { provider: this.provider }));
      await settled;
    }
    if (this._state !== 'connected' && this._state !== 'reconnecting') return;
    const startedAt = Date.now();
    // The calls end before the client disconnects; a hangup the server does not answer is cut short.
    await Promise.all(
      this.liveCalls.list().map(async (call) => {
        await bounded(call.hangup(), { timeoutMs: TEARDOWN_MS, what: 'hangup()' }).catch(() => {});
        if (call.state !== 'ended') call.end('hangup');
      }),
    );
    this.devices.dispose();
    this.markDisconnected();
    await this.teardownProvider(Math.max(CANCELLED_TEARDOWN_MS, TEARDOWN_MS - (Date.now() - startedAt)));
  }

  /** Stops the provider, waiting at most `waitMs`; the rest goes on in the background. */
  private async teardownProvider(waitMs: number): Promise<void> {
    const work = this.impl.disconnect().catch(() => {});
    this.providerStopping = work;
    await bounded(work, { timeoutMs: waitMs, what: 'disconnect()' }).catch(() => {});
  }

  async call(target?: string, options: CallOptions = {}): Promise<Call> {
    const toDefault = target === undefined && this.impl.capabilities.defaultTarget === true;
    if (!toDefault && (typeof target !== 'string' || target.trim() === '')) {
      throw new VoiceError('INVALID_ARGUMENT', 'call() needs a target (SIP URI, number or user id): this session has no default destination.', {
        provider: this.provider,
        details: { field: 'target' },
      });
    }
    const ringMs = options.ringTimeoutMs === undefined ? this.config.timeouts.ringMs : this.checked(() => timeoutArgument(options.ringTimeoutMs, 'ringTimeoutMs'));
    if (this._state !== 'connected') throw this.invalidState('call');
    this.liveCalls.checkRoom('call');
    await this.liveCalls.holdOthers(undefined, 'call');
    const call = this.newCall('outgoing', target ?? '', undefined, options.audioElement);
    call.start('connecting');
    this.emit('callStarted', { call, direction: 'outgoing' });
    const ringTimer = setTimeout(() => {
      if (call.state === 'connecting' || call.state === 'ringing') void call.terminate('unanswered');
    }, ringMs);
    call.on('stateChanged', ({ to }) => {
      if (to !== 'connecting' && to !== 'ringing') clearTimeout(ringTimer);
    });
    try {
      const providerCall = await bounded(
        this.impl.call(target, this.callOptions(options.iceServers), call.sink(), this.lifetime.signal),
        { timeoutMs: this.config.timeouts.connectMs, what: 'call()', provider: this.provider },
      );
      call.attach(providerCall);
    } catch (error) {
      clearTimeout(ringTimer);
      const wrapped = this.wrap(error, 'CALL_FAILED');
      call.end('failed', wrapped);
      throw wrapped;
    }
    return call;
  }

  async connectAndCall(target?: string, options: CallOptions & ConnectOptions = {}): Promise<Call> {
    if (this._state !== 'connected') await this.connect(options);
    return this.call(target, options);
  }

  async hangup(): Promise<void> {
    await this.liveCalls.latest()?.hangup();
  }

  async refreshToken(credentials?: Credentials | string): Promise<void> {
    if (this._state !== 'connected' && this._state !== 'reconnecting') throw this.invalidState('refreshToken');
    if (credentials !== undefined && typeof credentials !== 'string') this.checkCredentials(credentials);
    for (const secret of credentialSecrets(credentials)) this.redactor.add(secret);
    await this.credentialStep('refreshToken()', (signal) => this.impl.refreshToken(credentials, signal));
    this.emit('tokenRefreshed', {});
  }

  // ---- internals ----

  private callOptions(iceServers: RTCIceServer[] | undefined): ProviderCallOptions {
    const audio = this.devices.audioConstraints();
    return { iceServers: iceServers ?? this.config.iceServers, ...(audio ? { audio } : {}) };
  }

  /** A provider step with credentials, bounded by the connect timeout; the provider sees the bound. */
  private async credentialStep(what: string, step: (signal: AbortSignal) => Promise<void>): Promise<void> {
    const bound = deadline(this.lifetime.signal, this.config.timeouts.connectMs, what, this.provider);
    try {
      await bounded(step(bound.signal), { signal: bound.signal, what, provider: this.provider });
    } catch (error) {
      throw this.wrap(error, 'AUTH_REJECTED');
    } finally {
      bound.clear();
    }
  }

  private newCall(
    direction: 'outgoing' | 'incoming',
    peer: string,
    displayName: string | undefined,
    audioElement: HTMLMediaElement | undefined,
    replacing?: Call,
  ): Call {
    const call = new Call({
      id: ++this.callCount,
      direction,
      peer,
      displayName,
      provider: this.provider,
      capabilities: () => this.impl.capabilities,
      redactor: this.redactor,
      trace: this.recorder,
      operationMs: this.config.timeouts.operationMs,
      quality: this.config.quality,
      iceServers: this.config.iceServers,
      audioElement: audioElement ?? replacing?.audioElement,
      onHandlerError: (what, error) => this.handlerFailed(what, error),
      devices: this.devices,
      onEnded: (ended) => this.liveCalls.remove(ended),
      beforeOpen: (opening, operation) => this.liveCalls.holdOthers(opening, operation),
      onReferred: (old, target, place) =>
        followReferral(
          old,
          target,
          place,
          { create: (peer) => this.newCall('outgoing', peer, undefined, undefined, old), restore: (failed) => this.liveCalls.replace(failed, old) },
          this.provider,
        ),
    });
    if (replacing) {
      this.liveCalls.replace(replacing, call);
      replacing.replacedBy(call, peer);
    } else this.liveCalls.add(call);
    return call;
  }

  private providerSink(): ProviderSink {
    return {
      registered: () => {
        if (this.registered || (this._state !== 'connected' && this._state !== 'reconnecting')) return;
        this.registered = true;
        this.emit('registered', {});
      },
      unregistered: () => {
        if (!this.registered) return;
        this.registered = false;
        this.emit('unregistered', {});
      },
      connectionLost: () => {
        if (this._state === 'connected') this.setState('reconnecting');
      },
      connectionRestored: () => {
        if (this._state === 'reconnecting') this.setState('connected');
      },
      connectionFailed: (error) => {
        if (this._state !== 'connected' && this._state !== 'reconnecting') return;
        const wrapped = this.redactor.error(error);
        for (const call of this.liveCalls.list()) call.end('failed', wrapped);
        this.emit('error', { error: wrapped });
        this.markDisconnected();
      },
      incomingCall: (info, providerCall) => {
        const replaced = info.replaces && this.liveCalls.list().find((c) => c.wraps(info.replaces!));
        if (replaced) return takeOverReplaced(this.newCall('incoming', info.from, info.displayName, undefined, replaced), providerCall);
        const call = this.newCallForIncoming(info.from, info.displayName);
        if (!call) {
          // No room under maxCalls: the caller hears busy, the app is told.
          providerCall.reject?.({ status: 486 }).catch(() => {});
          if (this._state === 'connected') this.emit('callRefused', { from: this.redactor.text(info.from), displayName: info.displayName, reason: 'busy' });
          return { ringing() {}, active() {}, remoteStream() {}, held() {}, unheld() {}, dtmf() {}, ended() {}, error() {} };
        }
        call.attach(providerCall);
        call.start('ringing');
        this.emit('callStarted', { call, direction: 'incoming' });
        this.emit('incomingCall', { call, from: this.redactor.text(info.from), displayName: call.displayName });
        return call.sink();
      },
      tokenWillExpire: (info) => this.emit('tokenWillExpire', { expiresAt: info.expiresAt }),
      providerChanged: (info) => this.emit('providerChanged', info),
      error: (error) => this.emit('error', { error: this.redactor.error(error) }),
      log: (level, message, data) => this.log(level, message, data),
    };
  }

  private newCallForIncoming(from: string, displayName: string | undefined): Call | undefined {
    if (!this.liveCalls.hasRoom() || this._state !== 'connected') return undefined;
    // The caller chose these words: untrusted text (README), cut to a sensible length.
    return this.newCall('incoming', from.slice(0, MAX_PEER_LENGTH), displayName?.slice(0, MAX_CALLER_NAME_LENGTH), undefined);
  }

  /** Not in the trace: the list follows from the calls' own events, which are. */
  private announceCalls(calls: readonly Call[]): void {
    try {
      this.emitter.emit('callsChanged', { calls });
    } catch {
      /* an app handler's own failure must not break the client */
    }
  }

  private markDisconnected(): void {
    if (this.registered) {
      this.registered = false;
      this.emit('unregistered', {});
    }
    this.setState('disconnected');
  }

  private log(level: LogLevel, message: string, data?: Record<string, unknown>): void {
    const logger = this.config.logger;
    if (!logger) return;
    try {
      const result = logger({ level, message: this.redactor.text(message), ...(data ? { data: this.redactor.value(data) } : {}) }) as unknown;
      // An async logger that rejects must not leave an unhandled rejection in the app.
      if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
        (result as PromiseLike<unknown>).then(undefined, () => {});
      }
    } catch {
      /* a failing logger must not break the client */
    }
  }

  /** An app handler threw (or its promise rejected): the other handlers have run; the logger hears of it. */
  private handlerFailed(what: string, error: unknown): void {
    const cause = describeCause(error);
    this.log('error', `A ${what} handler failed: ${(cause.name ?? 'Error').slice(0, 80)}: ${(cause.message ?? '').slice(0, 300)}`);
  }

  /** Runs an argument check, naming this client's provider in its error. */
  private checked<T>(check: () => T): T {
    try {
      return check();
    } catch (error) {
      throw this.wrap(error, 'INVALID_ARGUMENT');
    }
  }

  private setState(to: ClientState): void {
    const from = this._state;
    if (from === to) return;
    this._state = to;
    this.emit('stateChanged', { from, to });
  }

  private emit<K extends keyof ClientEvents>(type: K, payload: ClientEvents[K]): void {
    let data: Record<string, string | number | boolean> = {};
    if (type === 'stateChanged') data = { ...(payload as ClientEvents['stateChanged']) };
    else if (type === 'error') data = errorData((payload as ClientEvents['error']).error);
    else if (type === 'providerChanged') data = { ...(payload as ClientEvents['providerChanged']) };
    // callStarted repeats the call's own first stateChanged line, so the trace leaves it out.
    if (type !== 'callStarted') this.recorder.record('client', type, data);
    this.emitter.emit(type, payload);
  }

  private checkCredentials(credentials: Credentials): void {
    if (typeof credentials !== 'object' || credentials === null || typeof (credentials as { type?: unknown }).type !== 'string') {
      throw new VoiceError('INVALID_ARGUMENT', 'Credentials must be an object with a "type".', { provider: this.provider, details: { field: 'credentials' } });
    }
  }

  private invalidState(operation: string, why?: string): VoiceError {
    return new VoiceError('INVALID_STATE', `Cannot ${operation} while the client is ${this._state}${why ? `: ${why}` : ''}.`, {
      provider: this.provider,
      details: { operation, state: this._state },
    });
  }

  private wrap(error: unknown, fallback: VoiceErrorCode): VoiceError {
    if (isVoiceError(error)) return this.redactor.error(error.provider ? error : new VoiceError(error.code, error.message, { provider: this.provider, cause: error.cause, details: error.details }));
    return this.redactor.error(new VoiceError(fallback, `The ${this.provider} provider failed.`, { provider: this.provider, cause: describeCause(error) }));
  }
}
