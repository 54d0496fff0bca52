// The device scenario, the same for every provider: two users in two lab pages whose microphones
// are two fake inputs of different tones (lab/browser/fake-devices.mjs). The caller switches its
// microphone mid-call and the callee must hear the new tone (FFT of the received track); the
// caller picks a speaker (sinkId of polyphone's audio element); the chosen microphone is unplugged
// and polyphone falls back to the default and says so; levels flow ~10/s and read ~0 when muted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellTest } from '../conformance/extra-cells.js';
import type { Page } from 'playwright-core';
// @ts-ignore plain ESM lab helper
import { launchBrowser } from '../../lab/browser/index.mjs';
// @ts-ignore plain ESM lab helper
import { FAKE_INPUTS, installFakeDevices, receivedFrequency } from '../../lab/browser/fake-devices.mjs';
import { closePage } from '../support/browser-clients.js';
// @ts-ignore plain ESM lab helper
import { startPageServer } from '../../lab/browser/server.mjs';

export interface DeviceLab {
  caller: Record<string, unknown>;
  callee: Record<string, unknown>;
  target: string;
  stop(): Promise<void>;
}

type LabPage = Page & { pageErrors: string[] };
type Browser = { newPage(): Promise<LabPage>; close(): Promise<void> };

const TONE_A = 440;
const TONE_B = 1200;
/** FFT bins are ~6 Hz wide at 48 kHz; Opus and resampling move a tone by less than this. */
const TOLERANCE_HZ = 30;
const MEASURE_MS = 800;

// Runs in the page: one polyphone client with its calls and every event polyphone emitted.
async function createUser(config: Record<string, unknown>): Promise<void> {
  const w = window as any;
  const client = await w.polyphone.createVoiceClient(config);
  const user: any = { client, call: undefined, events: [], levels: [], element: document.createElement('audio') };
  w.__user = user;
  const watchCall = (call: any) => {
    user.call = call;
    for (const type of ['active', 'ended', 'audioBlocked', 'stateChanged']) call.on(type, (e: any) => user.events.push({ type, ...e, error: undefined }));
    call.on('audioLevel', (l: any) => user.levels.push({ at: Date.now(), ...l }));
  };
  user.watchCall = watchCall;
  for (const type of ['devicesChanged', 'deviceLost', 'inputChanged']) {
    client.devices.on(type, (e: any) => user.events.push({ type, ...(type === 'devicesChanged' ? { inputs: e.inputs.map((d: any) => d.deviceId) } : e) }));
  }
  client.on('incomingCall', ({ call }: any) => {
    watchCall(call);
    call.answer({ audioElement: user.element }).catch((e: any) => user.events.push({ type: 'answerFailed', code: e.code }));
  });
  await client.connect();
}

async function placeCall(target: string): Promise<void> {
  const user = (window as any).__user;
  const call = await user.client.call(target, { audioElement: user.element, iceServers: [] });
  user.watchCall(call);
}

async function waitUntil<T>(page: Page, fn: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; events: ${JSON.stringify(await events(page))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const events = (page: Page) => page.evaluate(() => (window as any).__user.events) as Promise<Array<Record<string, any>>>;
const callState = (page: Page) => page.evaluate(() => (window as any).__user.call?.state) as Promise<string | undefined>;
const heard = (page: Page) => page.evaluate(receivedFrequency, MEASURE_MS) as Promise<{ frequency: number; level: number }>;

/** Waits (bounded) until the far end hears a tone near `hz`; returns the last measurement. */
async function waitForTone(page: Page, hz: number, timeoutMs = 8_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = 0;
  while (Date.now() < deadline) {
    last = (await heard(page)).frequency;
    if (Math.abs(last - hz) <= TOLERANCE_HZ) return last;
  }
  return last;
}

export function defineDeviceScenario(name: string, startLab: () => Promise<DeviceLab>): void {
  let lab: DeviceLab;
  beforeAll(async () => {
    lab = await startLab();
  }, 120_000);
  afterAll(async () => {
    await lab?.stop();
  });

  describe(`devices on ${name}`, () => {
    let browser: Browser;
    let caller: LabPage;
    let callee: LabPage;

    beforeAll(async () => {
      browser = await launchBrowser();
      [caller, callee] = await Promise.all([browser.newPage(), browser.newPage()]);
      for (const page of [caller, callee]) await page.evaluate(`(${installFakeDevices.toString()})(${JSON.stringify(FAKE_INPUTS)})`);
      await caller.evaluate(createUser, lab.caller);
      await callee.evaluate(createUser, lab.callee);
      await caller.evaluate(placeCall, lab.target);
      await waitUntil(caller, async () => (await callState(caller)) === 'active', 'the caller to be active', 15_000);
      await waitUntil(callee, async () => (await callState(callee)) === 'active', 'the callee to be active', 15_000);
    }, 120_000);

    afterAll(async () => {
      for (const page of [caller, callee]) if (page) await closePage(page);
      await browser?.close();
    });

    it('lists the two inputs and the speakers, and says the provider can select both', async () => {
      const listed = await caller.evaluate(async () => {
        const { client } = (window as any).__user;
        const list = await client.devices.list();
        return { inputs: list.inputs.map((d: any) => d.deviceId), outputs: list.outputs.length, caps: client.capabilities };
      });
      expect(listed.inputs).toEqual(['default', 'fake-mic-a', 'fake-mic-b']);
      expect(listed.outputs).toBeGreaterThan(1);
      expect(listed.caps.inputSelection).toBe(true);
      expect(listed.caps.outputSelection).toBe(true);
    });

    cellTest('switching the microphone mid-call: the far end hears the new tone, the call stays active', name, 'devices: switch the microphone mid-call', async () => {
      expect(await waitForTone(callee, TONE_A)).toBeCloseTo(TONE_A, -2);
      const result = await caller.evaluate(() =>
        (window as any).__user.client.devices.setInput('fake-mic-b').then(
          () => 'ok',
          (e: any) => `${e.code}: ${e.message}`,
        ),
      );
      expect(result).toBe('ok');
      const now = await waitForTone(callee, TONE_B);
      expect(Math.abs(now - TONE_B), `the callee hears ${now} Hz`).toBeLessThanOrEqual(TOLERANCE_HZ);
      expect(await callState(caller)).toBe('active');
      expect(await callState(callee)).toBe('active');
      const switched = (await events(caller)).filter((e) => e.type === 'inputChanged');
      expect(switched).toEqual([{ type: 'inputChanged', deviceId: 'fake-mic-b', reason: 'selected' }]);
      // No renegotiation and no second microphone left running: only B is captured.
      expect(await caller.evaluate(() => (window as any).__fakeDevices.liveInputs())).toEqual(['fake-mic-b']);
    });

    cellTest('choosing the speaker reaches polyphone’s audio element (sinkId)', name, 'devices: choose the speaker', async () => {
      const sink = await caller.evaluate(async () => {
        const { client, element } = (window as any).__user;
        const output = (await client.devices.list()).outputs.find((d: any) => d.deviceId !== 'default');
        await client.devices.setOutput(output.deviceId);
        return { chosen: output.deviceId, sinkId: element.sinkId, srcObject: !!element.srcObject };
      });
      expect(sink.srcObject).toBe(true);
      expect(sink.sinkId).toBe(sink.chosen);
    });

    cellTest('levels: about ten a second, above 0 with a tone, ~0 while muted', name, 'devices: input and output levels', async () => {
      const window1 = await caller.evaluate(async () => {
        const user = (window as any).__user;
        const from = user.levels.length;
        await new Promise((r) => setTimeout(r, 2_000));
        return user.levels.slice(from);
      });
      // ~20 on an idle machine; the bounds only say "a steady stream, not a flood" (a loaded
      // machine delays timers and getStats()).
      expect(window1.length).toBeGreaterThanOrEqual(3);
      expect(window1.length).toBeLessThanOrEqual(30);
      expect(Math.max(...window1.map((l: any) => l.input))).toBeGreaterThan(0.05);
      expect(Math.max(...window1.map((l: any) => l.output))).toBeGreaterThan(0.05);
      const muted = await caller.evaluate(async () => {
        const user = (window as any).__user;
        await user.call.mute();
        await new Promise((r) => setTimeout(r, 500));
        const from = user.levels.length;
        await new Promise((r) => setTimeout(r, 800));
        const levels = user.levels.slice(from);
        await user.call.unmute();
        return levels;
      });
      expect(muted.length).toBeGreaterThan(0);
      expect(Math.max(...muted.map((l: any) => l.input))).toBeLessThan(0.01);
    });

    cellTest('the microphone in use vanishing: back to the default, with deviceLost, the call stays active', name, 'devices: the microphone in use vanishes', async () => {
      await caller.evaluate(() => (window as any).__fakeDevices.unplug('fake-mic-b'));
      const lost = await waitUntil(caller, async () => (await events(caller)).find((e) => e.type === 'deviceLost'), 'deviceLost');
      expect(lost).toEqual({ type: 'deviceLost', kind: 'input', deviceId: 'fake-mic-b', fallback: 'default' });
      await waitUntil(caller, async () => (await events(caller)).find((e) => e.type === 'inputChanged' && e.reason === 'fallback'), 'the fallback');
      const now = await waitForTone(callee, TONE_A);
      expect(Math.abs(now - TONE_A), `the callee hears ${now} Hz`).toBeLessThanOrEqual(TOLERANCE_HZ);
      expect(await callState(caller)).toBe('active');
      expect(await caller.evaluate(() => (window as any).__user.client.devices.input)).toBeUndefined();
      const all = await events(caller);
      expect(all.filter((e) => e.type === 'deviceLost')).toHaveLength(1);
      const changed = await waitUntil(caller, async () => (await events(caller)).filter((e) => e.type === 'devicesChanged' && e.inputs.length === 2).at(-1), 'devicesChanged');
      expect(changed).toEqual({ type: 'devicesChanged', inputs: ['default', 'fake-mic-a'] });
    });

    it('hangup: exactly one ended on each side', async () => {
      await caller.evaluate(() => (window as any).__user.call.hangup());
      await waitUntil(callee, async () => (await callState(callee)) === 'ended', 'the callee to end');
      for (const page of [caller, callee]) {
        expect((await events(page)).filter((e) => e.type === 'ended')).toHaveLength(1);
        expect(page.pageErrors).toEqual([]);
      }
    });
  });

  // Chromium refusing to play without a user gesture. Chromium exempts a page that captures the
  // microphone from its autoplay policy, so the callee's microphone is the fake-devices WebAudio
  // tone (no capture) and the callee page is driven only by evaluations without a user gesture
  // (Playwright's own evaluate grants one); nothing else plays the remote track, so received
  // energy is counted only once polyphone's own audio element plays.
  describe(`autoplay blocked on ${name}`, () => {
    let browser: { browser: import('playwright-core').Browser; newPage(options?: { playRemoteAudio?: boolean }): Promise<LabPage>; close(): Promise<void> };
    let server: { url: string; stop(): Promise<void> };
    let caller: LabPage;
    let callee: Page;
    let quiet: <T>(fn: (arg: any) => T | Promise<T>, arg?: unknown) => Promise<T>;

    beforeAll(async () => {
      browser = await launchBrowser({ autoplayPolicy: 'document-user-activation-required' });
      server = await startPageServer();
      caller = await browser.newPage({ playRemoteAudio: false });
      const context = await browser.browser.newContext();
      callee = await context.newPage();
      await callee.goto(server.url);
      const cdp = await context.newCDPSession(callee);
      quiet = async (fn, arg) => {
        const expression = `(${fn.toString()})(${JSON.stringify(arg ?? null)})`;
        const reply = await cdp.send('Runtime.evaluate', { expression, awaitPromise: true, userGesture: false, returnByValue: true });
        if (reply.exceptionDetails) throw new Error(`in the page: ${reply.exceptionDetails.exception?.description ?? reply.exceptionDetails.text}`);
        return reply.result.value;
      };
      for (let i = 0; i < 100 && !(await quiet(() => (window as any).pageReady === true)); i++) await new Promise((r) => setTimeout(r, 100));
      await quiet(new Function('inputs', `return (${installFakeDevices.toString()})(inputs)`) as (a: unknown) => void, FAKE_INPUTS);
      await caller.evaluate(createUser, lab.caller);
      await quiet(createUser, lab.callee);
      expect(await quiet(() => navigator.userActivation.hasBeenActive)).toBe(false);
    }, 120_000);

    afterAll(async () => {
      if (caller) await closePage(caller);
      await callee?.evaluate(() => (window as any).__user?.client.disconnect()).catch(() => {});
      await callee?.context().close();
      await browser?.close();
      await server?.stop();
    });

    cellTest('audioBlocked when the remote audio is refused; resumeAudio() from a click plays it (energy > 0)', name, 'devices: autoplay blocked, then resumeAudio()', async () => {
      const calleeEvents = () => quiet(() => (window as any).__user.events as Array<Record<string, any>>);
      const energy = () =>
        quiet(async () => {
          const report = await (window as any).__user.call.getStats();
          let packets = 0;
          let energy = 0;
          report?.forEach((s: any) => {
            if (s.type === 'inbound-rtp' && (s.kind ?? s.mediaType) === 'audio') {
              packets += s.packetsReceived ?? 0;
              energy += s.totalAudioEnergy ?? 0;
            }
          });
          return { packets, energy };
        });
      const until = async <T>(fn: () => Promise<T | undefined>, what: string): Promise<T> => {
        const deadline = Date.now() + 15_000;
        for (;;) {
          const value = await fn();
          if (value !== undefined) return value;
          if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(await calleeEvents())}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      await caller.evaluate(placeCall, lab.target);
      await until(async () => (await calleeEvents()).find((e) => e.type === 'active'), 'the callee to be active');
      const blocked = await until(async () => (await calleeEvents()).find((e) => e.type === 'audioBlocked'), 'audioBlocked');
      expect(blocked).toEqual({ type: 'audioBlocked', reason: 'autoplay' });
      // Refused: nothing decodes what arrives.
      const first = await energy();
      await new Promise((r) => setTimeout(r, 1_000));
      const second = await energy();
      expect(second.packets - first.packets).toBeGreaterThan(10);
      expect(second.energy).toBe(0);
      await quiet(() => {
        const button = document.createElement('button');
        button.id = 'resume-audio';
        button.textContent = 'Resume audio';
        button.onclick = () =>
          void (window as any).__user.call.resumeAudio().then(
            () => (window as any).__user.events.push({ type: 'resumed' }),
            (e: any) => (window as any).__user.events.push({ type: 'resumeFailed', code: e.code }),
          );
        document.body.append(button);
      });
      await callee.click('#resume-audio');
      const outcome = await until(async () => (await calleeEvents()).find((e) => e.type === 'resumed' || e.type === 'resumeFailed'), 'resumeAudio()');
      expect(outcome).toEqual({ type: 'resumed' });
      const deadline = Date.now() + 5_000;
      let after = await energy();
      while (after.energy <= 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        after = await energy();
      }
      expect(after.energy).toBeGreaterThan(0);
      await caller.evaluate(() => (window as any).__user.call.hangup());
      await until(async () => (await calleeEvents()).find((e) => e.type === 'ended'), 'the callee to end');
      expect((await calleeEvents()).filter((e) => e.type === 'ended')).toHaveLength(1);
    });
  });
}
