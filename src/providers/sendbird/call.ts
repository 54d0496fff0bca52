import type { DirectCall } from 'sendbird-calls';
import { VoiceError, type CallEndReason, type CallSink, type ProviderCall, type ProviderCallOptions, type ProviderSink } from '../../core/provider-kit.js';
import { NAME, callFailure } from './errors.js';

type EndResult = DirectCall['endResult'];

/** Where a DirectCall's end result leaves a polyphone call; `completed` depends on who ended it. */
function endReasonFor(result: EndResult, endedByMe: boolean, role: 'caller' | 'callee'): { reason: CallEndReason; error?: VoiceError } {
  switch (String(result)) {
    case 'completed':
      return { reason: endedByMe ? 'hangup' : 'remoteHangup' };
    case 'declined':
      return { reason: 'rejected' };
    case 'canceled':
      return { reason: 'canceled' };
    case 'no_answer':
      return { reason: 'unanswered' };
    // The call was taken on another device of this user: for this one the caller went away.
    case 'other_device_accepted':
      return { reason: 'canceled' };
    case 'connection_lost':
      return { reason: 'failed', error: new VoiceError('CALL_FAILED', 'The call ended: a party lost its connection.', { provider: NAME, cause: { code: 'connection_lost' } }) };
    case 'timed_out':
      return {
        reason: 'failed',
        error: new VoiceError('CALL_FAILED', 'The call ended: the media connection was not established in time.', { provider: NAME, cause: { code: 'timed_out' } }),
      };
    default:
      return {
        reason: 'failed',
        error: new VoiceError('CALL_FAILED', `The call ended (${String(result).slice(0, 40)}) on the ${role} side.`, {
          provider: NAME,
          cause: { code: String(result).slice(0, 40) },
        }),
      };
  }
}

/**
 * The remote audio of a DirectCall: sendbird-calls hands its remote MediaStream only to a
 * `remoteMediaView` element (by setting `srcObject`). The provider gives it a detached, muted
 * element whose `srcObject` setter forwards the stream to polyphone, which plays it where the app
 * asked (CallOptions.audioElement).
 */
export function remoteStreamCatcher(onStream: (stream: MediaStream) => void): HTMLMediaElement | undefined {
  if (typeof document === 'undefined') return undefined;
  const element = document.createElement('audio');
  element.muted = true;
  const native = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'srcObject');
  if (!native?.get || !native.set) return element;
  let last: MediaStream | undefined;
  Object.defineProperty(element, 'srcObject', {
    configurable: true,
    get: () => native.get!.call(element) as MediaProvider | null,
    set: (value: MediaProvider | null) => {
      native.set!.call(element, value);
      if (typeof MediaStream !== 'undefined' && value instanceof MediaStream && value !== last) {
        last = value;
        onStream(value);
      }
    },
  });
  return element;
}

/** Maps one sendbird-calls DirectCall onto polyphone's ProviderCall, reporting through a CallSink. */
export class SendbirdCall implements ProviderCall {
  get vendor(): DirectCall | undefined {
    return this.directCall;
  }
  private sink: CallSink | undefined;
  private pending: Array<(sink: CallSink) => void> = [];
  private endedReported = false;
  private localEnd = false;
  // An outgoing call's end is held back until the dial's own outcome is known, so that a refused
  // dial ends with the server's code (1400103 …) rather than the SDK's generic `dial_failed`.
  private dialPending: boolean;
  private heldBackEnd: DirectCall | undefined;
  readonly remoteView: HTMLMediaElement | undefined;
  /** Switches the microphone through the SDK's device manager (set by the provider). */
  selectInput: ((audio: MediaTrackConstraints) => Promise<void>) | undefined;
  /** Chooses the microphone the SDK opens when it accepts. */
  prepareInput: ((audio: MediaTrackConstraints) => Promise<void>) | undefined;

  constructor(
    private directCall: DirectCall | undefined,
    private readonly role: 'caller' | 'callee',
    private readonly log: ProviderSink['log'],
  ) {
    this.dialPending = role === 'caller';
    this.remoteView = remoteStreamCatcher((stream) => this.report((s) => s.remoteStream(stream)));
    if (directCall) this.adopt(directCall);
  }

  /** The outgoing DirectCall exists only once `dial` returns. */
  adopt(directCall: DirectCall): void {
    this.directCall = directCall;
    directCall.onCalleeDialReceived = () => this.report((s) => s.ringing());
    directCall.onEstablished = () => this.log('debug', 'direct call established (accepted), waiting for media');
    // `onConnected` fires when the RTCPeerConnection connects: media flows from then on.
    directCall.onConnected = () => this.report((s) => s.active());
    directCall.onReconnecting = () => this.log('warn', 'the call media connection is reconnecting');
    directCall.onReconnected = () => this.log('info', 'the call media connection is back');
    directCall.onUserHoldStatusChanged = (_call, isLocalUser, isUserOnHold) => {
      if (isLocalUser) return;
      this.report((s) => (isUserOnHold ? s.held() : s.unheld()));
    };
    directCall.onEnded = (call) => this.onEnded(call);
  }

  /** Incoming calls get their sink only after the core has built the handle. */
  bind(sink: CallSink): void {
    this.sink = sink;
    for (const report of this.pending.splice(0)) report(sink);
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
    if (options.audio) await this.prepareInput?.(options.audio);
    this.call().accept({ callOption: { audioEnabled: true, videoEnabled: false, ...(this.remoteView ? { remoteMediaView: this.remoteView } : {}) } });
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

  /** sendbird-calls keeps its RTCPeerConnection private (1.10: `_pc._rtcConnection`). */
  async getStats(): Promise<RTCStatsReport | undefined> {
    const pc = this.peerConnection();
    return pc ? pc.getStats() : undefined;
  }

  peerConnection(): RTCPeerConnection | undefined {
    return (this.directCall as unknown as { _pc?: { _rtcConnection?: RTCPeerConnection | null } } | undefined)?._pc?._rtcConnection ?? undefined;
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

  private reportEnd(reason: CallEndReason, error?: VoiceError): void {
    if (this.endedReported) return;
    this.endedReported = true;
    if (this.remoteView) this.remoteView.srcObject = null;
    this.report((s) => s.ended(reason, error));
  }

  private report(fn: (sink: CallSink) => void): void {
    if (this.sink) fn(this.sink);
    else this.pending.push(fn);
  }
}
