import type { DirectCall } from 'sendbird-calls';
import { VoiceError, type CallEndReason, type CallSink, type ProviderCall, type ProviderCallOptions, type ProviderSink } from '../../core/provider-kit.js';
import { NAME, callFailure, connectionTimeout, endReasonFor } from './errors.js';
import { asOnlyCall, peerConnectionOf, remoteStreamCatcher } from './quirks.js';

const IGNORE = (): void => {};

/** Maps one sendbird-calls DirectCall onto polyphone's ProviderCall, reporting through a CallSink. */
export class SendbirdCall implements ProviderCall {
  get vendor(): DirectCall | undefined {
    return this.directCall;
  }
  private endedReported = false;
  private localEnd = false;
  // An outgoing call's end is held back until the dial's own outcome is known, so that a refused
  // dial ends with the server's code (1400103 …) rather than the SDK's generic `dial_failed`.
  private dialPending: boolean;
  private heldBackEnd: DirectCall | undefined;
  // Started when the call is accepted (`onEstablished`), stopped by `onConnected`. sendbird-calls
  // has a connection timer of its own (the provider sets it to the same length), but starts it only
  // on the side that initiates the media connection, after building it; this one holds on both
  // sides whatever happened to the RTCPeerConnection (whose failure the SDK only logs).
  private connectionTimer: ReturnType<typeof setTimeout> | undefined;
  readonly remoteView: HTMLMediaElement | undefined;
  /** Switches the microphone through the SDK's device manager (set by the provider). */
  selectInput: ((audio: MediaTrackConstraints) => Promise<void>) | undefined;
  /** Chooses the microphone the SDK opens when it accepts. */
  prepareInput: ((audio: MediaTrackConstraints) => Promise<void>) | undefined;
  /** The SDK's calls in progress (set by the provider). */
  ongoingCalls: () => DirectCall[] = () => [];

  constructor(
    private directCall: DirectCall | undefined,
    private readonly role: 'caller' | 'callee',
    /** Bound by the core before this call exists: every report goes straight to it. */
    private readonly sink: CallSink,
    private readonly log: ProviderSink['log'],
    /** How long an accepted call may take to connect its media before it fails. */
    private readonly connectionTimeoutMs: number,
    /** Told what the app asked for when it answers (the provider warns about what it ignores). */
    private readonly answering: (options: ProviderCallOptions) => void = () => {},
  ) {
    this.dialPending = role === 'caller';
    this.remoteView = remoteStreamCatcher((stream) => this.sink.remoteStream(stream));
    if (directCall) this.adopt(directCall);
  }

  /** The outgoing DirectCall exists only once `dial` returns. */
  adopt(directCall: DirectCall): void {
    this.directCall = directCall;
    directCall.onCalleeDialReceived = () => this.sink.ringing();
    directCall.onEstablished = () => {
      this.log('debug', 'direct call established (accepted), waiting for media');
      this.startConnectionTimer();
    };
    // `onConnected` fires when the RTCPeerConnection connects: media flows from then on.
    directCall.onConnected = () => {
      this.stopConnectionTimer();
      this.sink.active();
    };
    directCall.onReconnecting = () => this.log('warn', 'the call media connection is reconnecting');
    directCall.onReconnected = () => this.log('info', 'the call media connection is back');
    directCall.onUserHoldStatusChanged = (_call, isLocalUser, isUserOnHold) => {
      if (isLocalUser) return;
      if (isUserOnHold) this.sink.held();
      else this.sink.unheld();
    };
    directCall.onEnded = (call) => this.onEnded(call);
  }

  /** The server acknowledged the dial. */
  dialAccepted(): void {
    this.dialPending = false;
    if (this.heldBackEnd) this.onEnded(this.heldBackEnd);
  }

  /** The dial was refused (callee unknown 1400103, no permission …): the call ends `failed`. */
  dialFailed(error: unknown): void {
    this.dialPending = false;
    this.reportEnd('failed', callFailure(error, 'The dial'));
  }

  async hangup(): Promise<void> {
    this.localEnd = true;
    // end() cancels an unanswered outgoing call, declines a ringing incoming one, ends the rest.
    this.directCall?.end();
  }

  async answer(options: ProviderCallOptions): Promise<void> {
    // sendbird-calls builds its RTCPeerConnection from the TURN credential its server sends with the
    // call; the app's iceServers have no way in. The microphone is the SDK's current device.
    this.answering(options);
    if (options.audio) await this.prepareInput?.(options.audio);
    const call = this.call();
    const accept = (holdActiveCall: boolean) =>
      call.accept({ callOption: { audioEnabled: true, videoEnabled: false, ...(this.remoteView ? { remoteMediaView: this.remoteView } : {}) }, holdActiveCall });
    // With other calls in progress (the core has held them), the SDK must not touch them: see quirks.ts.
    const others = this.ongoingCalls().filter((other) => other !== call);
    if (others.length > 0) asOnlyCall(others[0]!, call, () => accept(true));
    else accept(false);
  }

  async reject(): Promise<void> {
    this.localEnd = true;
    this.call().end();
  }

  async mute(): Promise<void> {
    this.call().muteMicrophone();
  }

  async unmute(): Promise<void> {
    this.call().unmuteMicrophone();
  }

  async hold(): Promise<void> {
    try {
      await this.call().hold();
    } catch (error) {
      throw callFailure(error, 'The hold');
    }
  }

  async unhold(): Promise<void> {
    try {
      // force=false: never take another ongoing call off hold behind the app's back.
      await this.call().unhold(false);
    } catch (error) {
      throw callFailure(error, 'The unhold');
    }
  }

  async getStats(): Promise<RTCStatsReport | undefined> {
    const pc = this.peerConnection();
    return pc ? pc.getStats() : undefined;
  }

  peerConnection(): RTCPeerConnection | undefined {
    return peerConnectionOf(this.directCall);
  }

  async setInput(audio: MediaTrackConstraints): Promise<void> {
    if (!this.selectInput) throw new VoiceError('UNSUPPORTED', 'This call cannot switch its microphone.', { provider: NAME });
    await this.selectInput(audio);
  }

  private call(): DirectCall {
    if (!this.directCall) throw new VoiceError('INVALID_STATE', 'The call is still being set up.', { provider: NAME });
    return this.directCall;
  }

  private onEnded(call: DirectCall): void {
    if (this.dialPending) {
      this.heldBackEnd = call;
      return;
    }
    const endedBy = call.endedBy?.userId;
    const endedByMe = this.localEnd || (endedBy !== undefined && endedBy === call.localUser?.userId);
    const { reason, error } = endReasonFor(call.endResult, endedByMe, this.role);
    this.reportEnd(reason, error);
  }

  private startConnectionTimer(): void {
    if (this.connectionTimer || this.endedReported) return;
    this.connectionTimer = setTimeout(() => {
      this.connectionTimer = undefined;
      if (this.endedReported) return;
      this.log('warn', `the accepted call's media connection did not come up within ${this.connectionTimeoutMs} ms; ending it`);
      // Reported first: the SDK's own end that follows is then ignored.
      this.reportEnd('failed', connectionTimeout(this.connectionTimeoutMs));
      this.localEnd = true;
      try {
        this.directCall?.end();
      } catch {
        /* already ending */
      }
    }, this.connectionTimeoutMs);
  }

  private stopConnectionTimer(): void {
    clearTimeout(this.connectionTimer);
    this.connectionTimer = undefined;
  }

  private reportEnd(reason: CallEndReason, error?: VoiceError): void {
    if (this.endedReported) return;
    this.endedReported = true;
    this.stopConnectionTimer();
    if (this.remoteView) this.remoteView.srcObject = null;
    this.sink.ended(reason, error);
    this.release();
  }

  /**
   * sendbird-calls keeps every DirectCall it ever had (its call manager's map), with the handlers
   * set on it and the remote view it was given (whose catcher calls back here): once the end has
   * been told, the core's call must not hang off them. Without this a shift of 300 calls in one
   * page kept every call's core side alive (bench/shift.mjs: +3.5 MB, raw sendbird-calls +2.0 MB).
   */
  private release(): void {
    const call = this.directCall;
    if (!call) return;
    call.onCalleeDialReceived = IGNORE;
    call.onEstablished = IGNORE;
    call.onConnected = IGNORE;
    call.onReconnecting = IGNORE;
    call.onReconnected = IGNORE;
    call.onUserHoldStatusChanged = IGNORE;
    call.onEnded = IGNORE;
  }
}
