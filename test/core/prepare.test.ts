// client.prepare() as the core owns it, apart from any vendor: one microphone opened, handed to
// the first call (placed or answered) that asks for the same device, the call then owning it;
// released by release(), by the bound, by disconnect() and by a change of microphone; every
// failure a typed VoiceError. The browser scenario (test/prepare/) proves it with real SDKs.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createVoiceClient, isVoiceError, type CallSink, type ProviderCall, type ProviderCallOptions, type ProviderCapabilities, type ProviderDefinitionV1 } from '../../src/all.js';

class FakeTrack {
  readonly kind = 'audio';
  readyState: 'live' | 'ended' = 'live';
  enabled = true;
  constructor(readonly deviceId: string) {}
  stop(): void {
    this.readyState = 'ended';
  }
  addEventListener(): void {}
  removeEventListener(): void {}
}
class FakeStream {
  constructor(private readonly tracks: FakeTrack[]) {}
  getTracks(): FakeTrack[] {
    return this.tracks;
  }
  getAudioTracks(): FakeTrack[] {
    return this.tracks;
  }
}

/** Every track the page's getUserMedia opened, and what it does next time. */
const opened: FakeTrack[] = [];
let refuse: string | undefined;
let connectFails = false;

function installMedia(): void {
  opened.length = 0;
  refuse = undefined;
  connectFails = false;
  vi.stubGlobal('RTCPeerConnection', class {});
  vi.stubGlobal('MediaStream', FakeStream);
  vi.stubGlobal('navigator', {
    mediaDevices: {
      getUserMedia: async (constraints: { audio: true | MediaTrackConstraints }) => {
        if (refuse) throw Object.assign(new Error('Permission denied'), { name: refuse });
        const audio = constraints.audio;
        const id = audio === true ? 'default' : String((audio.deviceId as ConstrainDOMStringParameters).exact);
        const track = new FakeTrack(id);
        opened.push(track);
        return new FakeStream([track]);
      },
    },
  });
}

const live = () => opened.filter((t) => t.readyState === 'live');

interface Placed {
  options: ProviderCallOptions;
  sink: CallSink;
}

/** A provider that records what each call was handed; answer() comes through an incoming call. */
function provider(placed: Placed[], capabilities: Partial<ProviderCapabilities>): ProviderDefinitionV1<null> {
  return {
    specificationVersion: 'v1',
    name: 'prepared',
    parseOptions: () => null,
    defaultCredentials: () => ({ type: 'anonymous' }),
    create: (_options, context) => {
      const providerCall = (sink: () => CallSink): ProviderCall => ({
        hangup: async () => sink().ended('hangup'),
        answer: async (options) => {
          placed.push({ options, sink: sink() });
          sink().active();
        },
      });
      const impl = {
        specificationVersion: 'v1' as const,
        name: 'prepared',
        capabilities: { incomingCalls: true, mute: false, hold: false, remoteHold: false, dtmf: false, receiveDtmf: false, tokenRefresh: false, anonymous: true, ...capabilities },
        init: async () => {},
        authenticate: async () => {},
        connect: async () => {
          if (connectFails) throw Object.assign(new Error('socket closed'), { name: 'NetworkError' });
          return { registered: true };
        },
        disconnect: async () => {},
        call: async (_target: string | undefined, options: ProviderCallOptions, sink: CallSink) => {
          placed.push({ options, sink });
          return providerCall(() => sink);
        },
        refreshToken: async () => {},
        /** Rings an incoming call in; the core hands its sink to the call it has the provider create. */
        ring: () => {
          context.sink.incomingCall({ from: 'sip:carol@lab' }, (sink) => providerCall(() => sink));
        },
      };
      handle.ring = impl.ring;
      return impl;
    },
  };
}
const handle: { ring?: () => void } = {};

describe('client.prepare()', () => {
  beforeEach(installMedia);
  afterEach(() => vi.unstubAllGlobals());

  it('connects, opens one microphone, and the first call sends it; the call owns it and stops it at hangup', async () => {
    const placed: Placed[] = [];
    const client = await createVoiceClient({ provider: provider(placed, { preparedMicrophone: true }) });
    expect(await client.prepare()).toEqual({ microphoneHeld: true });
    expect(client.state).toBe('connected');
    expect(opened).toHaveLength(1);
    const call = await client.call('sip:bob@lab');
    expect(placed[0]!.options.stream?.getAudioTracks()[0]).toBe(opened[0]);
    expect(opened).toHaveLength(1);
    // Taken: release() no longer touches it.
    client.release();
    expect(live()).toHaveLength(1);
    await call.hangup();
    expect(live()).toEqual([]);
    // The next call opens its own (the provider is handed no stream).
    await client.call('sip:bob@lab');
    expect(placed[1]!.options.stream).toBeUndefined();
    await client.disconnect();
  });

  it('an answered call takes the prepared microphone too', async () => {
    const placed: Placed[] = [];
    const client = await createVoiceClient({ provider: provider(placed, { preparedMicrophone: true }) });
    await client.prepare();
    const incoming = new Promise<Parameters<Parameters<typeof client.on<'incomingCall'>>[1]>[0]>((resolve) => client.on('incomingCall', resolve));
    handle.ring!();
    const { call } = await incoming;
    await call.answer();
    expect(placed[0]!.options.stream?.getAudioTracks()[0]).toBe(opened[0]);
    await call.hangup();
    expect(live()).toEqual([]);
    await client.disconnect();
  });

  it('release(), the bound and disconnect() stop a microphone no call took', async () => {
    const placed: Placed[] = [];
    const client = await createVoiceClient({ provider: provider(placed, { preparedMicrophone: true }) });
    await client.prepare();
    client.release();
    expect(opened.map((t) => t.readyState)).toEqual(['ended']);

    vi.useFakeTimers();
    try {
      await client.prepare({ holdMicrophoneMs: 5_000 });
      expect(live()).toHaveLength(1);
      vi.advanceTimersByTime(5_000);
      expect(live()).toEqual([]);
    } finally {
      vi.useRealTimers();
    }

    await client.prepare();
    await client.disconnect();
    expect(live()).toEqual([]);
    expect(opened).toHaveLength(3);
  });

  it('preparing twice keeps one microphone; a different microphone chosen since is not sent', async () => {
    const placed: Placed[] = [];
    const client = await createVoiceClient({ provider: provider(placed, { preparedMicrophone: true, inputSelection: true }) });
    await Promise.all([client.prepare(), client.prepare()]);
    expect(opened).toHaveLength(1);
    await client.devices.setInput('mic-b');
    await client.call('sip:bob@lab');
    expect(placed[0]!.options.stream).toBeUndefined();
    expect(placed[0]!.options.audio).toEqual({ deviceId: { exact: 'mic-b' } });
    expect(live()).toEqual([]);
    await client.disconnect();
  });

  it('where the vendor SDK takes no stream, the permission is asked and nothing is held', async () => {
    const placed: Placed[] = [];
    const client = await createVoiceClient({ provider: provider(placed, {}) });
    expect(await client.prepare()).toEqual({ microphoneHeld: false });
    expect(opened).toHaveLength(1);
    expect(live()).toEqual([]);
    await client.call('sip:bob@lab');
    expect(placed[0]!.options.stream).toBeUndefined();
    await client.disconnect();
  });

  it('a refused microphone is MEDIA_DENIED (the session stays connected); a failed connect releases the microphone', async () => {
    const placed: Placed[] = [];
    const client = await createVoiceClient({ provider: provider(placed, { preparedMicrophone: true }) });
    refuse = 'NotAllowedError';
    const denied = await client.prepare().catch((e: unknown) => e);
    expect(isVoiceError(denied) && denied.code).toBe('MEDIA_DENIED');
    expect(client.state).toBe('connected');
    await client.disconnect();

    refuse = undefined;
    connectFails = true;
    const failed = await client.prepare().catch((e: unknown) => e);
    expect(isVoiceError(failed) && failed.code).toBe('NETWORK_UNREACHABLE');
    expect(live()).toEqual([]);

    const bad = await client.prepare({ holdMicrophoneMs: -1 }).catch((e: unknown) => e);
    expect(isVoiceError(bad) && bad.code).toBe('INVALID_ARGUMENT');
  });
});
