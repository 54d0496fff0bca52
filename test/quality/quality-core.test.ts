// The core's quality rules on a scripted media path: samples once a second, warnings once per
// episode, reconnection and its bound, and no timer left once the call has ended.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createVoiceClient, estimateMos, normalizeTrace, type Call, type QualitySample, type QualityWarning } from '../../src/all.js';
import { scriptedPath, statsProvider, type ScriptedPath } from './stats-provider.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

async function activeCall(path: ScriptedPath, config: Record<string, unknown> = {}, caps = {}) {
  const client = await createVoiceClient({ provider: statsProvider(path, caps), ...config });
  await client.connect();
  const call = await client.call('bob');
  path.sink!.active();
  // The monitor is a lazy chunk fetched when the call is placed: its load takes real time, which fake timers do not wait for.
  await vi.dynamicImportSettled();
  const samples: QualitySample[] = [];
  const warnings: string[] = [];
  call.on('quality', (s) => samples.push(s));
  call.on('qualityWarning', (w: QualityWarning) => warnings.push(`+${w.name}`));
  call.on('qualityWarningCleared', (w: QualityWarning) => warnings.push(`-${w.name}`));
  return { client, call, samples, warnings };
}

const seconds = (n: number) => vi.advanceTimersByTimeAsync(n * 1000);
const callLines = (client: { trace(): never[] } | any) => normalizeTrace(client.trace()).filter((l: string) => l.startsWith('call#'));

describe('quality samples', () => {
  it('one normalised sample a second while active; call.quality is the latest; fields the stats lack stay absent', async () => {
    const path = scriptedPath();
    const { call, samples } = await activeCall(path);
    await seconds(5);
    expect(samples).toHaveLength(5);
    const last = samples.at(-1)!;
    expect(last).toMatchObject({ rttMs: 20, jitterMs: 2, packetLossPct: 0, cumulativePacketLossPct: 0, codec: 'opus', inputLevel: 0.05, outputLevel: 0.1, iceState: 'connected' });
    expect(last.bytesReceived).toBe(5 * 50 * 80);
    expect(last.mos).toBeGreaterThan(4.3);
    expect((call as Call).quality).toBe(last);
    await call.hangup();
  });

  it('a stats report without RTT or jitter gives a sample without rttMs, jitterMs or mos', async () => {
    const { readSample } = await import('../../src/core/quality/sample.js');
    const report = new Map([['IN', { id: 'IN', type: 'inbound-rtp', kind: 'audio', packetsReceived: 10, packetsLost: 0, bytesReceived: 800 }]]) as unknown as RTCStatsReport;
    const { sample } = readSample(report, undefined, 1);
    expect(sample).toEqual({ timestamp: 1, packetsReceived: 10, packetsLost: 0, bytesReceived: 800, cumulativePacketLossPct: 0 });
  });

  it('E-model MOS: clean ≈ 4.4, 10 % loss < 3.6, 300 ms RTT alone stays above 4', () => {
    expect(estimateMos({ rttMs: 20, jitterMs: 2, lossPct: 0 })).toBeGreaterThan(4.35);
    expect(estimateMos({ rttMs: 20, jitterMs: 2, lossPct: 10 })).toBeLessThan(3.6);
    expect(estimateMos({ rttMs: 300, jitterMs: 2, lossPct: 0 })).toBeGreaterThan(4);
    expect(estimateMos({ rttMs: 2000, jitterMs: 200, lossPct: 60 })).toBe(1);
  });
});

describe('quality warnings', () => {
  it('high-packet-loss once per episode (3 of 5 samples), cleared once after 3 clean samples; in the trace', async () => {
    const path = scriptedPath();
    const { client, call, warnings } = await activeCall(path);
    await seconds(3);
    path.lossPct = 10;
    await seconds(10);
    expect(warnings.filter((w) => w === '+high-packet-loss')).toHaveLength(1);
    path.lossPct = 0;
    await seconds(6);
    expect(warnings.filter((w) => w.endsWith('high-packet-loss'))).toEqual(['+high-packet-loss', '-high-packet-loss']);
    expect(callLines(client)).toContain('call#1 qualityWarning name=high-packet-loss');
    await call.hangup();
  });

  it('thresholds are per client: 20 % loss allowed raises nothing at 10 %', async () => {
    const path = scriptedPath();
    const { call, warnings } = await activeCall(path, { quality: { thresholds: { packetLossPct: 20, mos: 1 } } });
    path.lossPct = 10;
    await seconds(10);
    expect(warnings).toEqual([]);
    await call.hangup();
  });

  it('no-inbound-audio after 3 samples without a byte, cleared when bytes come back; nothing while held', async () => {
    const path = scriptedPath();
    const { call, warnings } = await activeCall(path);
    await seconds(2);
    path.inboundFlowing = false;
    await seconds(5);
    expect(warnings).toEqual(['+no-inbound-audio']);
    path.inboundFlowing = true;
    await seconds(2);
    expect(warnings).toEqual(['+no-inbound-audio', '-no-inbound-audio']);
    await call.hold();
    path.inboundFlowing = false;
    path.outboundFlowing = false;
    await seconds(6);
    expect(warnings).toEqual(['+no-inbound-audio', '-no-inbound-audio']);
    await call.hangup();
  });

  it('silent-input after 10 s of no microphone energy, but not while muted', async () => {
    const path = scriptedPath();
    const { call, warnings } = await activeCall(path);
    await call.mute();
    path.micEnergyPerS = 0;
    await seconds(12);
    expect(warnings).toEqual([]);
    await call.unmute();
    await seconds(12);
    expect(warnings).toEqual(['+silent-input']);
    await call.hangup();
  });

  it('a clean 60 s call raises no warning', async () => {
    const path = scriptedPath();
    const { call, warnings, samples } = await activeCall(path);
    await seconds(60);
    expect(samples).toHaveLength(60);
    expect(warnings).toEqual([]);
    await call.hangup();
  });
});

describe('media reconnection', () => {
  it('ICE disconnected with no bytes → reconnecting, ICE restart asked, reconnected once bytes flow', async () => {
    const path = scriptedPath();
    path.onRestart = (p) => setTimeout(() => Object.assign(p, { iceState: 'connected', inboundFlowing: true }), 2_000);
    const { client, call } = await activeCall(path);
    await seconds(2);
    Object.assign(path, { iceState: 'disconnected', inboundFlowing: false });
    await seconds(1);
    expect(call.state).toBe('reconnecting');
    expect(path.restarts).toBe(1);
    await seconds(4);
    expect(call.state).toBe('active');
    expect(callLines(client)).toEqual(expect.arrayContaining(['call#1 stateChanged active>reconnecting', 'call#1 reconnecting', 'call#1 stateChanged reconnecting>active', 'call#1 reconnected']));
    await call.hangup();
  });

  it('a path that never returns: restarts every 5 s, then one ended failed MEDIA_LOST at the bound, provider hung up', async () => {
    const path = scriptedPath();
    const { client, call } = await activeCall(path, { quality: { mediaReconnectMs: 12_000 } });
    const ended = vi.fn();
    call.on('ended', ended);
    await seconds(2);
    Object.assign(path, { iceState: 'failed', inboundFlowing: false, outboundFlowing: false });
    await seconds(11);
    expect(call.state).toBe('reconnecting');
    expect(path.restarts).toBe(3);
    await seconds(3);
    expect(call.state).toBe('ended');
    expect(ended).toHaveBeenCalledTimes(1);
    expect(ended.mock.calls[0]![0]).toMatchObject({ reason: 'failed', error: { code: 'MEDIA_LOST' } });
    expect(path.hangups).toBe(1);
    expect(callLines(client).filter((l) => l.includes(' ended '))).toEqual(['call#1 ended code=MEDIA_LOST reason=failed']);
  });

  it('where the provider cannot restart media, no restart is asked and the call still ends within the bound', async () => {
    const path = scriptedPath();
    const { call } = await activeCall(path, { quality: { mediaReconnectMs: 5_000 } }, { mediaReconnect: false });
    await seconds(1);
    Object.assign(path, { iceState: 'failed', inboundFlowing: false });
    await seconds(8);
    expect(path.restarts).toBe(0);
    expect(call.state).toBe('ended');
    expect(call.endReason).toBe('failed');
  });
});

describe('cost', () => {
  it('no timer is left once the call has ended, whichever way it ended', async () => {
    const path = scriptedPath();
    const { client, call } = await activeCall(path);
    await seconds(3);
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    await call.hangup();
    await seconds(0);
    expect(vi.getTimerCount()).toBe(0);
    // The far end hangs up on a second call.
    const second = await client.call('carol');
    path.sink!.active();
    await seconds(2);
    path.sink!.ended('remoteHangup');
    await seconds(0);
    expect(second.state).toBe('ended');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('with quality disabled, or a provider without the capability, no sampling runs', async () => {
    for (const [config, caps] of [[{ quality: { enabled: false } }, {}], [{}, { quality: false }]] as const) {
      const path = scriptedPath();
      const { call, samples } = await activeCall(path, config, caps);
      await seconds(3);
      expect(samples).toEqual([]);
      await call.hangup();
    }
  });
});

describe('what a sample says about the media path', () => {
  it('lost: ICE failed, ICE disconnected without bytes, or 3 s without a packet; a quiet far end with RTCP is not lost', async () => {
    const { classify } = await import('../../src/core/quality/media-watch.js');
    expect(classify({ timestamp: 0, iceState: 'failed' }, 100)).toBe('lost');
    expect(classify({ timestamp: 0, iceState: 'disconnected' }, 0)).toBe('lost');
    expect(classify({ timestamp: 0, iceState: 'connected' }, 0, 3_500)).toBe('lost');
    expect(classify({ timestamp: 0, iceState: 'connected' }, 0, 900)).toBe('unknown');
    expect(classify({ timestamp: 0, iceState: 'connected' }, 4_000, 20)).toBe('flowing');
    // Bytes back while Chromium still says `disconnected`: the path is back.
    expect(classify({ timestamp: 0, iceState: 'disconnected' }, 4_000, 20)).toBe('flowing');
    expect(classify({ timestamp: 0, iceState: 'failed' }, 4_000, 20)).toBe('lost');
  });
});

describe('a vendor that gives up while reconnecting', () => {
  it('its failed end becomes MEDIA_LOST, with the vendor error as the cause', async () => {
    const path = scriptedPath();
    const { call } = await activeCall(path);
    await seconds(1);
    Object.assign(path, { iceState: 'failed', inboundFlowing: false });
    await seconds(1);
    expect(call.state).toBe('reconnecting');
    const { VoiceError } = await import('../../src/all.js');
    path.sink!.ended('failed', new VoiceError('CALL_FAILED', 'vendor hung up', { provider: 'statsful', cause: { code: 'ICE_RESTART_FAILED' } }));
    expect(call.endReason).toBe('failed');
    const ended = await call.ended;
    expect(ended.error).toMatchObject({ code: 'MEDIA_LOST', cause: { name: 'CALL_FAILED', code: 'ICE_RESTART_FAILED' } });
  });
});

describe('readings slower than the samples', () => {
  it('one high RTT reading repeated by five samples is one observation: no high-rtt; fresh high readings raise it', async () => {
    const path = scriptedPath();
    const { call, warnings } = await activeCall(path);
    path.rttMs = 500;
    await seconds(6);
    expect(warnings).toEqual([]);
    for (const rtt of [510, 520, 530]) {
      path.rttMs = rtt;
      await seconds(1);
    }
    expect(warnings).toContain('+high-rtt');
    await call.hangup();
  });
});
