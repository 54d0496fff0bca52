import type { UA, UAConfiguration } from 'jssip/lib/UA.js';
import type { RTCSession } from 'jssip/lib/RTCSession.js';
import {
  VoiceError,
  abortError,
  assertWebRtc,
  bounded,
  importVendorSdk,
  type CallSink,
  type ConnectResult,
  type Credentials,
  type ProviderCall,
  type ProviderCallOptions,
  type ProviderCapabilities,
  type ProviderContext,
  type ProviderDefinitionV1,
  type VoiceProviderV1,
} from '../../core/provider-kit.js';
import type { CognigySipConfig } from './config-schema.js';
import { fetchCognigyConfig } from './fetch-config.js';
import { parseCognigyOptions, type CognigyOptions } from './options.js';
import { JssipCall } from './session.js';
import { registrationFailure } from './status.js';

type JsSipModule = typeof import('jssip');

const NAME = 'cognigy';
const REGISTER_EXPIRES_S = 600;
// JsSIP's own recovery waits between tries, in seconds (its default max of 30 s would let a client
// sit in `reconnecting` for minutes before the bound of `reconnectionAttempts` applies).
const RECOVERY_MIN_S = 2;
const RECOVERY_MAX_S = 8;
// Warn the app this long before the fetched SIP password expires, so it can refreshToken().
const EXPIRY_WARNING_MS = 60_000;
const UNREGISTER_WAIT_MS = 2_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

type Phase = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'stopped';

async function ensureWebSocket(): Promise<void> {
  if (typeof (globalThis as { WebSocket?: unknown }).WebSocket !== 'undefined') return;
  // Node without a global WebSocket: the `ws` package stands in. The name is a variable so that
  // browser bundlers leave it out.
  const wsPackage = 'ws';
  const ws = (await import(/* @vite-ignore */ wsPackage)) as { WebSocket: unknown };
  (globalThis as { WebSocket?: unknown }).WebSocket = ws.WebSocket;
}

/**
 * JsSIP logs every SIP message through `debug` when the app's DEBUG/localStorage.debug matches
 * "JsSIP"; polyphone's own log (context.sink.log) says what matters, so JsSIP is silenced.
 */
function quietJssip(jssip: JsSipModule): void {
  const debug = jssip.debug as unknown as { enabled(ns: string): boolean; disable(): string; enable(ns: string): void };
  if (!debug.enabled('JsSIP') && !debug.enabled('JsSIP:WARN') && !debug.enabled('JsSIP:ERROR')) return;
  const namespaces = debug.disable();
  debug.enable(`${namespaces},-JsSIP*`);
}

/** JsSIP's objects are Node EventEmitters; polyphone builds without Node's types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Listener = (...args: any[]) => void;
export interface JssipEmitter {
  on(name: string, listener: Listener): unknown;
  once(name: string, listener: Listener): unknown;
  removeListener(name: string, listener: Listener): unknown;
}
export const emitterOf = (value: UA | RTCSession): JssipEmitter => value as unknown as JssipEmitter;

/** Waits for one event of a JsSIP emitter, at most `timeoutMs`; never rejects. */
function once(emitter: JssipEmitter, name: string, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      emitter.removeListener(name, done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    emitter.once(name, done);
  });
}

class CognigyProvider implements VoiceProviderV1 {
  readonly specificationVersion = 'v1' as const;
  readonly name = NAME;
  private jssip: JsSipModule | undefined;
  private ua: UA | undefined;
  private sip: CognigySipConfig | undefined;
  private phase: Phase = 'idle';
  private failedRecoveries = 0;
  /** While a refresh re-REGISTERs, its failure is the refresh's to report, not `unregistered`. */
  private refreshing = false;
  private expiryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Set while `ua.call()` runs: JsSIP announces the new session synchronously inside it. */
  private adoptOutgoing: ((session: RTCSession) => void) | undefined;

  constructor(
    private readonly options: CognigyOptions,
    private readonly context: ProviderContext,
  ) {}

  get capabilities(): ProviderCapabilities {
    return { incomingCalls: true, mute: true, hold: true, remoteHold: true, dtmf: true, receiveDtmf: true, tokenRefresh: true, anonymous: true, quality: true, mediaReconnect: true };
  }

  /**
   * Cognigy's SDK refuses to exist without WebRTC. Here that check runs in init() (the first step
   * of connect()), so it fails before any request, as Cognigy's does; `signalingOnly` skips it for
   * hosts that only signal (Node), and calls check again.
   */
  async init(): Promise<void> {
    if (!this.options.signalingOnly) assertWebRtc(NAME);
    const module = await importVendorSdk(NAME, 'jssip', () => import('jssip'));
    const jssip = ((module as { default?: JsSipModule }).default ?? module) as JsSipModule;
    quietJssip(jssip);
    this.jssip = jssip;
  }

  async authenticate(credentials: Credentials): Promise<void> {
    if (credentials.type !== 'anonymous') {
      throw new VoiceError('UNSUPPORTED', 'The Cognigy provider takes no credentials: its endpoint hands out short-lived SIP credentials.', { provider: NAME });
    }
  }

  async connect(signal: AbortSignal): Promise<ConnectResult> {
    await ensureWebSocket();
    this.phase = 'connecting';
    this.log('info', 'fetching the SIP config from the Cognigy endpoint');
    const config = await this.fetchConfig(signal);
    this.sip = config;
    if (signal.aborted) throw abortError(signal, NAME);
    this.log('info', `config for application ${config.applicationId}; connecting to ${config.websocketUri}`);
    const ua = this.createUserAgent(config);
    this.ua = ua;
    const started = Date.now();
    await bounded(this.registeredOrFailed(ua), { signal, what: 'WebSocket connect and REGISTER', provider: NAME });
    this.phase = 'connected';
    this.scheduleExpiryWarning(config.expiresAt);
    this.log('info', `registered as ${config.sipUri} in ${Date.now() - started} ms`);
    return { registered: true };
  }

  async disconnect(): Promise<void> {
    this.phase = 'stopped';
    this.clearExpiryWarning();
    const ua = this.ua;
    this.ua = undefined;
    if (!ua) return;
    const unregistering = ua.isRegistered() && ua.isConnected() ? once(emitterOf(ua), 'unregistered', UNREGISTER_WAIT_MS) : Promise.resolve();
    try {
      ua.stop();
    } catch {
      /* already stopped */
    }
    await unregistering;
    // JsSIP 3.13 keeps the socket open 2 s after stop() while any transaction lives; once the
    // un-REGISTER is answered nothing is left to wait for, so close it now (JsSIP internals).
    const internals = ua as unknown as { _closeTimer: ReturnType<typeof setTimeout> | null; _transport?: { disconnect(): void } };
    if (internals._closeTimer !== null && internals._closeTimer !== undefined) {
      clearTimeout(internals._closeTimer);
      internals._closeTimer = null;
      internals._transport?.disconnect();
    }
  }

  async call(target: string, options: ProviderCallOptions, sink: CallSink): Promise<ProviderCall> {
    assertWebRtc(NAME);
    const ua = this.ua;
    if (!ua || this.phase !== 'connected') throw new VoiceError('INVALID_STATE', 'The Cognigy client is not registered.', { provider: NAME });
    let call: JssipCall | undefined;
    this.adoptOutgoing = (session) => {
      call = new JssipCall(session, this.options.dtmfTransport, false);
      call.bind(sink);
    };
    try {
      ua.call(this.targetUri(target), {
        mediaConstraints: { audio: true, video: false },
        pcConfig: { iceServers: this.iceServersFor(options) },
      });
    } catch (error) {
      if (error instanceof TypeError) {
        throw new VoiceError('INVALID_ARGUMENT', 'The call target is not a SIP URI or user name.', { provider: NAME, details: { field: 'target' } });
      }
      throw new VoiceError('CALL_FAILED', 'The call could not be started.', { provider: NAME, cause: { name: (error as Error).name, message: (error as Error).message } });
    } finally {
      this.adoptOutgoing = undefined;
    }
    if (!call) throw new VoiceError('INTERNAL', 'JsSIP started no session for the call.', { provider: NAME });
    return call;
  }

  /**
   * Cognigy's credentials are the endpoint's to hand out: a refresh GETs a fresh config and
   * re-REGISTERs with it on the same WebSocket, so a call in progress is not touched.
   */
  async refreshToken(credentials: Credentials | string | undefined, signal: AbortSignal): Promise<void> {
    if (credentials !== undefined) {
      throw new VoiceError('UNSUPPORTED', 'The Cognigy provider refreshes by fetching a fresh config from its endpoint; call refreshToken() without credentials.', {
        provider: NAME,
      });
    }
    const ua = this.ua;
    const previous = this.sip;
    if (!ua || !previous || this.phase !== 'connected') throw new VoiceError('INVALID_STATE', 'The Cognigy client is not registered.', { provider: NAME });
    const config = await this.fetchConfig(signal);
    if (config.sipUri !== previous.sipUri || config.websocketUri !== previous.websocketUri) {
      throw new VoiceError('PROTOCOL_ERROR', 'The Cognigy endpoint moved the session to another SIP identity or server; disconnect and connect again.', {
        provider: NAME,
      });
    }
    try {
      await this.reRegister(ua, config, signal);
    } catch (error) {
      // A refused refresh must not leave the client silently unregistered: go back to the old password.
      await this.reRegister(ua, previous, signal).catch(() => this.context.sink.unregistered());
      throw error;
    }
    this.sip = config;
    this.scheduleExpiryWarning(config.expiresAt);
  }

  // ---- internals ----

  /** GET, validate, check the widget: steps 1 and 2 of Cognigy's connect. */
  private async fetchConfig(signal: AbortSignal): Promise<CognigySipConfig> {
    const config = await fetchCognigyConfig(this.options.endpointUrl, this.options.userId, this.options.configTimeoutMs, signal, NAME);
    this.context.redactor.add(config.password);
    if (!config.widgetActive) {
      throw new VoiceError('WIDGET_INACTIVE', 'The Click-to-Call widget of this Cognigy endpoint is not active.', {
        provider: NAME,
        details: { applicationId: config.applicationId },
      });
    }
    return config;
  }

  private createUserAgent(config: CognigySipConfig): UA {
    const jssip = this.jssip!;
    let ua: UA;
    try {
      const configuration: UAConfiguration & Record<string, unknown> = {
        sockets: [new jssip.WebSocketInterface(config.websocketUri)],
        uri: config.sipUri,
        authorization_user: config.username,
        password: config.password,
        register: true,
        register_expires: REGISTER_EXPIRES_S,
        session_timers: false,
        user_agent: 'polyphone-cognigy',
        connection_recovery_min_interval: RECOVERY_MIN_S,
        connection_recovery_max_interval: RECOVERY_MAX_S,
      };
      ua = new jssip.UA(configuration);
    } catch (error) {
      // JsSIP's ConfigurationError quotes the offending value (which may be the password): name only.
      throw new VoiceError('PROTOCOL_ERROR', 'The SIP config from the Cognigy endpoint was refused by JsSIP.', {
        provider: NAME,
        cause: { name: (error as { name?: string }).name ?? 'Error', ...((error as { parameter?: string }).parameter ? { code: String((error as { parameter?: string }).parameter) } : {}) },
      });
    }
    ua.on('connected', () => this.log('debug', 'SIP WebSocket connected'));
    ua.on('disconnected', (event) => this.onDisconnected(event.code));
    ua.on('registered', () => this.onRegistered());
    ua.on('unregistered', () => {
      if (!this.refreshing && (this.phase === 'connected' || this.phase === 'reconnecting')) this.context.sink.unregistered();
    });
    ua.on('registrationFailed', (event) => this.onRegistrationFailed(event.response?.status_code, event.cause));
    ua.on('newRTCSession', (event: { originator: string; session: RTCSession }) => this.onNewSession(event.originator, event.session));
    return ua;
  }

  /** Steps 4–6: WebSocket connect, REGISTER, registered; a failure of either ends the attempt. */
  private registeredOrFailed(ua: UA): Promise<void> {
    // JsSIP would retry a refused WebSocket forever; during connect one failure is the answer.
    return registrationOutcome(ua, () => ua.start(), true);
  }

  private onDisconnected(code: number | undefined): void {
    if (this.phase === 'connected') {
      this.phase = 'reconnecting';
      this.failedRecoveries = 0;
      this.log('warn', `SIP WebSocket lost (code ${code ?? 'none'}); JsSIP reconnects`);
      this.context.sink.connectionLost();
      this.context.sink.unregistered();
      if (this.options.reconnectionAttempts === 0) void this.giveUp(this.unreachable(0));
    } else if (this.phase === 'reconnecting') {
      this.failedRecoveries += 1;
      this.log('warn', `reconnection try ${this.failedRecoveries} of ${this.options.reconnectionAttempts} failed`);
      if (this.failedRecoveries >= this.options.reconnectionAttempts) void this.giveUp(this.unreachable(this.failedRecoveries));
    }
  }

  private onRegistered(): void {
    if (this.phase === 'reconnecting') {
      this.phase = 'connected';
      this.log('info', 'SIP WebSocket restored and registered again');
      this.context.sink.registered();
      this.context.sink.connectionRestored();
    } else if (this.phase === 'connected' && !this.refreshing) {
      this.context.sink.registered();
    }
  }

  private onRegistrationFailed(status: number | undefined, cause: string | undefined): void {
    if (this.refreshing || this.phase === 'connecting') return;
    const error = registrationFailure(status, cause);
    // A REGISTER cut by a dropped socket fails just before JsSIP reports the drop itself; the
    // connection path (reconnecting, then restored or given up) is what tells the app.
    if (error.code === 'NETWORK_UNREACHABLE' || !this.ua?.isConnected()) return;
    if (this.phase === 'reconnecting' && error.code === 'AUTH_REJECTED') {
      // The password expired while the socket was down: only a fresh config (refreshToken) helps.
      void this.giveUp(error);
    } else if (this.phase === 'connected') {
      this.context.sink.error(error);
    }
  }

  private async giveUp(error: VoiceError): Promise<void> {
    if (this.phase === 'stopped') return;
    // Tear down before telling the core: an app reacting to `disconnected` with connect() must
    // not have its new session stopped by this teardown.
    await this.disconnect();
    this.context.sink.connectionFailed(error);
  }

  private unreachable(tries: number): VoiceError {
    return new VoiceError('NETWORK_UNREACHABLE', `The SIP server stayed unreachable after ${tries} reconnection tries.`, { provider: NAME, details: { tries } });
  }

  private reRegister(ua: UA, config: CognigySipConfig, signal: AbortSignal): Promise<void> {
    this.refreshing = true;
    const outcome = registrationOutcome(
      ua,
      () => {
        ua.set('authorization_user', config.username);
        ua.set('password', config.password);
        // JsSIP 3.13 emits `registered` only on a change from unregistered, so a re-REGISTER's 200
        // would pass unseen; clearing its flag (JsSIP internals) makes the 200 observable.
        (ua.registrator() as unknown as { _registered: boolean })._registered = false;
        ua.register();
      },
      false,
    );
    return bounded(outcome, { signal, what: 'REGISTER', provider: NAME }).finally(() => {
      this.refreshing = false;
    });
  }

  private onNewSession(originator: string, session: RTCSession): void {
    if (originator === 'local') {
      this.adoptOutgoing?.(session);
      return;
    }
    const call = new JssipCall(session, this.options.dtmfTransport, true);
    const identity = session.remote_identity;
    const sink = this.context.sink.incomingCall({ from: identity.uri.toString(), displayName: identity.display_name || undefined }, call);
    call.bind(sink);
  }

  private iceServersFor(options: ProviderCallOptions): RTCIceServer[] {
    return options.iceServers ?? this.context.iceServers ?? this.sip?.iceServers ?? [];
  }

  private targetUri(target: string): string {
    if (/^sips?:/.test(target)) return target;
    const domain = this.sip!.sipUri.split('@')[1]!.split(/[;>]/)[0]!;
    return `sip:${target}@${domain}`;
  }

  private scheduleExpiryWarning(expiresAt: number | undefined): void {
    this.clearExpiryWarning();
    if (expiresAt === undefined) return;
    const wait = Math.min(MAX_TIMER_MS, Math.max(0, expiresAt - Date.now() - EXPIRY_WARNING_MS));
    this.expiryTimer = setTimeout(() => {
      this.expiryTimer = undefined;
      this.context.sink.tokenWillExpire({ expiresAt });
    }, wait);
  }

  private clearExpiryWarning(): void {
    if (this.expiryTimer !== undefined) clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
  }

  private log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void {
    this.context.sink.log(level, `cognigy: ${message}`);
  }
}

/**
 * Waits for the REGISTER that `send` starts: resolves on `registered`, rejects with the reason it
 * failed, and, with `failOnDisconnect`, with NETWORK_UNREACHABLE when the WebSocket closes first.
 */
function registrationOutcome(ua: UA, send: () => void, failOnDisconnect: boolean): Promise<void> {
  const events = emitterOf(ua);
  return new Promise<void>((resolve, reject) => {
    const cleanup = () => {
      events.removeListener('registered', onRegistered);
      events.removeListener('registrationFailed', onFailed);
      events.removeListener('disconnected', onDisconnected);
    };
    const onRegistered = () => {
      cleanup();
      resolve();
    };
    const onFailed = (event: { response?: { status_code?: number } | null; cause?: string }) => {
      cleanup();
      reject(registrationFailure(event.response?.status_code, event.cause));
    };
    const onDisconnected = (event: { code?: number; reason?: string }) => {
      cleanup();
      reject(
        new VoiceError('NETWORK_UNREACHABLE', 'The SIP WebSocket server could not be reached.', {
          provider: NAME,
          cause: { name: 'WebSocketClosed', ...(event.code !== undefined ? { code: event.code } : {}) },
        }),
      );
    };
    events.on('registered', onRegistered);
    events.on('registrationFailed', onFailed);
    if (failOnDisconnect) events.on('disconnected', onDisconnected);
    send();
  });
}

export const provider: ProviderDefinitionV1<CognigyOptions> = {
  specificationVersion: 'v1',
  name: NAME,
  parseOptions: parseCognigyOptions,
  create: (options, context) => new CognigyProvider(options, context),
  // The endpoint URL is the credential: the app has none to give.
  defaultCredentials: () => ({ type: 'anonymous' }),
};
