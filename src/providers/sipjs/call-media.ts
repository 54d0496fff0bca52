/**
 * What one sip.js call does with its local media, through sip.js's Web SessionDescriptionHandler:
 * the microphone's sending track (silenced while muted by the app or held by this side; sendonly
 * would still carry it), a mid-call microphone switch, and the RTCDTMFSender for RFC 4733 digits.
 */
import type { Session } from 'sip.js';
import { VoiceError, describeCause, openMicrophone } from '../../core/provider-kit.js';

const NAME = 'sipjs';

/** The part of sip.js's Web SessionDescriptionHandler the call uses. */
interface WebSdh {
  peerConnection: RTCPeerConnection | undefined;
  remoteMediaStream: MediaStream;
  setLocalMediaStream(stream: MediaStream): Promise<void>;
}

export class SipjsCallMedia {
  // The outgoing leg is muted by the app and/or held by this side; either silences the microphone.
  private muted = false;
  private _holding = false;

  constructor(private readonly session: Session) {}

  get holding(): boolean {
    return this._holding;
  }

  get peerConnection(): RTCPeerConnection | undefined {
    return this.sdh()?.peerConnection;
  }

  get remoteStream(): MediaStream | undefined {
    return this.sdh()?.remoteMediaStream;
  }

  setMuted(muted: boolean): void {
    this.requirePeerConnection();
    this.muted = muted;
    this.applySending();
  }

  setHolding(holding: boolean): void {
    this._holding = holding;
    this.applySending();
  }

  /**
   * sip.js's own SessionDescriptionHandler.setLocalMediaStream: replaceTrack on the sender, the old
   * track stopped and its local stream kept in step (so its hold and mute keep working).
   */
  async switchInput(audio: MediaTrackConstraints): Promise<void> {
    this.requirePeerConnection();
    const track = await openMicrophone(NAME, audio);
    track.enabled = !this.muted && !this._holding;
    try {
      await this.sdh()!.setLocalMediaStream(new MediaStream([track]));
    } catch (error) {
      track.stop();
      throw new VoiceError('CALL_FAILED', 'The microphone could not be switched.', { provider: NAME, cause: describeCause(error) });
    }
  }

  /** The audio sender's RTCDTMFSender, where RFC 4733 was negotiated. */
  dtmfSender(): RTCDTMFSender | undefined {
    const sender = this.peerConnection?.getSenders().find((s) => s.track?.kind === 'audio');
    return sender?.dtmf?.canInsertDTMF ? sender.dtmf : undefined;
  }

  private sdh(): WebSdh | undefined {
    return this.session.sessionDescriptionHandler as unknown as WebSdh | undefined;
  }

  private requirePeerConnection(): RTCPeerConnection {
    const pc = this.peerConnection;
    if (!pc) throw new VoiceError('INVALID_STATE', 'The call has no media yet.', { provider: NAME });
    return pc;
  }

  private applySending(): void {
    const pc = this.peerConnection;
    if (!pc) return;
    const enabled = !this.muted && !this._holding;
    for (const sender of pc.getSenders()) if (sender.track?.kind === 'audio') sender.track.enabled = enabled;
  }
}
