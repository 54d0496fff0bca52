// One echo call: a plain RTCPeerConnection whose whole SDP travels through the exchange in one
// message each way (offer in `invite`, answer in `answer`), and the exchange's call messages
// translated onto polyphone's call sink. The core owns the call's states and end reasons for what
// this side does; the provider reports only what the far end did.
import { bounded, getMicrophone, VoiceError, type CallSink, type ProviderCall } from 'polyphone/provider';

const NAME = 'echo';
const GATHERING_MS = 5_000;

/** A message of the exchange's wire (see ../lab/exchange.mjs). */
export interface Signal {
  type: string;
  id?: string;
  sdp?: string;
}

export interface EchoCallStart {
  id: string;
  direction: 'outgoing' | 'incoming';
  peer: string;
  /** Outgoing calls open the microphone before the offer; incoming ones when answered. */
  microphone?: MediaStream;
  /** The caller's offer, for an incoming call. */
  remoteSdp?: string;
  iceServers: RTCIceServer[] | undefined;
  send(message: Record<string, unknown>): void;
  /**
   * Where the call reports, bound by the core before the call exists: the sink it gave call(), or
   * for an incoming call the one it hands incomingCall()'s create.
   */
  sink: CallSink;
  forget(id: string): void;
}

export type EchoCall = ReturnType<typeof startEchoCall>;

export function startEchoCall(start: EchoCallStart) {
  const { id, sink } = start;
  const pc = new RTCPeerConnection({ iceServers: start.iceServers ?? [] });
  let answered = false;
  let over = false;
  let microphone = start.microphone;
  pc.ontrack = (event) => sink.remoteStream(event.streams[0] ?? new MediaStream([event.track]));

  const close = () => {
    if (over) return;
    over = true;
    pc.close();
    microphone?.getTracks().forEach((track) => track.stop());
    start.forget(id);
  };
  /** The far end ended the call: the reason is the one only this side can know. */
  const endedByPeer = (reason: 'remoteHangup' | 'canceled' | 'rejected' | 'failed', error?: VoiceError) => {
    if (over) return;
    close();
    sink.ended(reason, error);
  };
  const sendSafely = (message: Record<string, unknown>) => {
    try {
      start.send(message);
    } catch {
      // Not connected any more: the far end learns from the exchange that this side left.
    }
  };
  const localSdp = async (description: RTCSessionDescriptionInit) => {
    await pc.setLocalDescription(description);
    // No trickle on this wire: the SDP goes once, with every candidate gathered.
    if (pc.iceGatheringState !== 'complete') {
      const gathered = new Promise<void>((resolve) => pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve()));
      await bounded(gathered, { timeoutMs: GATHERING_MS, what: 'ICE gathering', provider: NAME });
    }
    return pc.localDescription!.sdp;
  };
  const sender = () => pc.getSenders().find((s) => s.track?.kind === 'audio');

  const handle: ProviderCall = {
    vendor: pc,
    async hangup() {
      if (over) return;
      sendSafely({ type: 'bye', id });
      close();
    },
    async answer() {
      if (start.direction !== 'incoming' || answered) throw new VoiceError('INVALID_STATE', 'Only a ringing incoming call can be answered.', { provider: NAME });
      await pc.setRemoteDescription({ type: 'offer', sdp: start.remoteSdp! });
      microphone = await getMicrophone(NAME);
      for (const track of microphone.getAudioTracks()) pc.addTrack(track, microphone);
      const sdp = await localSdp(await pc.createAnswer());
      start.send({ type: 'answer', id, sdp });
      answered = true;
      sink.active();
    },
    async reject() {
      sendSafely({ type: 'reject', id });
      close();
    },
    async mute() {
      const track = sender()?.track;
      if (track) track.enabled = false;
    },
    async unmute() {
      const track = sender()?.track;
      if (track) track.enabled = true;
    },
    getStats: async () => (over ? undefined : pc.getStats()),
    peerConnection: () => (over ? undefined : pc),
  };

  return {
    id,
    handle,
    /** Sends the offer; `ringing`, `answer` or an end follow as messages. */
    async offer() {
      for (const track of microphone!.getAudioTracks()) pc.addTrack(track, microphone!);
      const sdp = await localSdp(await pc.createOffer());
      start.send({ type: 'invite', id, to: start.peer, sdp });
    },
    async receive(message: Signal) {
      if (message.type === 'ringing') return sink.ringing();
      if (message.type === 'answer') {
        await pc.setRemoteDescription({ type: 'answer', sdp: message.sdp! });
        answered = true;
        return sink.active();
      }
      if (message.type === 'rejected') return endedByPeer('rejected');
      if (message.type === 'bye') return endedByPeer(answered ? 'remoteHangup' : 'canceled');
      if (message.type === 'failed') return endedByPeer('failed', new VoiceError('CALL_FAILED', 'The exchange has nobody of that name online.', { provider: NAME }));
    },
    /** The exchange connection is gone: the call cannot go on. */
    lost() {
      endedByPeer('failed', new VoiceError('MEDIA_LOST', 'The exchange connection was lost during the call.', { provider: NAME }));
    },
    close,
  };
}
