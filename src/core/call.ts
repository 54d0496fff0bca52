import type { Handler } from './emitter.js';
import type { CallSink, ProviderCall, ProviderCallOptions } from './contract.js';
import { VoiceError } from './errors.js';
import type { CallEndReason, CallEvents } from './events.js';
import { CALL_OPERATIONS, localEndReason, type CallState } from './states.js';
import { checkAgentText } from './agent/conversation.js';
import type { AgentData, TranscriptEntry } from './agent/types.js';
import type { MediaTarget } from './devices/devices.js';
import { applySink, resumePlayback } from './devices/playback.js';
import type { QualitySample } from './quality/index.js';
import type { Call, CallOptions } from './api.js';
import { CallCore } from './call-core.js';

export type { CallInternals } from './call-core.js';

const DTMF_DIGITS = /^[0-9A-Da-d*#,]{1,64}$/;

/**
 * The Call an app holds (api.ts): the app's operations, each checked against CALL_OPERATIONS;
 * the machinery under it is CallCore's. Internal: the public type is the `Call` interface.
 */
export class DefaultCall<VendorCall = unknown> extends CallCore implements Call<VendorCall>, MediaTarget {
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
    const stream = this.internals.preparedStream?.(audio);
    const callOptions: ProviderCallOptions = { iceServers: options.iceServers ?? this.internals.iceServers, ...(audio ? { audio } : {}), ...(stream ? { stream } : {}) };
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
    const other = target instanceof DefaultCall ? target : undefined;
    if (other ? other === this || !other.providerCall || !CALL_OPERATIONS.transfer.states.includes(other.state) : typeof target !== 'string' || target.trim() === '') {
      throw new VoiceError('INVALID_ARGUMENT', 'transfer() needs a target (SIP URI or user) or another established call of this client.', {
        provider: this.internals.provider,
        details: { field: 'target' },
      });
    }
    const involved = other ? [this, other] : [this];
    for (const call of involved) call.transferring = true;
    try {
      await this.run('transfer', () => provider.transfer!(other ? other.providerCall! : (target as string)));
    } catch (error) {
      for (const call of involved) call.transferring = false;
      throw error;
    }
    this.emit('transferred', { target: other ? other.peer : this.internals.redactor.text(target as string) });
    await Promise.all(involved.map((call) => call.terminate('transferred')));
  }

  /**
   * @internal Has the provider place this call (its `call()`, or a REFER's `place`) with this
   * call's sink, bound before the provider can report anything, and attaches what it returns.
   * An end the vendor reports before placing succeeds waits: when placing fails, its error is
   * why the call ended and the caller ends the call with it (sip.js ends a session itself when
   * the microphone is refused, before its invite() rejects); when it succeeds, the end goes on.
   */
  async placing(place: (sink: CallSink) => Promise<ProviderCall>): Promise<void> {
    const sink = this.sink();
    let placed = false;
    let heldEnd: (() => void) | undefined;
    const ended: CallSink['ended'] = (reason, error) => {
      if (placed) sink.ended(reason, error);
      else heldEnd ??= () => sink.ended(reason, error);
    };
    this.attach(await place({ ...sink, ended }));
    placed = true;
    heldEnd?.();
  }

  /** @internal This call is being replaced by `replacement` (a REFER this side follows, or an INVITE with Replaces). */
  replacedBy(replacement: DefaultCall, target: string): void {
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

}
