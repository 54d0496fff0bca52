import { createEmitter, type Emitter, type Handler } from './emitter.js';
import type { CallSink, LogLevel, ProviderCall, ProviderCallOptions, ProviderCapabilities } from './contract.js';
import { VoiceError, describeCause, isVoiceError } from './errors.js';
import type { CallEndReason, CallEvents } from './events.js';
import {
  CALL_OPERATIONS,
  CALL_REPORTS,
  CALL_TRANSITIONS,
  REFERRAL_STATES,
  checkMove,
  declares,
  localEndReason,
  reportMove,
  type CallOperation,
  type CallOperationRule,
  type CallState,
} from './states.js';
import type { Redactor } from './redact.js';
import { bounded } from './runtime.js';
import { errorData, type TraceRecorder } from './trace.js';
import { AgentConversation, agentTraceData, checkAgentText } from './agent/conversation.js';
import type { AgentData, TranscriptEntry } from './agent/types.js';
import { CallMedia } from './devices/call-media.js';
import type { Devices, MediaTarget } from './devices/devices.js';
import { applySink, playRemote, resumePlayback } from './devices/playback.js';
import { QualityMonitor, type QualitySample, type ResolvedQualityOptions } from './quality/index.js';
import { mediaLostError, qualityHost } from './quality/call-host.js';

export type CallDirection = 'outgoing' | 'incoming';

export interface CallOptions {
  /** Where the remote audio is played; polyphone sets its srcObject and calls play(). */
  audioElement?: HTMLMediaElement;
  /** ICE servers for this call, overriding the client's. */
  iceServers?: RTCIceServer[];
  /** Ends the call `unanswered` if nobody answers within this time (default from the client). */
  ringTimeoutMs?: number;
}

const DTMF_DIGITS = /^[0-9A-Da-d*#,]{1,64}$/;

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
 * One call, the same handle for every vendor. The state machine lives here, so a vendor that
 * reports an end twice, or not at all, still yields exactly one `ended`.
 */
export class Call<VendorCall = unknown> implements MediaTarget {
  readonly direction: CallDirection;
  /** The other party: a SIP URI, a phone number or a vendor user id. */
  readonly peer: string;
  readonly displayName: string | undefined;
  private _state: CallState = 'new';
  private _muted = false;
  private _remoteStream: MediaStream | undefined;
  private _endReason: CallEndReason | undefined;
  private providerCall: ProviderCall | undefined;
  private readonly emitter: Emitter<CallEvents> = createEmitter<CallEvents>((type, error) => this.internals.onHandlerError?.(`call ${String(type)}`, error));
  private queue: Promise<unknown> = Promise.resolve();
  private hangingUp = false;
  // While a transfer is under way (or done), the far end hanging up is the transfer's doing.
  private transferring = false;
  private readonly endedPromise: Promise<CallEvents['ended']>;
  private resolveEnded!: (event: CallEvents['ended']) => void;
  private readonly agent: AgentConversation = new AgentConversation({
    provider: () => this.internals.provider,
    live: () => this._state !== 'ended',
    emit: (type, payload) => this.emit(type, payload as never),
    declares: (capability) => this.internals.capabilities()[capability] === true,
    respond: (id, output) => this.run('respondToolCall', () => this.permit('respondToolCall')!.respondToolCall!(id, output)),
    invalidState: (operation, why) => this.invalidState(operation, why),
  });
  private readonly media = new CallMedia({
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
  private qualityMonitor: QualityMonitor | undefined;

  /** @internal */
  constructor(private readonly internals: CallInternals) {
    this.direction = internals.direction;
    this.peer = internals.peer;
    this.displayName = internals.displayName;
    this.endedPromise = new Promise((resolve) => (this.resolveEnded = resolve));
  }

  /** Unique within its client: the `#n` of the trace. */
  get id(): number {
    return this.internals.id;
  }
  get state(): CallState {
    return this._state;
  }
  get muted(): boolean {
    return this._muted;
  }
  get remoteStream(): MediaStream | undefined {
    return this._remoteStream;
  }
  get endReason(): CallEndReason | undefined {
    return this._endReason;
  }
  /** The conversation with the AI agent so far (empty where the call has no agent transcript). */
  get transcript(): readonly TranscriptEntry[] {
    return this.agent.transcript;
  }
  /**
   * The vendor SDK's own call object (sip.js Session, JsSIP RTCSession, Telnyx Call, Sendbird
   * DirectCall), for what polyphone does not cover. **Outside the stability promise**: its type
   * and behaviour are the vendor SDK's and change with it; acting on it behind polyphone's back
   * (ending, holding) can leave the call's state out of step. Undefined until the vendor made it.
   */
  get vendor(): VendorCall | undefined {
    return this.providerCall?.vendor as VendorCall | undefined;
  }
  /** The latest quality sample (one a second while established), where the provider reaches the media. */
  get quality(): QualitySample | undefined {
    return this.qualityMonitor?.latest;
  }
  /** Resolves with the `ended` event, whenever it comes. */
  get ended(): Promise<CallEvents['ended']> {
    return this.endedPromise;
  }

  on<K extends keyof CallEvents>(type: K, handler: Handler<CallEvents[K]>): () => void {
    this.emitter.on(type, handler);
    return () => this.emitter.off(type, handler);
  }
  off<K extends keyof CallEvents>(type: K, handler: Handler<CallEvents[K]>): void {
    this.emitter.off(type, handler);
  }

  async answer(options: Pick<CallOptions, 'iceServers' | 'audioElement'> = {}): Promise<void> {
    const provider = this.permit('answer')!;
    await this.internals.beforeOpen?.(this, 'answer');
    this.permit('answer');
    if (options.audioElement) this.internals.audioElement = options.audioElement;
    if (this._remoteStream && options.audioElement) this.play(this._remoteStream);
    this.setState('connecting');
    const audio = this.internals.devices.audioConstraints();
    const callOptions: ProviderCallOptions = { iceServers: options.iceServers ?? this.internals.iceServers, ...(audio ? { audio } : {}) };
    try {
      await this.run('answer', () => provider.answer!(callOptions));
    } catch (error) {
      const wrapped = this.wrap(error, 'CALL_FAILED');
      this.end('failed', wrapped);
      throw wrapped;
    }
  }

  async reject(options: { status?: number } = {}): Promise<void> {
    const provider = this.permit('reject')!;
    this.hangingUp = true;
    try {
      await this.run('reject', () => provider.reject!(options));
    } finally {
      this.end(options.status === 486 ? 'busy' : 'rejected');
    }
  }

  /** Ends the call in whatever state: cancels, rejects or hangs up. Calling it again is a no-op. */
  hangup(): Promise<void> {
    return this.terminate(undefined);
  }

  /** @internal Hangs up, but reports `reason` (the core's ring timer ends a call `unanswered`). */
  async terminate(reason: CallEndReason | undefined, error?: VoiceError): Promise<void> {
    if (this._state === 'ended' || this.hangingUp) return;
    this.hangingUp = true;
    const endReason: CallEndReason = reason ?? localEndReason(this._state, this.direction);
    try {
      if (this.providerCall) await this.bound('hangup', this.providerCall.hangup());
    } catch (error) {
      this.emit('error', { error: this.wrap(error, 'CALL_FAILED') });
    } finally {
      this.end(endReason, error);
    }
  }

  async mute(): Promise<void> {
    const provider = this.permit('mute');
    if (!provider || this._muted) return;
    await this.run('mute', () => provider.mute!());
    if (!this._muted && this._state !== 'ended') {
      this._muted = true;
      this.emit('muted', {});
    }
  }

  async unmute(): Promise<void> {
    const provider = this.permit('unmute');
    if (!provider || !this._muted) return;
    await this.run('unmute', () => provider.unmute!());
    if (this._muted && this._state !== 'ended') {
      this._muted = false;
      this.emit('unmuted', {});
    }
  }

  async hold(): Promise<void> {
    const provider = this.permit('hold');
    if (!provider) return;
    await this.run('hold', () => provider.hold!());
    this.markHeld('local');
  }

  async unhold(): Promise<void> {
    const provider = this.permit('unhold');
    if (!provider) return;
    await this.internals.beforeOpen?.(this, 'unhold');
    await this.run('unhold', () => provider.unhold!());
    this.markUnheld('local');
  }

  async sendDtmf(digits: string): Promise<void> {
    if (typeof digits !== 'string' || !DTMF_DIGITS.test(digits)) {
      throw new VoiceError('INVALID_ARGUMENT', 'DTMF digits must be 1–64 of 0-9, A-D, *, # and ",".', { provider: this.internals.provider });
    }
    const provider = this.permit('sendDtmf')!;
    await this.run('sendDtmf', () => provider.sendDtmf!(digits));
  }

  /** Sends a typed message (and optional JSON data) to the AI agent on the far end. */
  async sendText(text: string, data?: AgentData): Promise<void> {
    checkAgentText(text, data, this.internals.provider);
    const provider = this.permit('sendText')!;
    await this.run('sendText', () => provider.sendText!(text, data));
  }

  /**
   * Hands the far end to `target` (blind transfer: a SIP URI or user) or to the far end of
   * `target` when it is another of this client's calls (attended transfer). Resolves once the
   * target took the call (`transferred`); this call, and the other call, then end `transferred`.
   * Where the vendor cannot transfer: UNSUPPORTED (`capabilities.transfer`).
   */
  async transfer(target: string | Call): Promise<void> {
    const provider = this.permit('transfer')!;
    const attended = target instanceof Call;
    if (attended ? target === this || !target.providerCall || !CALL_OPERATIONS.transfer.states.includes(target.state) : typeof target !== 'string' || target.trim() === '') {
      throw new VoiceError('INVALID_ARGUMENT', 'transfer() needs a target (SIP URI or user) or another established call of this client.', {
        provider: this.internals.provider,
        details: { field: 'target' },
      });
    }
    const involved = attended ? [this, target] : [this];
    for (const call of involved) call.transferring = true;
    try {
      await this.run('transfer', () => provider.transfer!(attended ? target.providerCall! : target));
    } catch (error) {
      for (const call of involved) call.transferring = false;
      throw error;
    }
    this.emit('transferred', { target: attended ? target.peer : this.internals.redactor.text(target) });
    await Promise.all(involved.map((call) => call.terminate('transferred')));
  }

  /** @internal This call is being replaced by `replacement` (a REFER this side follows, or an INVITE with Replaces). */
  replacedBy(replacement: Call, target: string): void {
    this.transferring = true;
    this.emit('referred', { target: this.internals.redactor.text(target), call: replacement });
  }

  /** @internal The call that was to replace this one failed: this call goes on as before. */
  referralFailed(): void {
    this.transferring = false;
  }

  /** @internal Where this call's audio plays: a call that replaces it plays there too. */
  get audioElement(): HTMLMediaElement | undefined {
    return this.internals.audioElement;
  }

  /** @internal Whether this handle drives `providerCall`. */
  wraps(providerCall: ProviderCall): boolean {
    return this.providerCall === providerCall;
  }

  /** The RTCPeerConnection's stats, where the vendor exposes the connection. */
  async getStats(): Promise<RTCStatsReport | undefined> {
    return this.providerCall?.getStats?.();
  }

  /**
   * Starts the remote audio the browser refused to play (`audioBlocked`); call it from a user
   * gesture (a click). Rejects MEDIA_DENIED if the browser still refuses.
   */
  async resumeAudio(): Promise<void> {
    const element = this.internals.audioElement;
    if (element && this._remoteStream) await resumePlayback(element, this.internals.provider);
  }

  /** @internal Swaps the microphone mid-call (the app calls `client.devices.setInput`). */
  async switchInput(audio: MediaTrackConstraints): Promise<void> {
    const provider = this.permit('setInput');
    if (!provider) return;
    await this.run('setInput', () => provider.setInput!(audio));
    this.media.follow();
  }

  /** @internal Points the audio element at a speaker ('' is the default). */
  setSinkId(deviceId: string): Promise<void> {
    return applySink(this.internals.audioElement, deviceId, this.internals.provider);
  }

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
        if (REFERRAL_STATES.includes(this._state)) this.internals.onReferred?.(this, target, place);
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
    this.internals.onEnded(this);
    this.media.stop();
    this.qualityMonitor?.stop();
    this.setState('ended');
    const event = { reason, error };
    this.emit('ended', event);
    this.resolveEnded(event);
  }

  private startQuality(): void {
    const options = this.internals.quality;
    if (!options?.enabled || this.internals.capabilities().quality === false || this.qualityMonitor) return;
    this.qualityMonitor = new QualityMonitor(
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
  private markHeld(by: 'local' | 'remote'): void {
    if (reportMove(CALL_REPORTS.held, this._state) && this.setState('held')) this.emit('held', { by });
  }
  private markUnheld(by: 'local' | 'remote'): void {
    if (reportMove(CALL_REPORTS.unheld, this._state) && this.setState('active')) this.emit('unheld', { by });
  }

  /** Applies a provider's report as CALL_REPORTS says; false where it changes nothing in this state. */
  private report(table: Partial<Record<CallState, CallState>>): boolean {
    const to = reportMove(table, this._state);
    return to !== undefined && this.setState(to);
  }

  private play(stream: MediaStream): void {
    const element = this.internals.audioElement;
    if (!element) return;
    const output = this.internals.devices.output;
    if (output) void this.setSinkId(output).catch(() => {});
    // Autoplay policies refuse without a user gesture: the app learns it and calls resumeAudio().
    playRemote(element, stream, () => this._state !== 'ended' && this.emit('audioBlocked', { reason: 'autoplay' }));
  }

  /** Every move goes through CALL_TRANSITIONS; returns whether it was made. */
  private setState(to: CallState): boolean {
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

  private emit<K extends keyof CallEvents>(type: K, payload: CallEvents[K]): void {
    const data: Record<string, string | number | boolean> = {};
    if (type === 'stateChanged') Object.assign(data, payload);
    else if (type === 'ended') {
      const p = payload as CallEvents['ended'];
      data.reason = p.reason;
      Object.assign(data, errorData(p.error));
    } else if (type === 'transferred' || type === 'referred') data.target = (payload as CallEvents['transferred']).target;
    else if (type === 'held' || type === 'unheld') data.by = (payload as CallEvents['held']).by;
    else if (type === 'dtmf') data.digit = (payload as CallEvents['dtmf']).digit;
    else if (type === 'error') Object.assign(data, errorData((payload as CallEvents['error']).error));
    else if (type === 'transcript' || type === 'agentToolCall') Object.assign(data, agentTraceData(type, payload as never));
    else if (type === 'qualityWarning' || type === 'qualityWarningCleared') data.name = (payload as CallEvents['qualityWarning']).name;
    // A sample a second would drown the trace, and a partial utterance is traced only once it is
    // final: a streamed reply must not flood the log. Warnings and reconnection are trace events.
    if (type !== 'quality' && (type !== 'transcript' || (payload as CallEvents['transcript']).final)) this.internals.trace.record('call', type, data, this.internals.id);
    // An app handler that throws must not break the state machine, the vendor's event loop, or
    // the other handlers: the emitter shields each one and reports the failure.
    this.emitter.emit(type, payload);
  }

  /**
   * The one check before an operation reaches the provider, read from CALL_OPERATIONS: direction
   * and state (INVALID_STATE), capability and the provider's method (UNSUPPORTED). Undefined: the
   * operation has nothing to do in this state and resolves at once.
   */
  private permit(operation: CallOperation): ProviderCall | undefined {
    const rule: CallOperationRule = CALL_OPERATIONS[operation];
    if (rule.direction && this.direction !== rule.direction) throw this.invalidState(operation, `only an ${rule.direction} call can`);
    if (rule.later?.includes(this._state)) return undefined;
    if (rule.capability && !declares(this.internals.capabilities(), rule.capability)) throw this.unsupported(operation);
    if (!rule.states.includes(this._state)) throw this.invalidState(operation);
    if (rule.noop?.includes(this._state)) return undefined;
    const provider = this.providerCall;
    if (!provider) throw this.invalidState(operation, 'the call is still being set up');
    if (typeof provider[operation] !== 'function') throw this.unsupported(operation);
    return provider;
  }

  private unsupported(operation: CallOperation): VoiceError {
    return new VoiceError('UNSUPPORTED', `The ${this.internals.provider} provider cannot ${operation}.`, {
      provider: this.internals.provider,
      details: { operation },
    });
  }

  private invalidState(operation: string, why?: string): VoiceError {
    return new VoiceError('INVALID_STATE', `Cannot ${operation} a call that is ${this._state}${why ? `: ${why}` : ''}.`, {
      provider: this.internals.provider,
      details: { operation, state: this._state },
    });
  }

  /** Operations run one at a time: a hold must not cross an unhold on the wire. */
  private run<T>(operation: string, op: () => Promise<T>): Promise<T> {
    const next = this.queue.then(() => this.bound(operation, op()));
    this.queue = next.catch(() => {});
    return next.catch((error: unknown) => {
      throw this.wrap(error, 'CALL_FAILED');
    });
  }

  private bound<T>(operation: string, promise: Promise<T>): Promise<T> {
    return bounded(promise, { timeoutMs: this.internals.operationMs, what: `call.${operation}()`, provider: this.internals.provider });
  }

  private wrap(error: unknown, code: 'CALL_FAILED'): VoiceError {
    if (isVoiceError(error)) return this.internals.redactor.error(error);
    return this.internals.redactor.error(
      new VoiceError(code, 'The call operation failed.', { provider: this.internals.provider, cause: describeCause(error) }),
    );
  }
}
