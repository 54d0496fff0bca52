/**
 * Choosing the microphone through sendbird-calls' own device manager: `selectAudioInputDevice`
 * takes one of the devices the SDK itself listed; the SDK then opens it and replaces the track on
 * its RTCPeerConnection in the background (it returns nothing to wait on).
 */
import { VoiceError, delay, exactDeviceId } from '../../core/provider-kit.js';
import { NAME } from './errors.js';
import type { SendBirdCallSdk } from './sdk.js';

const SWITCH_WAIT_MS = 5_000;
const SWITCH_POLL_MS = 50;

type Sdk = Pick<SendBirdCallSdk, 'getAvailableAudioInputDevices' | 'selectAudioInputDevice' | 'updateMediaDevices'>;

function sendingTrack(pc: RTCPeerConnection | undefined): MediaStreamTrack | undefined {
  return pc?.getSenders().find((s) => s.track?.kind === 'audio')?.track ?? undefined;
}

function find(sdk: Sdk, wanted: string | undefined): InputDeviceInfo | undefined {
  const devices = sdk.getAvailableAudioInputDevices();
  // The SDK's own fallback is the first device it lists (the browser's `default` comes first).
  return wanted ? devices.find((d) => d.deviceId === wanted) : devices.find((d) => d.deviceId === 'default') ?? devices[0];
}

/** Before a call: the SDK opens this microphone when it dials or accepts. */
export async function chooseInput(sdk: Sdk, audio: MediaTrackConstraints | undefined): Promise<InputDeviceInfo> {
  const wanted = exactDeviceId(audio);
  let device = find(sdk, wanted);
  if (!device) {
    // Its list is refreshed on its own schedule: ask it to look again once.
    sdk.updateMediaDevices({ audio: true, video: false });
    for (let waited = 0; !device && waited < SWITCH_WAIT_MS; waited += SWITCH_POLL_MS) {
      await delay(SWITCH_POLL_MS);
      device = find(sdk, wanted);
    }
  }
  if (!device) throw new VoiceError('MEDIA_DENIED', 'That microphone is not available.', { provider: NAME, details: { field: 'deviceId' } });
  sdk.selectAudioInputDevice(device);
  return device;
}

/** During a call: selects the device and waits until the SDK has put its track on the sender. */
export async function switchInput(sdk: Sdk, audio: MediaTrackConstraints, pc: () => RTCPeerConnection | undefined): Promise<void> {
  const before = sendingTrack(pc());
  if (!before) throw new VoiceError('INVALID_STATE', 'The call has no microphone to switch yet.', { provider: NAME });
  await chooseInput(sdk, audio);
  for (let waited = 0; waited < SWITCH_WAIT_MS; waited += SWITCH_POLL_MS) {
    const now = sendingTrack(pc());
    if (now && now !== before && now.readyState === 'live') return;
    await delay(SWITCH_POLL_MS);
  }
  throw new VoiceError('CALL_FAILED', 'The Sendbird SDK did not switch the microphone.', { provider: NAME });
}
