import { createEmitter, type Emitter } from './emitter.js';
import type { DefaultCall as Call } from './call.js';
import type { CallDirection } from './api.js';
import type { CallSink, LogLevel, ProviderCall, ProviderCapabilities } from './contract.js';
import { VoiceError, describeCause, isVoiceError } from './errors.js';
import type { CallEndReason, CallEvents } from './events.js';
import { permitCallOperation } from './call-permit.js';
import { CALL_REPORTS, CALL_TRANSITIONS, REFERRAL_STATES, checkMove, reportMove, type CallOperation, type CallState } from './states.js';
import type { Redactor } from './redact.js';
import { bounded } from './runtime.js';
import type { TraceRecorder } from './trace.js';
import { callTraceData } from './call-trace.js';
import { AgentConversation } from './agent/conversation.js';
import { CallMedia } from './devices/call-media.js';
import type { Devices } from './devices/devices.js';
import { playRemote } from './devices/playback.js';
import type { QualityMonitor, ResolvedQualityOptions } from './quality/index.js';
import { mediaLostError, qualityHost } from './quality/call-host.js';
import { lazyModule } from './lazy.js';

/** The quality monitor (samples, warnings, media watch) is a chunk of its own, fetched when a call is placed or offered. */
const qualityModule = lazyModule(() => import('./quality/monitor.js'));

export interface CallInternals {
  id: number;
  direction: CallDirection;
  peer: string;
  displayName: string | undefined;
  provider: string;
  capabilities: () => ProviderCapabilities;
  redactor: Redactor;
  trace: TraceRecorder;
  operationMs: number;
  iceServers: RTCIceServer[] | undefined;
  audioElement: HTMLMediaElement | undefined;
  devices: Devices;
  /** The microphone `client.prepare()` holds, for an answer that sends `audio` (the call then owns it). */
  preparedStream?: (audio: MediaTrackConstraints | undefined) => MediaStream | undefined;
  onEnded: (call: Call) => void;
  /** The client's logger (an illegal state move is refused and logged). */
  log?: (level: LogLevel, message: string, data?: Record<string, unknown>) => void;
  /** An app handler of this call threw or rejected (the other handlers still ran). */
  onHandlerError?: (what: string, error: unknown) => void;
  /** Before this call opens its microphone (answer, unhold): the client holds the others. */
  beforeOpen?: (call: Call, operation: string) => Promise<void>;
  /** The far end asked this side to call `target` (an incoming REFER): the client places that call. */
  onReferred?: (call: Call, target: string, place: (sink: CallSink) => Promise<ProviderCall>) => void;
  /** Sampling, warning thresholds and the media-reconnection bound (client option `quality`). */
  quality?: ResolvedQualityOptions;
}

/**
 * A call's machinery: its state (every move checked against CALL_TRANSITIONS), the sink the
 * provider reports to, events and trace, the one-at-a-time operation queue, and the media,
 * quality and agent parts wired to it. The app's operations are in call.ts. A vendor that
 * reports an end twice, or not at all, still yields exactly one `ended`.
 */
export abstract class CallCore {
  readonly direction: CallDirection;
  /** The other party: a SIP URI, a phone number or a vendor user id. */
  readonly peer: string;
  readonly displayName: string | undefined;
  protected _state: CallState = 'new';
  protected _muted = false;
  protected _remoteStream: MediaStream | undefined;
  protected _endReason: CallEndReason | undefined;
  protected providerCall: ProviderCall | undefined;
  protected readonly emitter: Emitter<CallEvents> = createEmitter<CallEvents>((type, error) => this.internals.onHandlerError?.(`call ${String(type)}`, error));
  protected queue: Promise<unknown> = Promise.resolve();
  protected hangingUp = false;
  // While a transfer is under way (or done), the far end hanging up is the transfer's doing.
  protected transferring = false;
  protected readonly endedPromise: Promise<CallEvents['ended']>;
  protected resolveEnded!: (event: CallEvents['ended']) => void;
  protected readonly agent: AgentConversation = new AgentConversation({
    provider: () => this.internals.provider,
    live: () => this._state !== 'ended',
    emit: (type, payload) => this.emit(type, payload as never),
    declares: (capability) => this.internals.capabilities()[capability] === true,
    respond: (id, output) => this.run('respondToolCall', () => this.permit('respondToolCall')!.respondToolCall!(id, output)),
    invalidState: (operation, why) => this.invalidState(operation, why),
  });
  protected readonly media = new CallMedia({
    provider: () => this.providerCall,
    levels: (levels) => {
      try {
        this.emitter.emit('audioLevel', levels);
      } catch {
        /* the app's meter failing must not stop the levels */
      }
    },
    wantsLevels: () => this.emitter.count('audioLevel') > 0,
    inputEnded: () => void this.internals.devices.inputEnded(),
    restoring: () => this._state === 'reconnecting',
  });
  protected qualityMonitor: QualityMonitor | undefined;

  constructor(protected readonly internals: CallInternals) {
    this.direction = internals.direction;
    this.peer = internals.peer;
    this.displayName = internals.displayName;
    this.endedPromise = new Promise((resolve) => (this.resolveEnded = resolve));
    // Fetched while the call rings, so that it is at hand when the call becomes active.
    if (internals.quality?.enabled) qualityModule.load().catch(() => {});
  }

  /** The Call this machinery belongs to (the only subclass), as the client knows it. */
  protected get handle(): Call {
    return this as unknown as Call;
  }

  /** Points the audio element at a speaker ('' is the default). */
  abstract setSinkId(deviceId: string): Promise<void>;

  /** Hangs up, but reports `reason` (the core's ring timer ends a call `unanswered`). */
  abstract terminate(reason: CallEndReason | undefined, error?: VoiceError): Promise<void>;

  // ---- wiring, used by the client ----

  /** @internal */
  attach(providerCall: ProviderCall): void {
    this.providerCall = providerCall;
    // A hangup that came while the provider was still setting the call up is carried out now.
    if (this._state === 'ended' && this.hangingUp) providerCall.hangup().catch(() => {});
  }

  /** @internal */
  start(initial: 'connecting' | 'ringing'): void {
    this.setState(initial);
  }

  /** @internal The sink the provider reports this call's progress to. */
  sink(): CallSink {
    return {
      ringing: () => {
        if (this.direction === 'outgoing' && this.report(CALL_REPORTS.ringing)) this.emit('ringing', {});
      },
      active: () => {
        if (!this.report(CALL_REPORTS.active)) return;
        this.emit('active', {});
        this.media.start();
        this.startQuality();
      },
      remoteStream: (stream) => {
        this._remoteStream = stream;
        this.play(stream);
      },
      held: () => {
        if (reportMove(CALL_REPORTS.held, this._state)) this.markHeld('remote');
      },
      unheld: () => {
        if (reportMove(CALL_REPORTS.unheld, this._state)) this.markUnheld('remote');
      },
      dtmf: (digit) => {
        if (this._state !== 'ended' && /^[0-9A-Da-d*#]$/.test(digit)) this.emit('dtmf', { digit: digit.toUpperCase() });
      },
      ended: (reason, error) => {
        // While this side hangs up or rejects, the reason is this side's, whatever the vendor says.
        if (this.hangingUp) return;
        if (this.transferring && reason === 'remoteHangup') return this.end('transferred');
        // A vendor that gives up while the media path is being restored lost the media too.
        const lost = reason === 'failed' && this._state === 'reconnecting' ? mediaLostError(this.internals.provider, error) : error;
        this.end(reason, lost ? this.internals.redactor.error(lost) : undefined);
      },
      referred: (target, place) => {
        if (REFERRAL_STATES.includes(this._state)) this.internals.onReferred?.(this.handle, target, place);
      },
      error: (error) => this.emit('error', { error: this.internals.redactor.error(error) }),
      ...this.agent.sink(),
    };
  }

  /** @internal Ends the call once; later reports of its end are ignored. */
  end(reason: CallEndReason, error?: VoiceError): void {
    if (this._state === 'ended') return;
    for (const entry of this.agent.close()) this.emit('transcript', entry);
    this._endReason = reason;
    // The client lets go of this call before anyone hears of its end: a handler of `ended` may dial again.
    this.internals.onEnded(this.handle);
    this.media.stop();
    this.qualityMonitor?.stop();
    this.setState('ended');
    const event = { reason, error };
    this.emit('ended', event);
    this.resolveEnded(event);
  }

  protected startQuality(): void {
    const options = this.internals.quality;
    if (!options?.enabled || this.internals.capabilities().quality === false || this.qualityMonitor) return;
    const loaded = qualityModule.current;
    if (!loaded) {
      // Not fetched yet: sampling starts once it is (the first sample is a second away anyway), unless the call is over by then.
      qualityModule.load().then(
        () => this._state !== 'ended' && this.startQuality(),
        (error: unknown) => this.internals.log?.('warn', 'Call quality is off for this call: its module did not load.', { call: this.internals.id, cause: describeCause(error).message ?? '' }),
      );
      return;
    }
    this.qualityMonitor = new loaded.QualityMonitor(
      qualityHost({
        provider: this.internals.provider,
        answerer: this.direction === 'incoming',
        providerCall: () => this.providerCall,
        capabilities: this.internals.capabilities,
        condition: () => ({ state: this._state, muted: this._muted }),
        setState: (to) => this.setState(to),
        emit: (type, payload) => this.emit(type, payload as never),
        fail: (error) => void this.terminate('failed', error),
      }),
      options,
    );
    this.qualityMonitor.start();
  }

  /** A hold that lands after the call moved on (ended, or held meanwhile) changes nothing. */
  protected markHeld(by: 'local' | 'remote'): void {
    if (reportMove(CALL_REPORTS.held, this._state) && this.setState('held')) this.emit('held', { by });
  }
  protected markUnheld(by: 'local' | 'remote'): void {
    if (reportMove(CALL_REPORTS.unheld, this._state) && this.setState('active')) this.emit('unheld', { by });
  }

  /** Applies a provider's report as CALL_REPORTS says; false where it changes nothing in this state. */
  protected report(table: Partial<Record<CallState, CallState>>): boolean {
    const to = reportMove(table, this._state);
    return to !== undefined && this.setState(to);
  }

  protected play(stream: MediaStream): void {
    const element = this.internals.audioElement;
    if (!element) return;
    const output = this.internals.devices.output;
    if (output) void this.setSinkId(output).catch(() => {});
    // Autoplay policies refuse without a user gesture: the app learns it and calls resumeAudio().
    playRemote(element, stream, () => this._state !== 'ended' && this.emit('audioBlocked', { reason: 'autoplay' }));
  }

  /** Every move goes through CALL_TRANSITIONS; returns whether it was made. */
  protected setState(to: CallState): boolean {
    const from = this._state;
    if (from === to) return false;
    const legal = checkMove('call', CALL_TRANSITIONS, from, to, this.internals.provider, (error) =>
      this.internals.log?.('error', error.message, { ...error.details, call: this.internals.id }),
    );
    if (!legal) return false;
    this._state = to;
    this.emit('stateChanged', { from, to });
    return true;
  }

  protected emit<K extends keyof CallEvents>(type: K, payload: CallEvents[K]): void {
    const data = callTraceData(type, payload);
    if (data) this.internals.trace.record('call', type, data, this.internals.id);
    // An app handler that throws must not break the state machine, the vendor's event loop, or
    // the other handlers: the emitter shields each one and reports the failure.
    this.emitter.emit(type, payload);
  }

  /** INVALID_STATE, UNSUPPORTED or the provider call, as CALL_OPERATIONS says (call-permit.ts). */
  protected permit(operation: CallOperation): ProviderCall | undefined {
    const { direction, _state: state, providerCall } = this;
    const provider = this.internals.provider;
    return permitCallOperation(operation, { direction, state, capabilities: this.internals.capabilities(), providerCall, provider, invalidState: (op, why) => this.invalidState(op, why) });
  }

  protected invalidState(operation: string, why?: string): VoiceError {
    return new VoiceError('INVALID_STATE', `Cannot ${operation} a call that is ${this._state}${why ? `: ${why}` : ''}.`, {
      provider: this.internals.provider,
      details: { operation, state: this._state },
    });
  }

  /** Operations run one at a time: a hold must not cross an unhold on the wire. */
  protected run<T>(operation: string, op: () => Promise<T>): Promise<T> {
    const next = this.queue.then(() => this.bound(operation, op()));
    this.queue = next.catch(() => {});
    return next.catch((error: unknown) => {
      throw this.wrap(error, 'CALL_FAILED');
    });
  }

  protected bound<T>(operation: string, promise: Promise<T>): Promise<T> {
    return bounded(promise, { timeoutMs: this.internals.operationMs, what: `call.${operation}()`, provider: this.internals.provider });
  }

  protected wrap(error: unknown, code: 'CALL_FAILED'): VoiceError {
    if (isVoiceError(error)) return this.internals.redactor.error(error);
    return this.internals.redactor.error(
      new VoiceError(code, 'The call operation failed.', { provider: this.internals.provider, cause: describeCause(error) }),
    );
  }
}
