// The quality monitor is a chunk of its own (bench/bundle-size.mjs), fetched when a call is placed.
// Here its module is held back: a call active before it arrives starts sampling once it has, and
// a call that ended meanwhile never does (no sample, no timer left behind).
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { createVoiceClient, type QualitySample } from '../../src/all.js';
import { scriptedPath, statsProvider } from './stats-provider.js';
import { lazyModule } from '../../src/core/lazy.js';

const monitorModule = vi.hoisted(() => {
  let release!: () => void;
  const arrived = new Promise<void>((resolve) => (release = resolve));
  return { arrived, release, requested: 0 };
});
vi.mock('../../src/core/quality/monitor.js', async (importOriginal) => {
  monitorModule.requested += 1;
  await monitorModule.arrived;
  return importOriginal();
});

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

it('sampling starts once the monitor module arrives, only for a call still live; none before it, none after the end', async () => {
  const path = scriptedPath();
  const client = await createVoiceClient({ provider: statsProvider(path) });
  await client.connect();

  const ended = await client.call('alice');
  path.sink!.active();
  const endedSamples: QualitySample[] = [];
  ended.on('quality', (s) => endedSamples.push(s));
  await vi.advanceTimersByTimeAsync(3_000);
  expect(monitorModule.requested).toBe(1);
  await ended.hangup();

  const live = await client.call('bob');
  path.sink!.active();
  const liveSamples: QualitySample[] = [];
  live.on('quality', (s) => liveSamples.push(s));
  await vi.advanceTimersByTimeAsync(3_000);
  expect(liveSamples).toEqual([]);
  expect(live.quality).toBeUndefined();

  monitorModule.release();
  // The module's own load takes real time, which fake timers do not wait for: wait for the same module here.
  await import('../../src/core/quality/monitor.js');
  await vi.advanceTimersByTimeAsync(3_000);
  expect(liveSamples.length).toBeGreaterThanOrEqual(2);
  expect(liveSamples.at(-1)).toMatchObject({ packetLossPct: 0, codec: 'opus' });
  expect(live.quality).toBe(liveSamples.at(-1));
  expect(endedSamples).toEqual([]);

  await live.hangup();
  await vi.advanceTimersByTimeAsync(3_000);
  expect(vi.getTimerCount()).toBe(0);
  await client.disconnect();
});

it('lazyModule: one import for any number of waiters, at hand synchronously once loaded; a failed load is tried again', async () => {
  let imports = 0;
  let fail = true;
  const lazy = lazyModule(async () => {
    imports += 1;
    if (fail) throw new Error('chunk fetch failed');
    return { answer: 42 };
  });
  expect(lazy.current).toBeUndefined();
  await expect(Promise.all([lazy.load(), lazy.load()])).rejects.toThrow('chunk fetch failed');
  expect(imports).toBe(1);
  expect(lazy.current).toBeUndefined();
  fail = false;
  const [a, b] = await Promise.all([lazy.load(), lazy.load()]);
  expect(imports).toBe(2);
  expect(a).toBe(b);
  expect(lazy.current).toEqual({ answer: 42 });
});
