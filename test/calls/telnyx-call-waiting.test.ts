// Call waiting on Telnyx: the REAL @telnyx/webrtc SDK in headless Chromium against the Verto
// emulator (lab/telnyx), which delivers a second call to a user already on one, as the service does
// (the SDK keeps several calls in client.calls and only warns about it). alice is on a call with
// bob, carol calls; with maxCalls 2 alice is offered carol, answers while bob is put on hold,
// switches back, hangs up both; with the default (1) carol hears busy and alice is told. Telnyx
// never tells a held party (remoteHold false), so "held" is proven by the held party's silence.
// Audio is proven per call by that call's getStats() and by the other parties' receiver stats.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../lab/browser/index.mjs';
import { startTelnyxEmulator, TELNYX_USERS } from '../../lab/telnyx/index.mjs';
import { PageClient, closePage, endedLines } from '../support/browser-clients.js';
import { sleep, waitForRisingAudio, waitForSilence, type AudioStats } from '../support/audio.js';
import { callHears, callStates as states, onCall } from './several-calls-kit.js';

type LabPage = Page & { pageErrors: string[]; inboundAudio(): Promise<AudioStats & Record<string, number>> };
type User = 'alice' | 'bob' | 'carol';

const USERS: Record<User, string> = { alice: TELNYX_USERS.alice, bob: TELNYX_USERS.bob, carol: 'carol-tx-pw-7e3' };

let emulator: Awaited<ReturnType<typeof startTelnyxEmulator>>;
let browser: { newPage(): Promise<LabPage>; close(): Promise<void> };
let pages: LabPage[] = [];

beforeAll(async () => {
  emulator = await startTelnyxEmulator({ users: { ...TELNYX_USERS, carol: USERS.carol } });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await emulator?.stop();
});
afterEach(async () => {
  const opened = pages;
  pages = [];
  await Promise.all(opened.map((p) => closePage(p)));
  expect(opened.flatMap((p) => p.pageErrors)).toEqual([]);
});

async function connected(user: User, extra: Record<string, unknown> = {}): Promise<PageClient & { page: LabPage }> {
  const page = await browser.newPage();
  pages.push(page);
  const config = { provider: 'telnyx', server: emulator.url, credentials: { type: 'password', login: user, password: USERS[user] }, iceServers: [], ...extra };
  const client = await PageClient.create(page, user, config);
  await client.connect();
  return client as PageClient & { page: LabPage };
}

// Bound per test: on a machine shared with other browsers a call scenario can take minutes.
const SLOW_TEST_MS = 180_000;
/** A trace line may take longer than the harness's 10 s default to appear on a loaded machine. */
const PATIENT_WAIT = { timeoutMs: 30_000 };

describe('call waiting on Telnyx (Chromium + emulator)', () => {
  it('maxCalls 2: carol is offered while alice talks to bob, answering holds bob, switching back holds carol, one ended each', async () => {
    const alice = await connected('alice', { maxCalls: 2 });
    const bob = await connected('bob');
    const carol = await connected('carol');
    expect((await alice.call('bob')).outcome).toBe('ok');
    await bob.waitForLine('client incomingCall', PATIENT_WAIT);
    await bob.must('answer');
    await alice.waitForLine('call#1 active', PATIENT_WAIT);
    expect((await callHears(alice, 1)).energy).toBeGreaterThan(0);

    expect((await carol.call('alice')).outcome).toBe('ok');
    await alice.waitForLine('client incomingCall', PATIENT_WAIT);
    // Offered, and bob's call untouched.
    expect(await states(alice)).toEqual(['#1 active', '#2 ringing']);
    expect(emulator.stats.calls.filter((c) => c.to === 'alice').map((c) => c.outcome)).toEqual(['routed']);

    expect(await onCall(alice, 2, 'answer')).toBe('ok');
    await alice.waitForLine('call#2 active', PATIENT_WAIT);
    await carol.waitForLine('call#1 active', PATIENT_WAIT);
    await alice.waitForLine('call#1 held by=local', PATIENT_WAIT);
    expect(await states(alice)).toEqual(['#1 held', '#2 active']);
    // alice ↔ carol: each hears the other; bob hears nothing from alice.
    expect((await callHears(alice, 2)).energy).toBeGreaterThan(0);
    expect((await waitForRisingAudio(carol.page)).energy).toBeGreaterThan(0);
    await waitForSilence(bob.page);

    // Switch back to bob: carol is held first.
    expect(await onCall(alice, 1, 'unhold')).toBe('ok');
    await alice.waitForLine('call#2 held by=local', PATIENT_WAIT);
    expect(await states(alice)).toEqual(['#1 active', '#2 held']);
    expect((await waitForRisingAudio(bob.page)).energy).toBeGreaterThan(0);
    expect((await callHears(alice, 1)).energy).toBeGreaterThan(0);
    await waitForSilence(carol.page);

    expect(await onCall(alice, 1, 'hangup')).toBe('ok');
    expect(await onCall(alice, 2, 'hangup')).toBe('ok');
    await bob.waitForLine('call#1 ended reason=remoteHangup', PATIENT_WAIT);
    await carol.waitForLine('call#1 ended reason=remoteHangup', PATIENT_WAIT);
    await sleep(300); // room for a stray second report of either end
    expect(endedLines(await alice.lines())).toEqual(['call#1 ended reason=hangup', 'call#2 ended reason=hangup']);
    expect(endedLines(await bob.lines())).toHaveLength(1);
    expect(endedLines(await carol.lines())).toHaveLength(1);
    expect(await states(alice)).toEqual([]);
  }, SLOW_TEST_MS);

  it('maxCalls 1 (default): carol hears busy, alice is told (callRefused) and her call with bob goes on', async () => {
    const alice = await connected('alice');
    const bob = await connected('bob');
    const carol = await connected('carol');
    expect((await alice.call('bob')).outcome).toBe('ok');
    await bob.waitForLine('client incomingCall', PATIENT_WAIT);
    await bob.must('answer');
    await alice.waitForLine('call#1 active', PATIENT_WAIT);

    expect((await carol.call('alice')).outcome).toBe('ok');
    expect((await carol.waitForEnd(PATIENT_WAIT)).reason).toBe('busy');
    const lines = await alice.lines();
    expect(lines).toContain('client callRefused');
    expect(lines).not.toContain('client incomingCall');
    expect(await states(alice)).toEqual(['#1 active']);
    expect((await callHears(alice, 1)).energy).toBeGreaterThan(0);
    // Placing a second call is refused too: one call at a time.
    expect((await alice.call('carol')).outcome).toBe('INVALID_STATE');
  }, SLOW_TEST_MS);
});
