// The warm start, the same for every provider: two users in two lab pages (headless Chromium, the
// real vendor SDK against its lab server) call prepare() before anything else. Each page's
// microphone is a fake input whose getUserMedia calls are counted (lab/browser/fake-devices.mjs
// plus a counter), so the test sees how many microphones were opened, which track the call's
// RTCPeerConnection sends, and which tracks are still live. Audio is proven by the far end's
// getStats() (inbound packets and energy rising), never by a state flag.
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { cellTest } from '../conformance/extra-cells.js';
import type { Page } from 'playwright-core';
// @ts-ignore plain ESM lab helper
import { launchBrowser } from '../../lab/browser/index.mjs';
// @ts-ignore plain ESM lab helper
import { FAKE_INPUTS, installFakeDevices } from '../../lab/browser/fake-devices.mjs';
import { closePage } from '../support/browser-clients.js';

export interface PrepareLab {
  caller: Record<string, unknown>;
  callee: Record<string, unknown>;
  target: string;
  stop(): Promise<void>;
}

type LabPage = Page & { pageErrors: string[]; waitForAudio(options?: { minPackets?: number; timeoutMs?: number }): Promise<unknown> };
type Browser = { newPage(): Promise<LabPage>; close(): Promise<void> };

/** What a page's microphone looks like at one moment. */
interface MicrophoneView {
  /** getUserMedia calls so far, whoever made them (polyphone or the vendor SDK). */
  opened: number;
  /** Fake inputs with a live track. */
  live: string[];
  /** readyState of the first track getUserMedia gave. */
  firstState: string | undefined;
  /** The first track getUserMedia gave is what the call's RTCPeerConnection sends. */
  sendsFirst: boolean;
}

// Runs in the page: counts getUserMedia calls over the fake devices.
function countMicrophones(): void {
  const w = window as any;
  if (w.__mics) return;
  const media = navigator.mediaDevices;
  const open = media.getUserMedia.bind(media);
  w.__mics = { tracks: [] as MediaStreamTrack[] };
  media.getUserMedia = async (constraints?: MediaStreamConstraints) => {
    const stream = await open(constraints);
    w.__mics.tracks.push(...stream.getAudioTracks());
    return stream;
  };
}

// Runs in the page: a client that is not connected yet, answering any incoming call.
async function createUser(config: Record<string, unknown>): Promise<void> {
  const w = window as any;
  const client = await w.polyphone.createVoiceClient(config);
  const user: any = { client, call: undefined, element: document.createElement('audio') };
  w.__user = user;
  client.on('incomingCall', ({ call }: any) => {
    user.call = call;
    call.answer({ audioElement: user.element }).catch(() => {});
  });
}

function microphones(): MicrophoneView {
  const w = window as any;
  const first: MediaStreamTrack | undefined = w.__mics.tracks[0];
  const pcs: RTCPeerConnection[] = (w.__pcs ?? []).filter((pc: RTCPeerConnection) => pc.signalingState !== 'closed');
  const sending = pcs.flatMap((pc) => pc.getSenders().map((s) => s.track)).filter((t) => t?.kind === 'audio');
  return { opened: w.__mics.tracks.length, live: w.__fakeDevices.liveInputs(), firstState: first?.readyState, sendsFirst: !!first && sending.includes(first) };
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const view = (page: Page) => page.evaluate(microphones);
const callState = (page: Page) => page.evaluate(() => (window as any).__user.call?.state as string | undefined);

export function definePrepareScenario(name: string, startLab: () => Promise<PrepareLab>): void {
  let lab: PrepareLab;
  let browser: Browser;
  beforeAll(async () => {
    lab = await startLab();
    browser = (await launchBrowser()) as unknown as Browser;
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
  });

  async function users(): Promise<[LabPage, LabPage]> {
    const pages = await Promise.all([browser.newPage(), browser.newPage()]);
    for (const page of pages) {
      await page.evaluate(`(${installFakeDevices.toString()})(${JSON.stringify(FAKE_INPUTS)})`);
      await page.evaluate(countMicrophones);
    }
    await pages[0].evaluate(createUser, lab.caller);
    await pages[1].evaluate(createUser, lab.callee);
    return pages;
  }

  describe(`prepare() on ${name}`, () => {
    cellTest(
      'prepare() opens one microphone; the first call, placed and answered, sends it (the far end hears it) and opens no other; hangup stops it',
      name,
      'prepare: the first call sends the prepared microphone',
      async () => {
        const [caller, callee] = await users();
        try {
          const prepare = (page: Page) => page.evaluate(() => (window as any).__user.client.prepare() as Promise<{ microphoneHeld: boolean }>);
          const [callerPrepared, calleePrepared] = await Promise.all([prepare(caller), prepare(callee)]);
          const declared = await caller.evaluate(() => (window as any).__user.client.capabilities.preparedMicrophone === true);
          expect(await caller.evaluate(() => (window as any).__user.client.state)).toBe('connected');
          expect(callerPrepared.microphoneHeld).toBe(declared);
          expect(calleePrepared.microphoneHeld).toBe(declared);
          for (const page of [caller, callee]) {
            const before = await view(page);
            expect(before.opened, 'prepare() opens exactly one microphone').toBe(1);
            // Held for the call, or (a vendor that opens its own) asked for and stopped at once.
            expect(before.live).toEqual(declared ? ['fake-mic-a'] : []);
          }

          await caller.evaluate(async (target) => {
            const user = (window as any).__user;
            user.call = await user.client.call(target, { audioElement: user.element });
          }, lab.target);
          await waitUntil('both calls active', async () => (await callState(caller)) === 'active' && (await callState(callee)) === 'active');
          // Each side hears the other: the far end's receiver counts packets with energy.
          await callee.waitForAudio({ timeoutMs: 15_000 });
          await caller.waitForAudio({ timeoutMs: 15_000 });

          const during = [await view(caller), await view(callee)];
          if (!declared) {
            // The vendor SDK opened its own microphone for the call: the declared behaviour.
            for (const v of during) expect(v.opened).toBe(2);
            await caller.evaluate(() => (window as any).__user.call.hangup());
            await waitUntil('no live microphone', async () => (await view(caller)).live.length === 0 && (await view(callee)).live.length === 0);
            return { unsupported: `capabilities.preparedMicrophone false: the ${name} SDK takes no stream for dial/accept` };
          }
          for (const v of during) {
            expect(v.opened, 'the call opened no microphone of its own').toBe(1);
            expect(v.sendsFirst, 'the call sends the prepared track').toBe(true);
            expect(v.live).toEqual(['fake-mic-a']);
          }

          await caller.evaluate(() => (window as any).__user.call.hangup());
          await waitUntil('both calls ended', async () => (await callState(caller)) === 'ended' && (await callState(callee)) === 'ended');
          // The call owned the prepared track: it ended with the call, and nothing is left live.
          await waitUntil('no live microphone', async () => (await view(caller)).live.length === 0 && (await view(callee)).live.length === 0);
          for (const page of [caller, callee]) expect((await view(page)).firstState).toBe('ended');
          expect([...caller.pageErrors, ...callee.pageErrors]).toEqual([]);
        } finally {
          for (const page of [caller, callee]) await closePage(page);
        }
      },
      90_000,
    );

    cellTest(
      'release(), the holdMicrophoneMs bound and disconnect() stop a prepared microphone no call took',
      name,
      'prepare: release() and the bound stop the microphone',
      async () => {
        const [caller, callee] = await users();
        try {
          const state = () =>
            caller.evaluate(() => {
              const tracks: MediaStreamTrack[] = (window as any).__mics.tracks;
              return { opened: tracks.length, last: tracks[tracks.length - 1]?.readyState, live: (window as any).__fakeDevices.liveInputs() as string[] };
            });
          const held = await caller.evaluate(() => (window as any).__user.client.prepare().then((r: any) => r.microphoneHeld as boolean));
          expect(await state()).toEqual({ opened: 1, last: held ? 'live' : 'ended', live: held ? ['fake-mic-a'] : [] });
          await caller.evaluate(() => (window as any).__user.client.release());
          expect(await state()).toEqual({ opened: 1, last: 'ended', live: [] });

          // The bound: a short one, waited for by its effect.
          await caller.evaluate(() => (window as any).__user.client.prepare({ holdMicrophoneMs: 300 }));
          await waitUntil('the bound to release the microphone', async () => (await state()).live.length === 0);
          expect(await state()).toEqual({ opened: 2, last: 'ended', live: [] });

          await caller.evaluate(() => (window as any).__user.client.prepare());
          await caller.evaluate(() => (window as any).__user.client.disconnect());
          expect(await state()).toEqual({ opened: 3, last: 'ended', live: [] });
          expect(caller.pageErrors).toEqual([]);
        } finally {
          for (const page of [caller, callee]) await closePage(page);
        }
      },
      60_000,
    );
  });
}
