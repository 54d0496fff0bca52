import type { ConnectOptions } from './api.js';
import { timeoutArgument } from './config.js';
import type { Credentials, ProviderCall, ProviderSink, CallSink } from './contract.js';
import { VoiceError } from './errors.js';
import { ClientCore } from './client-core.js';
import { CLIENT_OPERATIONS, CLIENT_REPORTS, CLIENT_TRANSITIONS, REGISTRATION_STATES, allows, reportMove } from './states.js';
import { credentialSecrets } from './redact.js';
import { refuseForeignCredentials } from './credentials.js';
import { TEARDOWN_MS, bounded, deadline } from './runtime.js';

export { TEARDOWN_MS };
/**
 * How long a cancelled or timed-out connect() waits for its teardown before it rejects (the rest
 * goes on in the background; the next connect() waits for it within its own bound).
 */
const CANCELLED_TEARDOWN_MS = 200;

/**
 * The session's life: loading the SDK, credentials, a bounded connect() that can be cancelled,
 * a bounded disconnect() whose leftovers finish in the background, and the provider's reports
 * about the connection.
 */
export abstract class ClientSession extends ClientCore {
  protected initPromise: Promise<void> | undefined;
  protected connectAbort: AbortController | undefined;
  /** Settles once the connect() under way has finished, teardown of a failed attempt included. */
  protected connectSettled: Promise<void> | undefined;
  /** The disconnect() under way: a second one joins it, a connect() waits for it. */
  protected teardown: Promise<void> | undefined;
  /** The provider's last disconnect(), possibly still running in the background. */
  protected providerStopping: Promise<void> = Promise.resolve();
  /** The provider gave up and the core is tearing it down before it reports (providerGaveUp). */
  private givingUp = false;

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
    this.permit('authenticate');
    await this.init();
    const creds = credentials ?? this.credentials;
    if (!creds) {
      throw new VoiceError('CONFIG_INVALID', `The ${this.provider} provider needs credentials: pass them to authenticate() or in the config.`, {
        provider: this.provider,
        details: { field: 'credentials' },
      });
    }
    refuseForeignCredentials(creds, this.credentialTypes, this.provider);
    for (const secret of credentialSecrets(creds)) this.redactor.add(secret);
    await this.credentialStep('authenticate()', (signal) => this.impl.authenticate(creds, signal));
    this.credentials = creds;
    if (allows(CLIENT_TRANSITIONS[this._state], 'authenticated')) this.setState('authenticated');
  }

  async connect(options: ConnectOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs === undefined ? this.config.timeouts.connectMs : this.checked(() => timeoutArgument(options.timeoutMs, 'timeoutMs'));
    // Called during a disconnect(): the old session goes first, so the state matches the new one.
    if (this.teardown) await this.teardown;
    this.permit('connect');
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
      if (allows(CLIENT_TRANSITIONS[this._state], 'disconnected')) this.setState('disconnected');
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
    if (!allows(CLIENT_OPERATIONS.disconnect, this._state)) return;
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

  /**
   * The provider gave up its connection: the core tears it down (its disconnect(), bounded), then
   * reports. Torn down first, so that an app reacting to `disconnected` with connect() does not
   * have its new session stopped by the old one's teardown. Vendors end their calls as they stop;
   * a call still live after that ends `failed` with the provider's error.
   */
  private async providerGaveUp(error: VoiceError): Promise<void> {
    if (this.givingUp || !reportMove(CLIENT_REPORTS.connectionFailed, this._state)) return;
    this.givingUp = true;
    try {
      await this.teardownProvider(TEARDOWN_MS);
    } finally {
      this.givingUp = false;
    }
    // A disconnect() by the app meanwhile has ended the session its own way.
    if (!reportMove(CLIENT_REPORTS.connectionFailed, this._state)) return;
    const wrapped = this.redactor.error(error);
    for (const call of this.liveCalls.list()) call.end('failed', wrapped);
    this.emit('error', { error: wrapped });
    this.markDisconnected();
  }

  async refreshToken(credentials?: Credentials | string): Promise<void> {
    this.permit('refreshToken');
    if (credentials !== undefined && typeof credentials !== 'string') {
      this.checkCredentials(credentials);
      refuseForeignCredentials(credentials, this.credentialTypes, this.provider);
    }
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

  /** An incoming call, offered by the provider: the client decides whether the app gets it. */
  protected abstract incomingCall<C extends ProviderCall>(info: { from: string; displayName?: string; replaces?: ProviderCall }, create: (sink: CallSink) => C): C;

  protected providerSink(): ProviderSink {
    return {
      registered: () => {
        if (this.registered || !allows(REGISTRATION_STATES, this._state)) return;
        this.registered = true;
        this.emit('registered', {});
      },
      unregistered: () => {
        if (!this.registered) return;
        this.registered = false;
        this.emit('unregistered', {});
      },
      connectionLost: () => this.report(CLIENT_REPORTS.connectionLost),
      connectionRestored: () => this.report(CLIENT_REPORTS.connectionRestored),
      // Counted by the reconnection supervisor between the provider and this sink (reconnect.ts).
      reconnectTryFailed: () => {},
      connectionFailed: (error) => void this.providerGaveUp(error),
      incomingCall: (info, create) => this.incomingCall(info, create),
      tokenWillExpire: (info) => this.emit('tokenWillExpire', { expiresAt: info.expiresAt }),
      providerChanged: (info) => this.emit('providerChanged', info),
      error: (error) => this.emit('error', { error: this.redactor.error(error) }),
      log: (level, message, data) => this.log(level, message, data),
    };
  }
}
