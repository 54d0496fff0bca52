import { createEmitter, type Emitter, type Handler } from './emitter.js';
import type { DefaultCall as Call } from './call.js';
import { CallRegistry } from './calls.js';
import type { ParsedConfig } from './config.js';
import type { Credentials, LogLevel, ProviderCapabilities, ProviderContext, ProviderDefinitionV1, ProviderSink, VoiceProviderV1 } from './contract.js';
import { superviseReconnection } from './reconnect.js';
import { TEARDOWN_MS } from './runtime.js';
import { VoiceError, describeCause, isVoiceError, type VoiceErrorCode } from './errors.js';
import type { ClientEvents } from './events.js';
import { Redactor, credentialSecrets } from './redact.js';
import { CLIENT_OPERATIONS, CLIENT_TRANSITIONS, allows, checkMove, reportMove, type ClientOperation, type ClientState } from './states.js';
import { TraceRecorder, errorData, type TraceEntry } from './trace.js';
import { AGENT_CAPABILITIES_NONE } from './agent/types.js';
import { Devices, canSelectOutput } from './devices/devices.js';

/**
 * What every part of the client shares: the provider, the state machine (moves checked against
 * CLIENT_TRANSITIONS), events and trace, redaction, logging and error wrapping. The session's
 * life (client-session.ts) and the calls (client.ts) are built on it.
 */
export abstract class ClientCore {
  protected _state: ClientState = 'idle';
  protected readonly emitter: Emitter<ClientEvents> = createEmitter<ClientEvents>((type, error) => this.handlerFailed(`client ${String(type)}`, error));
  protected readonly redactor = new Redactor();
  protected readonly recorder = new TraceRecorder();
  protected readonly impl: VoiceProviderV1;
  protected credentials: Credentials | undefined;
  protected registered = false;
  protected readonly liveCalls: CallRegistry;
  protected _identity: string | undefined;
  protected readonly lifetime = new AbortController();
  readonly devices: Devices;
  /** What the provider's definition says it takes (`credentialTypes`). */
  protected readonly credentialTypes: readonly Credentials['type'][] | undefined;

  constructor(
    definition: ProviderDefinitionV1<any>,
    protected readonly config: ParsedConfig,
  ) {
    this.credentials = config.credentials;
    this.credentialTypes = definition.credentialTypes;
    this.liveCalls = new CallRegistry(config.maxCalls, () => this.impl.capabilities, () => this.provider, (calls) => this.announceCalls(calls));
    this.devices = new Devices(definition.name, () => this.liveCalls.latest(), this.recorder, (event, error) => this.handlerFailed(`devices ${event}`, error));
    for (const secret of credentialSecrets(config.credentials)) this.redactor.add(secret);
    const options = definition.parseOptions(config.input);
    this.credentials ??= definition.defaultCredentials?.(options);
    const context: ProviderContext = { sink: this.providerSink(), redactor: this.redactor, iceServers: config.iceServers, icePolicy: config.icePolicy };
    // The core's reconnection policy sits between the provider and the client (reconnect.ts);
    // a failover provider has one per member instead.
    this.impl = config.reconnect
      ? superviseReconnection((supervised) => definition.create(options, supervised), context, { policy: config.reconnect, traceRegistration: true, teardownMs: TEARDOWN_MS })
      : definition.create(options, context);
    for (const warning of config.warnings) this.log('warn', warning);
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
    return { ...AGENT_CAPABILITIES_NONE, ...this.impl.capabilities, outputSelection };
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

  /** The sink the provider reports the session's events to. */
  protected abstract providerSink(): ProviderSink;

  /** Not in the trace: the list follows from the calls' own events, which are. */
  protected announceCalls(calls: readonly Call[]): void {
    try {
      this.emitter.emit('callsChanged', { calls });
    } catch {
      /* an app handler's own failure must not break the client */
    }
  }

  protected markDisconnected(): void {
    if (this.registered) {
      this.registered = false;
      this.emit('unregistered', {});
    }
    this.setState('disconnected');
  }

  protected log(level: LogLevel, message: string, data?: Record<string, unknown>): void {
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
  protected handlerFailed(what: string, error: unknown): void {
    const cause = describeCause(error);
    this.log('error', `A ${what} handler failed: ${(cause.name ?? 'Error').slice(0, 80)}: ${(cause.message ?? '').slice(0, 300)}`);
  }

  /** Runs an argument check, naming this client's provider in its error. */
  protected checked<T>(check: () => T): T {
    try {
      return check();
    } catch (error) {
      throw this.wrap(error, 'INVALID_ARGUMENT');
    }
  }

  /** Every move goes through CLIENT_TRANSITIONS. */
  protected setState(to: ClientState): void {
    const from = this._state;
    if (from === to) return;
    if (!checkMove('client', CLIENT_TRANSITIONS, from, to, this.provider, (error) => this.log('error', error.message, error.details))) return;
    this._state = to;
    this.emit('stateChanged', { from, to });
  }

  /** Applies a provider's report about the connection as CLIENT_REPORTS says. */
  protected report(table: Partial<Record<ClientState, ClientState>>): void {
    const to = reportMove(table, this._state);
    if (to) this.setState(to);
  }

  /** INVALID_STATE unless CLIENT_OPERATIONS lets `operation` run in the current state. */
  protected permit(operation: ClientOperation): void {
    if (!allows(CLIENT_OPERATIONS[operation], this._state)) throw this.invalidState(operation);
  }

  protected emit<K extends keyof ClientEvents>(type: K, payload: ClientEvents[K]): void {
    let data: Record<string, string | number | boolean> = {};
    if (type === 'stateChanged') data = { ...(payload as ClientEvents['stateChanged']) };
    else if (type === 'error') data = errorData((payload as ClientEvents['error']).error);
    else if (type === 'providerChanged') data = { ...(payload as ClientEvents['providerChanged']) };
    // callStarted repeats the call's own first stateChanged line, so the trace leaves it out.
    if (type !== 'callStarted') this.recorder.record('client', type, data);
    this.emitter.emit(type, payload);
  }

  protected checkCredentials(credentials: Credentials): void {
    if (typeof credentials !== 'object' || credentials === null || typeof (credentials as { type?: unknown }).type !== 'string') {
      throw new VoiceError('INVALID_ARGUMENT', 'Credentials must be an object with a "type".', { provider: this.provider, details: { field: 'credentials' } });
    }
  }

  protected invalidState(operation: string, why?: string): VoiceError {
    return new VoiceError('INVALID_STATE', `Cannot ${operation} while the client is ${this._state}${why ? `: ${why}` : ''}.`, {
      provider: this.provider,
      details: { operation, state: this._state },
    });
  }

  protected wrap(error: unknown, fallback: VoiceErrorCode): VoiceError {
    if (isVoiceError(error)) return this.redactor.error(error.provider ? error : new VoiceError(error.code, error.message, { provider: this.provider, cause: error.cause, details: error.details }));
    return this.redactor.error(new VoiceError(fallback, `The ${this.provider} provider failed.`, { provider: this.provider, cause: describeCause(error) }));
  }
}
