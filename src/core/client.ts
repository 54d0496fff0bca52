import { createEmitter, type Emitter, type Handler } from './emitter.js';
import { Call, type CallOptions } from './call.js';
import type { ParsedConfig } from './config.js';
import type { Credentials, LogLevel, ProviderCapabilities, ProviderDefinitionV1, ProviderSink, VoiceProviderV1 } from './contract.js';
import { VoiceError, describeCause, isVoiceError, type VoiceErrorCode } from './errors.js';
import type { ClientEvents, ClientState } from './events.js';
import { Redactor, credentialSecrets } from './redact.js';
import { bounded, deadline } from './runtime.js';
import { TraceRecorder, errorData, type TraceEntry } from './trace.js';

export interface ConnectOptions {
  signal?: AbortSignal;
  /** Overrides the client's connect timeout for this attempt. */
  timeoutMs?: number;
}

/** The one API a call UI is written against, whatever the vendor. */
export interface VoiceClient {
  readonly provider: string;
  readonly state: ClientState;
  readonly capabilities: ProviderCapabilities;
  /** The call in progress, if any. */
  readonly currentCall: Call | undefined;
  /** Loads the vendor SDK. `connect` runs it when the app has not. */
  init(): Promise<void>;
  /** Takes credentials (or those of the config); `connect` runs it when the app has not. */
  authenticate(credentials?: Credentials): Promise<void>;
  /** Resolves when registered / ready; bounded by `timeouts.connectMs`; cancelled by `signal`. */
  connect(options?: ConnectOptions): Promise<void>;
  disconnect(): Promise<void>;
  call(target: string, options?: CallOptions): Promise<Call>;
  /** `connect` (where needed) then `call`, like Cognigy's `connectAndCall`. */
  connectAndCall(target: string, options?: CallOptions & ConnectOptions): Promise<Call>;
  /** Ends the current call; no-op without one. */
  hangup(): Promise<void>;
  /** A new token or password (or, for Cognigy, nothing: a fresh config is fetched). */
  refreshToken(credentials?: Credentials | string): Promise<void>;
  on<K extends keyof ClientEvents>(type: K, handler: Handler<ClientEvents[K]>): () => void;
  off<K extends keyof ClientEvents>(type: K, handler: Handler<ClientEvents[K]>): void;
  /** The normalised, secret-free event log of this client, for support tickets and comparisons. */
  trace(): TraceEntry[];
}

const CAPABILITIES_NONE: ProviderCapabilities = {
  incomingCalls: false,
  mute: false,
  hold: false,
  remoteHold: false,
  dtmf: false,
  receiveDtmf: false,
  tokenRefresh: false,
  anonymous: false,
};

export class DefaultVoiceClient implements VoiceClient {
  private _state: ClientState = 'idle';
  private readonly emitter: Emitter<ClientEvents> = createEmitter<ClientEvents>();
  private readonly redactor = new Redactor();
  private readonly recorder = new TraceRecorder();
  private readonly impl: VoiceProviderV1;
  private initPromise: Promise<void> | undefined;
  private credentials: Credentials | undefined;
  private registered = false;
  private connectAbort: AbortController | undefined;
  /** Settles once the connect() under way has finished, teardown of a failed attempt included. */
  private connectSettled: Promise<void> | undefined;
  private _currentCall: Call | undefined;
  private callCount = 0;
  private readonly lifetime = new AbortController();

  constructor(
    definition: ProviderDefinitionV1<any>,
    private readonly config: ParsedConfig,
  ) {
    this.credentials = config.credentials;
    for (const secret of credentialSecrets(config.credentials)) this.redactor.add(secret);
    const options = definition.parseOptions(config.input);
    this.credentials ??= definition.defaultCredentials?.(options);
    this.impl = definition.create(options, { sink: this.providerSink(), redactor: this.redactor, iceServers: config.iceServers });
    if (this.impl.specificationVersion !== 'v1') {
      throw new VoiceError('CONFIG_INVALID', `The provider "${definition.name}" implements an unknown specification.`, { details: { field: 'provider' } });
    }
  }

  /** The provider in use (with failover, the one currently active). */
  get provider(): string {
    return this.impl.name;
  }
  get state(): ClientState {
    return this._state;
  }
  get capabilities(): ProviderCapabilities {
    return this._state === 'idle' ? { ...CAPABILITIES_NONE, ...this.impl.capabilities } : { ...this.impl.capabilities };
  }
  get currentCall(): Call | undefined {
    return this._currentCall;
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
    const timeoutMs = options.timeoutMs ?? this.config.timeouts.connectMs;
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
      const result = await bounded(this.impl.connect(abort.signal), { signal: abort.signal, what: 'connect()', provider: this.provider });
      if (abort.signal.aborted) throw abort.signal.reason;
      if (result.registered && !this.registered) {
        this.registered = true;
        this.emit('registered', {});
      }
      this.setState('connected');
    } catch (error) {
      const wrapped = this.wrap(abort.signal.aborted ? abort.signal.reason : error, 'NETWORK_UNREACHABLE');
      // Nothing of a failed attempt may keep running: no socket, no retry timer.
      await this.impl.disconnect().catch(() => {});
      if (this._state === 'connecting' || this._state === 'connected') this.setState('disconnected');
      throw wrapped;
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onUserAbort);
      if (this.connectAbort === abort) this.connectAbort = undefined;
      settle();
    }
  }

  async disconnect(): Promise<void> {
    // A connect() under way is cancelled whatever the state says (it may still be loading the SDK),
    // and disconnect() resolves only once its teardown is done, so nothing of it outlives the call.
    if (this.connectAbort) {
      const settled = this.connectSettled;
      this.connectAbort.abort(new VoiceError('ABORTED', 'connect() was cancelled by disconnect().', { provider: this.provider }));
      await settled;
      return;
    }
    if (this._state !== 'connected' && this._state !== 'reconnecting') return;
    const call = this._currentCall;
    if (call) await call.hangup();
    await this.impl.disconnect().catch(() => {});
    this.markDisconnected();
  }

  async call(target: string, options: CallOptions = {}): Promise<Call> {
    if (typeof target !== 'string' || target.trim() === '') {
      throw new VoiceError('INVALID_ARGUMENT', 'call() needs a target (SIP URI, number or user id).', { provider: this.provider, details: { field: 'target' } });
    }
    if (this._state !== 'connected') throw this.invalidState('call');
    if (this._currentCall) throw this.invalidState('call', 'a call is already in progress');
    const call = this.newCall('outgoing', target, undefined, options.audioElement);
    call.start('connecting');
    const ringMs = options.ringTimeoutMs ?? this.config.timeouts.ringMs;
    const ringTimer = setTimeout(() => {
      if (call.state === 'connecting' || call.state === 'ringing') void call.terminate('unanswered');
    }, ringMs);
    call.on('stateChanged', ({ to }) => {
      if (to !== 'connecting' && to !== 'ringing') clearTimeout(ringTimer);
    });
    try {
      const providerCall = await bounded(
        this.impl.call(target, { iceServers: options.iceServers ?? this.config.iceServers }, call.sink(), this.lifetime.signal),
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

  async connectAndCall(target: string, options: CallOptions & ConnectOptions = {}): Promise<Call> {
    if (this._state !== 'connected') await this.connect(options);
    return this.call(target, options);
  }

  async hangup(): Promise<void> {
    await this._currentCall?.hangup();
  }

  async refreshToken(credentials?: Credentials | string): Promise<void> {
    if (this._state !== 'connected' && this._state !== 'reconnecting') throw this.invalidState('refreshToken');
    if (credentials !== undefined && typeof credentials !== 'string') this.checkCredentials(credentials);
    for (const secret of credentialSecrets(credentials)) this.redactor.add(secret);
    await this.credentialStep('refreshToken()', (signal) => this.impl.refreshToken(credentials, signal));
    this.emit('tokenRefreshed', {});
  }

  // ---- internals ----

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

  private newCall(direction: 'outgoing' | 'incoming', peer: string, displayName: string | undefined, audioElement: HTMLMediaElement | undefined): Call {
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
      audioElement,
      onEnded: (ended) => {
        if (this._currentCall === ended) this._currentCall = undefined;
      },
    });
    this._currentCall = call;
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
        this._currentCall?.end('failed', wrapped);
        this.emit('error', { error: wrapped });
        this.markDisconnected();
      },
      incomingCall: (info, providerCall) => {
        const call = this.newCallForIncoming(info.from, info.displayName);
        if (!call) {
          // One call at a time: a second caller hears busy.
          providerCall.reject?.({ status: 486 }).catch(() => {});
          return { ringing() {}, active() {}, remoteStream() {}, held() {}, unheld() {}, dtmf() {}, ended() {}, error() {} };
        }
        call.attach(providerCall);
        call.start('ringing');
        this.emit('incomingCall', { call, from: this.redactor.text(info.from), displayName: info.displayName });
        return call.sink();
      },
      tokenWillExpire: (info) => this.emit('tokenWillExpire', { expiresAt: info.expiresAt }),
      providerChanged: (info) => this.emit('providerChanged', info),
      error: (error) => this.emit('error', { error: this.redactor.error(error) }),
      log: (level, message, data) => this.log(level, message, data),
    };
  }

  private newCallForIncoming(from: string, displayName: string | undefined): Call | undefined {
    if (this._currentCall || this._state !== 'connected') return undefined;
    return this.newCall('incoming', from, displayName, undefined);
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
      logger({ level, message: this.redactor.text(message), ...(data ? { data: this.redactor.value(data) } : {}) });
    } catch {
      /* a failing logger must not break the client */
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
    this.recorder.record('client', type, data);
    try {
      this.emitter.emit(type, payload);
    } catch {
      /* an app handler's own failure must not break the client */
    }
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
