// Two microphones a far end can tell apart, for device tests in a lab page. Chromium's own fake
// inputs all play the same beep, so the page's getUserMedia is replaced: each fake input is an
// OscillatorNode tone of its own frequency (through a MediaStreamAudioDestinationNode, a real
// MediaStreamTrack that WebRTC sends), and enumerateDevices lists them in place of the native
// inputs (the speakers stay Chromium's real fake outputs, so setSinkId is the browser's own).
// `unplug(id)` is what a vanishing USB headset does: the device leaves the list, `devicechange`
// fires and its live tracks end (readyState 'ended' and an `ended` event).
// Installed from its source text (page.evaluate), like the page harness.

/** @typedef {{ deviceId: string, label: string, frequency: number }} FakeInput */

/** The inputs and their tones; `default` is the browser's alias of the first one still plugged in. */
export const FAKE_INPUTS = [
  { deviceId: 'fake-mic-a', label: 'Fake microphone A (440 Hz)', frequency: 440 },
  { deviceId: 'fake-mic-b', label: 'Fake microphone B (1200 Hz)', frequency: 1200 },
];

/**
 * Runs in the page: installs window.__fakeDevices.
 * @param {FakeInput[]} inputs
 */
export function installFakeDevices(inputs) {
  if (window.__fakeDevices) return;
  const media = navigator.mediaDevices;
  const nativeEnumerate = media.enumerateDevices.bind(media);
  const plugged = inputs.map((d) => ({ ...d }));
  /** @type {Array<{ deviceId: string, track: MediaStreamTrack }>} */
  const live = [];
  /** @type {AudioContext | undefined} */
  let context;
  const audioContext = () => {
    context ??= new AudioContext();
    if (context.state === 'suspended') context.resume().catch(() => {});
    return context;
  };
  const info = (/** @type {FakeInput} */ d) => ({ deviceId: d.deviceId, kind: /** @type {MediaDeviceKind} */ ('audioinput'), label: d.label, groupId: `group-${d.deviceId}`, toJSON() { return { ...this }; } });
  /** @param {boolean | MediaTrackConstraints | undefined} audio */
  const requestedId = (audio) => {
    if (!audio || audio === true) return undefined;
    const id = audio.deviceId;
    if (typeof id === 'string') return id;
    if (Array.isArray(id)) return id[0];
    return id?.exact ?? id?.ideal ?? (Array.isArray(id?.exact) ? id.exact[0] : undefined);
  };
  const error = (/** @type {string} */ name, /** @type {string} */ message) => Object.assign(new Error(message), { name });

  media.enumerateDevices = async () => {
    const native = await nativeEnumerate();
    const first = plugged[0];
    const fakes = first ? [{ ...info(first), deviceId: 'default', label: `Default - ${first.label}` }, ...plugged.map(info)] : [];
    return [...fakes, ...native.filter((d) => d.kind !== 'audioinput')];
  };
  media.getUserMedia = async (constraints = {}) => {
    if (constraints.video) throw error('NotFoundError', 'no camera in this lab');
    if (!constraints.audio) throw new TypeError('audio or video is required');
    const wanted = requestedId(constraints.audio);
    const device = wanted === undefined || wanted === 'default' ? plugged[0] : plugged.find((d) => d.deviceId === wanted);
    if (!device) throw error(wanted ? 'OverconstrainedError' : 'NotFoundError', `no microphone ${wanted ?? ''}`);
    const ctx = audioContext();
    const oscillator = new OscillatorNode(ctx, { frequency: device.frequency });
    const gain = new GainNode(ctx, { gain: 0.5 });
    const destination = ctx.createMediaStreamDestination();
    oscillator.connect(gain).connect(destination);
    oscillator.start();
    // A MediaStreamAudioDestinationNode's stream always holds one audio track.
    const track = /** @type {MediaStreamTrack} */ (destination.stream.getAudioTracks()[0]);
    Object.defineProperty(track, 'label', { value: device.label });
    const settings = track.getSettings.bind(track);
    track.getSettings = () => ({ ...settings(), deviceId: device.deviceId });
    const stop = track.stop.bind(track);
    track.stop = () => {
      oscillator.stop();
      oscillator.disconnect();
      stop();
    };
    live.push({ deviceId: device.deviceId, track });
    return new MediaStream([track]);
  };

  window.__fakeDevices = {
    /** Unplugs a device: it leaves the list, its live tracks end, `devicechange` fires. */
    /** @param {string} deviceId */
    unplug(deviceId) {
      const index = plugged.findIndex((d) => d.deviceId === deviceId);
      if (index >= 0) plugged.splice(index, 1);
      for (const entry of live) {
        if (entry.deviceId !== deviceId || entry.track.readyState === 'ended') continue;
        entry.track.stop();
        entry.track.dispatchEvent(new Event('ended'));
      }
      media.dispatchEvent(new Event('devicechange'));
    },
    /** Device ids of the fake tracks still live (what the page is capturing). */
    liveInputs: () => live.filter((e) => e.track.readyState === 'live').map((e) => e.deviceId),
  };
}

/**
 * Runs in the page: the loudest frequency (Hz) of the audio received on the page's peer
 * connections, from an AnalyserNode FFT over the remote track, averaged over `ms`.
 * @param {number} ms
 */
export async function receivedFrequency(ms) {
  const pcs = (window.__pcs ?? []).filter((pc) => pc.connectionState !== 'closed' && pc.signalingState !== 'closed');
  const track = pcs.flatMap((pc) => pc.getReceivers().map((r) => r.track)).find((t) => t && t.kind === 'audio' && t.readyState === 'live');
  if (!track) return { frequency: 0, level: -Infinity };
  window.__analysisContext ??= new AudioContext();
  const ctx = window.__analysisContext;
  if (ctx.state === 'suspended') await ctx.resume().catch(() => {});
  const source = ctx.createMediaStreamSource(new MediaStream([track]));
  const analyser = new AnalyserNode(ctx, { fftSize: 8192, smoothingTimeConstant: 0 });
  source.connect(analyser);
  const bins = new Float32Array(analyser.frequencyBinCount);
  const sum = new Float32Array(analyser.frequencyBinCount);
  const started = Date.now();
  let frames = 0;
  while (Date.now() - started < ms) {
    await new Promise((r) => setTimeout(r, 50));
    analyser.getFloatFrequencyData(bins);
    for (let i = 0; i < bins.length; i++) sum[i] = (sum[i] ?? 0) + (Number.isFinite(bins[i]) ? (bins[i] ?? 0) : -200);
    frames++;
  }
  source.disconnect();
  let best = 1;
  for (let i = 2; i < sum.length; i++) if ((sum[i] ?? 0) > (sum[best] ?? 0)) best = i;
  return { frequency: Math.round((best * ctx.sampleRate) / analyser.fftSize), level: (sum[best] ?? 0) / Math.max(1, frames) };
}
