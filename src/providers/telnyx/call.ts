import { VoiceError, delay, mediaError, describeCause, exactDeviceId, type AgentData, type CallSink, type LogLevel, type ProviderCall, type ProviderCallOptions } from '../../core/provider-kit.js';
import { TelnyxAgent, type AgentSdkCall } from './agent.js';
import { remoteEndReason } from './errors.js';
import { peerConnectionOf, setAnswerMedia } from './quirks.js';

const NAME = 'telnyx';

/** The part of the SDK's Call object the provider uses (2.27.x). */
export interface SdkCall extends AgentSdkCall {
  id: string;
  state: string;
  direction?: string;
  cause?: string;
  causeCode?: number;
  sipCode?: number;
  sipReason?: string;
  options: { remoteCallerName?: string; remoteCallerNumber?: string; iceServers?: RTCIceServer[]; remoteStream?: MediaStream; localStream?: MediaStream; micId?: string };
  peer?: { instance?: RTCPeerConnection };
  answer(params?: object): Promise<void>;
  hangup(params?: { cause?: string; causeCode?: number }, execute?: boolean): Promise<void>;
  hold(): Promise<unknown>;
  unhold(): Promise<unknown>;
  dtmf(digits: string): void;
  muteAudio(): void;
  unmuteAudio(): void;
  /** Reports its failures as notifications, never by rejecting. */
  setAudioInDevice(deviceId: string, muted?: boolean): Promise<void>;
}

const ESTABLISHED = new Set(['active', 'held']);

/** Maps one SDK call onto polyphone's ProviderCall, reporting through a CallSink. */
export class TelnyxCall implements ProviderCall {
  get vendor(): SdkCall {
    return this.sdkCall;
  }
  private wasActive = false;
  private localEnd = false;
  private muted = false;
  private holding = false;
  private endReported = false;
  private ringingReported = false;
  private streamReported: MediaStream | undefined;
  private failure: VoiceError | undefined;
  /** The AI assistant's side of the call: its `ai_conversation` frames and what goes back. */
  readonly agent: TelnyxAgent;

  constructor(
    readonly sdkCall: SdkCall,
    readonly direction: 'inbound' | 'outbound',
    /** Bound by the core before this call exists: every report goes straight to it. */
    private readonly sink: CallSink,
    /** Calls of an anonymous session cannot be answered. */
    answerable: boolean,
    log: (level: LogLevel, message: string, data?: Record<string, unknown>) => void = () => {},
  ) {
    if (!answerable) this.answer = undefined;
    this.agent = new TelnyxAgent(sdkCall, sink, log);
  }

  // ---- what the SDK reports ----

  /** A `callUpdate` notification for this call. */
  onState(state: string): void {
    if (this.endReported) return;
    if (state === 'early') {
      this.reportRinging();
      this.reportStream();
    } else if (state === 'active' && !this.wasActive) {
      this.wasActive = true;
      this.reportStream();
      this.sink.active();
    } else if (state === 'hangup' || state === 'destroy' || state === 'purge') {
      this.reportEnd();
    }
  }

  /** `telnyx_rtc.ringing` for an outgoing call: the far end is alerting (the SDK changes no state). */
  onRemoteRinging(): void {
    this.reportRinging();
  }

  /** `telnyx_rtc.info` from the far end carrying DTMF. */
  onRemoteDtmf(digits: string): void {
    for (const digit of digits) if (/^[0-9A-Da-d*#]$/.test(digit)) this.sink.dtmf(digit);
  }

  /** A `telnyx.error` naming this call: it ends `failed` with this error (the SDK hangs it up next). */
  onError(error: VoiceError): void {
    this.failure ??= error;
    if (this.endReported) return;
    const state = this.sdkCall.state;
    if (state === 'hangup' || state === 'destroy') this.reportEnd();
  }

  // ---- ProviderCall ----

  async hangup(): Promise<void> {
    this.localEnd = true;
    const established = ESTABLISHED.has(this.sdkCall.state);
    // The SDK sends USER_BUSY for any hangup before answer; say what actually happened instead.
    const params = established
      ? {}
      : this.direction === 'outbound'
        ? { cause: 'ORIGINATOR_CANCEL', causeCode: 487 }
        : { cause: 'CALL_REJECTED', causeCode: 21 };
    await this.sdkCall.hangup(params, true);
  }

  answer: ((options: ProviderCallOptions) => Promise<void>) | undefined = async (options) => {
    setAnswerMedia(this.sdkCall, { iceServers: options.iceServers, micId: exactDeviceId(options.audio), stream: options.stream });
    try {
      await this.sdkCall.answer({});
    } catch (error) {
      throw mediaError(error, NAME) ?? new VoiceError('CALL_FAILED', 'The call could not be answered.', { provider: NAME, cause: describeCause(error) });
    }
    if (this.failure) throw this.failure;
  };

  async reject(options: { status?: number }): Promise<void> {
    this.localEnd = true;
    const busy = options.status === 486 || options.status === 600;
    await this.sdkCall.hangup(busy ? { cause: 'USER_BUSY', causeCode: 17 } : { cause: 'CALL_REJECTED', causeCode: 21 }, true);
  }

  async mute(): Promise<void> {
    this.muted = true;
    this.sdkCall.muteAudio();
  }

  async unmute(): Promise<void> {
    this.muted = false;
    if (!this.holding) this.sdkCall.unmuteAudio();
  }

  async hold(): Promise<void> {
    // The SDK catches a refused modify itself and resolves false (it emits 44001 as well).
    if ((await this.sdkCall.hold()) === false) throw holdFailed('hold');
    this.holding = true;
    this.silence(true);
  }

  async unhold(): Promise<void> {
    if ((await this.sdkCall.unhold()) === false) throw holdFailed('unhold');
    this.holding = false;
    this.silence(false);
  }

  /**
   * 2.27's hold() only tells the server (whose media server then stops the audio) and leaves the
   * peer connection running; where media flows end to end, both directions would go on. A held
   * call is silent both ways, so the holder stops sending and stops playing what arrives.
   */
  private silence(held: boolean): void {
    const pc = peerConnectionOf(this.sdkCall);
    if (!pc) return;
    for (const sender of pc.getSenders()) if (sender.track?.kind === 'audio') sender.track.enabled = !held && !this.muted;
    for (const receiver of pc.getReceivers()) if (receiver.track.kind === 'audio') receiver.track.enabled = !held;
  }

  async sendDtmf(digits: string): Promise<void> {
    // One telnyx_rtc.info per digit, so the far end gets each tone as its own event, in order.
    for (const digit of digits) {
      if (digit === ',') await delay(500);
      else this.sdkCall.dtmf(digit);
    }
  }

  sendText(text: string, data: AgentData | undefined): Promise<void> {
    return this.agent.sendText(text, data);
  }

  async respondToolCall(id: string, output: string): Promise<void> {
    await this.agent.respondToolCall(id, output);
  }

  async getStats(): Promise<RTCStatsReport | undefined> {
    return peerConnectionOf(this.sdkCall)?.getStats();
  }

  /**
   * The SDK's own setAudioInDevice (getUserMedia, replaceTrack, the old track stopped). It reports
   * a failure only as a notification, so success is read off the sender: its track must change.
   */
  async setInput(audio: MediaTrackConstraints): Promise<void> {
    const pc = peerConnectionOf(this.sdkCall);
    const before = pc?.getSenders().find((s) => s.track?.kind === 'audio')?.track;
    if (!pc || !before) throw new VoiceError('INVALID_STATE', 'The call has no microphone to switch yet.', { provider: NAME });
    await this.sdkCall.setAudioInDevice(exactDeviceId(audio) ?? 'default', this.muted);
    const after = pc.getSenders().find((s) => s.track?.kind === 'audio')?.track;
    if (!after || after === before) throw new VoiceError('MEDIA_DENIED', 'The microphone could not be switched.', { provider: NAME });
    if (this.holding) this.silence(true);
  }

  peerConnection(): RTCPeerConnection | undefined {
    return peerConnectionOf(this.sdkCall);
  }

  // ---- internals ----

  private reportRinging(): void {
    if (this.ringingReported || this.direction !== 'outbound') return;
    this.ringingReported = true;
    this.sink.ringing();
  }

  private reportStream(): void {
    const stream = this.sdkCall.options.remoteStream;
    if (stream && stream !== this.streamReported) {
      this.streamReported = stream;
      this.sink.remoteStream(stream);
      return;
    }
    if (stream) return;
    // The track may land just after the state change.
    peerConnectionOf(this.sdkCall)?.addEventListener('track', () => this.reportStream(), { once: true });
  }

  private reportEnd(): void {
    if (this.endReported) return;
    this.endReported = true;
    const call = this.sdkCall;
    if (this.failure && !this.localEnd) {
      const error = this.failure;
      this.sink.ended('failed', error);
    } else if (this.localEnd) {
      // The core ends a call this side hung up or declined, with the reason it knows (busy, rejected…).
      return;
    } else {
      const { reason, error } = remoteEndReason(
        { cause: call.cause || undefined, causeCode: call.causeCode || undefined, sipCode: call.sipCode || undefined, sipReason: call.sipReason || undefined },
        this.direction,
        this.wasActive,
      );
      this.sink.ended(reason, error);
    }
  }

}

function holdFailed(action: 'hold' | 'unhold'): VoiceError {
  return new VoiceError('CALL_FAILED', `Telnyx refused the ${action}.`, { provider: NAME, cause: { name: 'HOLD_FAILED', code: 44001 } });
}
