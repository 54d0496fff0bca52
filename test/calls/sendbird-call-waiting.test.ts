// Call waiting on Sendbird: the REAL sendbird-calls SDK in headless Chromium (one page per user)
// against lab/sendbird, which delivers a second call to a user already on one as the service does.
// alice is on a call with bob (after declining one from carol), carol calls; with maxCalls 2 alice is offered carol, answers while
// bob is held (Sendbird `CALL hold`), switches back, hangs up both; with the default (1) carol is
// declined and alice is told. Audio is proven per call by that call's getStats() and by the other
// parties' receiver stats. Mirrors test/calls/sipjs-call-waiting.test.ts.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startSendbirdEmulator, SENDBIRD_USERS } from '../../lab/sendbird/index.mjs';
import { launchBrowser } from '../../lab/browser/index.mjs';
import { PageClient, closePage, endedLines } from '../support/browser-clients.js';
import { sleep, waitForRisingAudio, waitForSilence, type AudioStats } from '../support/audio.js';
import { callHears, callStates, onCall } from './several-calls-kit.js';

type LabPage = Page & { pageErrors: string[]; inboundAudio(): Promise<AudioStats & Record<string, number>> };
type User = 'alice' | 'bob' | 'carol';

let emulator: { appId: string; apiHost: string; wsHost: string; issueToken(userId: string): string; stop(): Promise<void> };
let browser: { newPage(): Promise<LabPage>; close(): Promise<void> };
let pages: LabPage[] = [];
const tokens: Record<User, string> = { alice: '', bob: '', carol: '' };

beforeAll(async () => {
  emulator = await startSendbirdEmulator();
  tokens.alice = SENDBIRD_USERS.alice as string;
  tokens.bob = SENDBIRD_USERS.bob as string;
  tokens.carol = emulator.issueToken('carol');
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
  const config = {
    provider: 'sendbird',
    server: emulator.appId,
    apiHost: emulator.apiHost,
    wsHost: emulator.wsHost,
    credentials: { type: 'accessToken', userId: user, accessToken: tokens[user] },
    // hold/unhold wait for the server's ack through a page; 10 s was once not enough on a loaded machine.
    timeouts: { operationMs: 30_000 },
    ...extra,
  };
  const client = await PageClient.create(page, user, config);
  await client.connect();
  return client as PageClient & { page: LabPage };
}

const states = callStates;

// Bound per test: on a machine shared with other browsers a call scenario can take minutes.
const SLOW_TEST_MS = 180_000;
/** A trace line may take longer than the harness's 10 s default to appear on a loaded machine. */
const PATIENT_WAIT = { timeoutMs: 30_000 };

describe('call waiting on Sendbird (Chromium + lab/sendbird)', () => {
  it('maxCalls 2: carol is offered while alice talks to bob, answering holds bob, switching back holds carol, one ended each', async () => {
    const alice = await connected('alice', { maxCalls: 2 });
    const bob = await connected('bob');
    const carol = await connected('carol');
    // A call alice declined stays in the SDK's own list of calls: answering with holdActiveCall
    // must not try to hold it (an unhandled rejection in the page, caught by afterEach).
    expect((await carol.call('alice')).outcome).toBe('ok');
    await alice.waitForLine('client incomingCall', PATIENT_WAIT);
    await alice.must('reject');
    expect((await carol.waitForEnd(PATIENT_WAIT)).reason).toBe('rejected');

    expect((await alice.call('bob')).outcome).toBe('ok');
    await bob.waitForLine('client incomingCall', PATIENT_WAIT);
    await bob.must('answer');
    await alice.waitForLine('call#2 active', PATIENT_WAIT);
    expect((await callHears(alice, 2)).energy).toBeGreaterThan(0);

    const carolCalls = (await carol.lines()).length;
    expect((await carol.call('alice')).outcome).toBe('ok');
    await alice.waitForLine(/^call#3 stateChanged new>ringing$/, PATIENT_WAIT);
    // Offered, and bob's call untouched.
    expect(await states(alice)).toEqual(['#2 active', '#3 ringing']);

    expect(await onCall(alice, 3, 'answer')).toBe('ok');
    await alice.waitForLine('call#3 active', PATIENT_WAIT);
    await bob.waitForLine('call#1 held by=remote', PATIENT_WAIT);
    await carol.waitForLine('call#2 active', { ...PATIENT_WAIT, from: carolCalls });
    expect(await states(alice)).toEqual(['#2 held', '#3 active']);
    // alice ↔ carol: each hears the other; bob hears nothing from alice.
    expect((await callHears(alice, 3)).energy).toBeGreaterThan(0);
    expect((await waitForRisingAudio(carol.page)).energy).toBeGreaterThan(0);
    await waitForSilence(bob.page);

    // Switch back to bob: carol is held first.
    expect(await onCall(alice, 2, 'unhold')).toBe('ok');
    await carol.waitForLine('call#2 held by=remote', PATIENT_WAIT);
    await bob.waitForLine('call#1 unheld by=remote', PATIENT_WAIT);
    expect(await states(alice)).toEqual(['#2 active', '#3 held']);
    expect((await waitForRisingAudio(bob.page)).energy).toBeGreaterThan(0);
    expect((await callHears(alice, 2)).energy).toBeGreaterThan(0);
    await waitForSilence(carol.page);

    expect(await onCall(alice, 2, 'hangup')).toBe('ok');
    expect(await onCall(alice, 3, 'hangup')).toBe('ok');
    await bob.waitForLine('call#1 ended reason=remoteHangup', PATIENT_WAIT);
    await carol.waitForLine('call#2 ended reason=remoteHangup', PATIENT_WAIT);
    await sleep(300); // room for a stray second report of either end
    expect(endedLines(await alice.lines())).toEqual(['call#1 ended reason=rejected', 'call#2 ended reason=hangup', 'call#3 ended reason=hangup']);
    expect(endedLines(await bob.lines())).toHaveLength(1);
    expect(endedLines(await carol.lines())).toEqual(['call#1 ended reason=rejected', 'call#2 ended reason=remoteHangup']);
    expect(await states(alice)).toEqual([]);
  }, SLOW_TEST_MS);

  it('maxCalls 1 (default): carol is declined (Sendbird has no busy), alice is told (callRefused) and her call with bob goes on', async () => {
    const alice = await connected('alice');
    const bob = await connected('bob');
    const carol = await connected('carol');
    expect((await alice.call('bob')).outcome).toBe('ok');
    await bob.waitForLine('client incomingCall', PATIENT_WAIT);
    await bob.must('answer');
    await alice.waitForLine('call#1 active', PATIENT_WAIT);

    expect((await carol.call('alice')).outcome).toBe('ok');
    expect((await carol.waitForEnd(PATIENT_WAIT)).reason).toBe('rejected');
    const lines = await alice.lines();
    expect(lines).toContain('client callRefused');
    expect(lines).not.toContain('client incomingCall');
    expect(await states(alice)).toEqual(['#1 active']);
    expect((await callHears(alice, 1)).energy).toBeGreaterThan(0);
    // Placing a second call is refused too: one call at a time.
    expect((await alice.call('carol')).outcome).toBe('INVALID_STATE');
  }, SLOW_TEST_MS);
});
