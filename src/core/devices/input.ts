import { VoiceError, describeCause } from '../errors.js';
import { assertWebRtc, mediaError } from '../runtime.js';

/**
 * Opens the microphone matching `audio` ({} or undefined: the default one) for a provider that
 * swaps a call's input itself; a refusal or a missing device is MEDIA_DENIED.
 */
export async function openMicrophone(provider: string, audio: MediaTrackConstraints | undefined): Promise<MediaStreamTrack> {
  assertWebRtc(provider);
  const constraints = audio && Object.keys(audio).length > 0 ? audio : true;
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: constraints, video: false });
  } catch (error) {
    throw mediaError(error, provider) ?? new VoiceError('MEDIA_DENIED', 'The microphone could not be opened.', { provider, cause: describeCause(error) });
  }
  const track = stream.getAudioTracks()[0];
  if (!track) throw new VoiceError('MEDIA_DENIED', 'The microphone gave no audio track.', { provider });
  return track;
}

/** The device id a constraint set asks for exactly (undefined: the default microphone). */
export function exactDeviceId(audio: MediaTrackConstraints | undefined): string | undefined {
  const id = audio?.deviceId;
  if (typeof id === 'string') return id;
  if (id && typeof id === 'object' && !Array.isArray(id)) {
    const exact = (id as ConstrainDOMStringParameters).exact;
    return typeof exact === 'string' ? exact : undefined;
  }
  return undefined;
}

/** Replaces the audio sender's track of `pc` (no renegotiation) and stops the old one. */
export async function replaceSendingTrack(provider: string, pc: RTCPeerConnection | undefined, track: MediaStreamTrack): Promise<void> {
  const sender = pc?.getSenders().find((s) => s.track?.kind === 'audio' || (s.track === null && pc.getTransceivers().some((t) => t.sender === s && t.receiver.track.kind === 'audio')));
  if (!sender) {
    track.stop();
    throw new VoiceError('INVALID_STATE', 'The call has no audio sender to switch.', { provider });
  }
  const old = sender.track;
  try {
    await sender.replaceTrack(track);
  } catch (error) {
    track.stop();
    throw new VoiceError('CALL_FAILED', 'The microphone could not be switched.', { provider, cause: describeCause(error) });
  }
  if (old && old !== track) old.stop();
}
