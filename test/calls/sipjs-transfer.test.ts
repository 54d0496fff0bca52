// Transfer on SIP.js in headless Chromium through a real Kamailio. Blind: alice transfers bob to
// carol (REFER); bob's client follows it with a new call that takes the old one's place; carol
// answers; alice learns `transferred`. Attended: alice consults carol while bob is held, then
// transfers bob onto that call (REFER with Replaces); carol's client takes bob's call in place of
// alice's. In both, bob and carol end up talking, proven by each call's getStats().
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startKamailio, TEST_USERS } from '../../lab/kamailio/index.mjs';
import { launchBrowser } from '../../lab/browser/index.mjs';
import { PageClient, closePage, endedLines } from '../support/browser-clients.js';
import { sleep, waitForRisingAudio, type AudioStats } from '../support/audio.js';
import { callHears, callStates, onCall } from './several-calls-kit.js';

type LabPage = Page & { pageErrors: string[]; inboundAudio(): Promise<AudioStats & Record<string, number>> };
type User = 'alice' | 'bob' | 'carol';

let lab: { wsUrl: string; domain: string; stop(): Promise<void> };
let browser: { newPage(): Promise<LabPage>; close(): Promise<void> };
let pages: LabPage[] = [];

beforeAll(async () => {
  lab = await startKamailio();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await lab?.stop();
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
  const config = { provider: 'sipjs', server: lab.wsUrl, uri: `sip:${user}@${lab.domain}`, credentials: { type: 'password', password: TEST_USERS[user] }, iceServers: [], ...extra };
  const client = await PageClient.create(page, user, config);
  await client.connect();
  return client as PageClient & { page: LabPage };
}

// A transfer settles only once the target answered; on a machine shared with other browsers that
// can take longer than the default 10 s operation bound.
const PATIENT = { timeouts: { operationMs: 30_000 } };
const SLOW_TEST_MS = 180_000;
/** A trace line may take longer than the harness's 10 s default to appear on a loaded machine. */
const PATIENT_WAIT = { timeoutMs: 30_000 };

/** alice calls bob, bob answers. */
async function aliceWithBob(aliceExtra: Record<string, unknown> = {}) {
  const alice = await connected('alice', { ...PATIENT, ...aliceExtra });
  const bob = await connected('bob');
  const carol = await connected('carol');
  expect((await alice.call(`sip:bob@${lab.domain}`)).outcome).toBe('ok');
  await bob.waitForLine('client incomingCall', PATIENT_WAIT);
  await bob.must('answer');
  await alice.waitForLine('call#1 active', PATIENT_WAIT);
  return { alice, bob, carol };
}

const only = (lines: string[], pattern: RegExp) => lines.filter((l) => pattern.test(l));

describe('transfer on SIP.js (Chromium + Kamailio)', () => {
  it('blind: alice transfers bob to carol; bob follows the REFER with a new call, carol answers, alice learns transferred', async () => {
    const { alice, bob, carol } = await aliceWithBob();
    const carolUri = `sip:carol@${lab.domain}`;
    const transfer = onCall(alice, 1, 'transfer', carolUri);
    await carol.waitForLine('client incomingCall', PATIENT_WAIT);
    await carol.must('answer');
    expect(await transfer).toBe('ok');

    await bob.waitForLine('call#2 active', PATIENT_WAIT);
    await bob.waitForLine('call#1 ended reason=transferred', PATIENT_WAIT);
    await alice.waitForLine('call#1 ended reason=transferred', PATIENT_WAIT);
    // bob ↔ carol talk: each side's receiver gets sound.
    expect((await callHears(bob, 2)).energy).toBeGreaterThan(0);
    expect((await waitForRisingAudio(carol.page)).energy).toBeGreaterThan(0);

    const aliceLines = await alice.lines();
    expect(only(aliceLines, /^call#1 (transferred|ended)/)).toEqual([`call#1 transferred target=${carolUri}`, 'call#1 ended reason=transferred']);
    const bobLines = await bob.lines();
    expect(only(bobLines, /^call#1 referred/)).toEqual([`call#1 referred target=${carolUri}`]);
    expect(await callStates(bob)).toEqual(['#2 active']);
    expect(await callStates(alice)).toEqual([]);

    await onCall(bob, 2, 'hangup');
    await carol.waitForLine('call#1 ended reason=remoteHangup', PATIENT_WAIT);
    await sleep(300);
    expect(endedLines(await alice.lines())).toEqual(['call#1 ended reason=transferred']);
    expect(endedLines(await bob.lines())).toEqual(['call#1 ended reason=transferred', 'call#2 ended reason=hangup']);
    expect(endedLines(await carol.lines())).toEqual(['call#1 ended reason=remoteHangup']);
  }, SLOW_TEST_MS);

  it('blind to a user who is not registered: alice learns the failure and keeps her call with bob', async () => {
    const { alice, bob } = await aliceWithBob();
    const outcome = await onCall(alice, 1, 'transfer', `sip:nobody@${lab.domain}`);
    expect(outcome).toBe('CALL_FAILED');
    await bob.waitForLine(/^call#2 ended .*reason=failed/, PATIENT_WAIT);
    expect(await callStates(alice)).toEqual(['#1 active']);
    // bob's client lists his call with alice again, and they still talk.
    expect(await callStates(bob)).toEqual(['#1 active']);
    expect((await callHears(bob, 1)).energy).toBeGreaterThan(0);
    expect(only(await alice.lines(), /^call#1 (transferred|ended)/)).toEqual([]);
  }, SLOW_TEST_MS);

  it('attended: alice consults carol while bob is held, then transfers bob onto that call (REFER with Replaces)', async () => {
    const { alice, bob, carol } = await aliceWithBob({ maxCalls: 2 });
    expect((await alice.call(`sip:carol@${lab.domain}`)).outcome).toBe('ok');
    await carol.waitForLine('client incomingCall', PATIENT_WAIT);
    await carol.must('answer');
    await alice.waitForLine('call#2 active', PATIENT_WAIT);
    expect(await callStates(alice)).toEqual(['#1 held', '#2 active']);

    expect(await onCall(alice, 1, 'transfer', '#2')).toBe('ok');
    await bob.waitForLine('call#2 active', PATIENT_WAIT);
    // carol's client took bob's call in place of alice's, without asking her again.
    await carol.waitForLine('call#2 active', PATIENT_WAIT);
    await carol.waitForLine('call#1 ended reason=transferred', PATIENT_WAIT);
    await alice.waitForLine('call#2 ended reason=transferred', PATIENT_WAIT);
    expect(await callStates(carol)).toEqual(['#2 active']);
    expect(await callStates(bob)).toEqual(['#2 active']);
    expect(await callStates(alice)).toEqual([]);
    expect((await callHears(bob, 2)).energy).toBeGreaterThan(0);
    expect((await callHears(carol, 2)).energy).toBeGreaterThan(0);

    await onCall(bob, 2, 'hangup');
    await carol.waitForLine('call#2 ended reason=remoteHangup', PATIENT_WAIT);
    await sleep(300);
    // Both of alice's calls end transferred (carol's BYE of the replaced call may come first).
    expect(endedLines(await alice.lines()).sort()).toEqual(['call#1 ended reason=transferred', 'call#2 ended reason=transferred']);
    expect(endedLines(await bob.lines())).toEqual(['call#1 ended reason=transferred', 'call#2 ended reason=hangup']);
    expect(endedLines(await carol.lines())).toEqual(['call#1 ended reason=transferred', 'call#2 ended reason=remoteHangup']);
  }, SLOW_TEST_MS);
});
