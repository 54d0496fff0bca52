// Calls with real media: the SIP.js provider in headless Chromium through a real Kamailio.
// Audio is proven by the receiver's getStats() (inbound-rtp packets and decoded energy), never
// by a state flag: SIP can say "established" while no packet flows.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startKamailio, TEST_USERS } from '../../lab/kamailio/index.mjs';
import { launchBrowser } from '../../lab/browser/index.mjs';
import type { Page } from 'playwright-core';
import { PageClient, closePage, endedLines, OpLog } from '../support/browser-clients.js';
import { SILENT_ENERGY, audioOver, sleep, waitForRisingAudio, waitForSilence, type AudioStats } from '../support/audio.js';
import { scanForSecrets } from '../support/secrets.js';

type LabPage = Page & { consoleLines: string[]; pageErrors: string[]; inboundAudio(): Promise<AudioStats & Record<string, number>> };
type Lab = { wsUrl: string; domain: string; stop(): Promise<void> };
type Browser = { newPage(): Promise<LabPage>; close(): Promise<void> };
type User = 'alice' | 'bob' | 'carol' | 'dave';

const PASSWORDS = Object.values(TEST_USERS as Record<string, string>);
let lab: Lab;
let browser: Browser;
let deniedBrowser: Browser | undefined;
let pages: LabPage[] = [];

beforeAll(async () => {
  lab = await startKamailio();
  browser = await launchBrowser();
});

afterAll(async () => {
  await deniedBrowser?.close();
  await browser?.close();
  await lab?.stop();
});

// Every test: no uncaught error in any page, no password in any page's console or trace.
afterEach(async () => {
  const opened = pages;
  pages = [];
  const traces: string[][] = [];
  for (const page of opened) {
    traces.push(await page.evaluate(() => Object.values((window as any).__clients ?? {}).map((e: any) => JSON.stringify(e.client.trace()))).catch(() => []));
  }
  await Promise.all(opened.map((page) => closePage(page)));
  expect(opened.flatMap((p) => p.pageErrors)).toEqual([]);
  expect(scanForSecrets([traces, opened.map((p) => p.consoleLines)], PASSWORDS)).toEqual([]);
});

async function openPage(from: Browser = browser): Promise<LabPage> {
  const page = await from.newPage();
  pages.push(page);
  return page;
}

function sipConfig(user: User, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    provider: 'sipjs',
    server: lab.wsUrl,
    uri: `sip:${user}@${lab.domain}`,
    credentials: { type: 'password', password: TEST_USERS[user] },
    // No STUN server is reachable here; loopback host candidates are enough.
    iceServers: [],
    ...extra,
  };
}

async function connected(user: User, extra: Record<string, unknown> = {}, from?: Browser, log?: OpLog): Promise<PageClient & { page: LabPage }> {
  const page = await openPage(from);
  const client = await PageClient.create(page, user, sipConfig(user, extra), log);
  await client.connect();
  return client as PageClient & { page: LabPage };
}

/** alice calls bob and bob answers; both are `active` when this resolves. */
async function establishedCall(callerExtra: Record<string, unknown> = {}, calleeExtra: Record<string, unknown> = {}) {
  const alice = await connected('alice', callerExtra);
  const bob = await connected('bob', calleeExtra);
  expect((await alice.call(`sip:bob@${lab.domain}`)).outcome).toBe('ok');
  await bob.waitForLine('client incomingCall');
  expect((await bob.answer()).outcome).toBe('ok');
  await alice.waitForLine('call#1 active');
  await bob.waitForLine('call#1 active');
  return { alice, bob };
}

async function expectAudioBothWays(alice: PageClient & { page: LabPage }, bob: PageClient & { page: LabPage }) {
  for (const side of [alice, bob]) {
    const window = await waitForRisingAudio(side.page);
    expect(window.packets, `${side.name} receives packets`).toBeGreaterThan(0);
    expect(window.energy, `${side.name} receives sound`).toBeGreaterThan(0);
  }
}

const callLines = (lines: string[]) => lines.filter((l) => l.startsWith('call#'));

describe('SIP.js calls with real media (Chromium + Kamailio)', () => {
  it('alice calls bob, bob answers: both active, audio received and rising on both sides', async () => {
    const { alice, bob } = await establishedCall();
    await expectAudioBothWays(alice, bob);
    // Rising: a second window later still adds packets and energy.
    for (const side of [alice, bob]) {
      const later = await audioOver(side.page, 1_000);
      expect(later.packets).toBeGreaterThan(20);
      expect(later.energy).toBeGreaterThan(0);
    }
    // The app gets the remote audio as a MediaStream, and the handle's getStats() sees the same flow.
    for (const side of [alice, bob]) {
      const state = await side.state();
      expect(state.call).toMatchObject({ state: 'active', hasRemoteStream: true });
      const viaHandle = await side.callInboundAudio();
      expect(viaHandle!.packetsReceived).toBeGreaterThan(0);
      expect(viaHandle!.totalAudioEnergy).toBeGreaterThan(0);
    }
    expect(callLines(await alice.lines())).toEqual([
      'call#1 stateChanged new>connecting',
      'call#1 stateChanged connecting>ringing',
      'call#1 ringing',
      'call#1 stateChanged ringing>active',
      'call#1 active',
    ]);
    expect(callLines(await bob.lines())).toEqual([
      'call#1 stateChanged new>ringing',
      'call#1 stateChanged ringing>connecting',
      'call#1 stateChanged connecting>active',
      'call#1 active',
    ]);
    expect((await alice.hangup()).outcome).toBe('ok');
    expect(await bob.waitForEnd()).toMatchObject({ reason: 'remoteHangup' });
  });

  it('mute stops the sound bob receives, unmute brings it back; muted/unmuted fire', async () => {
    const { alice, bob } = await establishedCall();
    await expectAudioBothWays(alice, bob);
    const from = await alice.traceLength();
    expect((await alice.mute()).outcome).toBe('ok');
    await alice.waitForLine('call#1 muted', { from });
    // Within a bound (jitter buffer and decoder fade-out), then for a whole second: no sound.
    await waitForSilence(bob.page);
    const muted = await audioOver(bob.page, 1_000);
    expect(muted.energy).toBeLessThan(SILENT_ENERGY);
    // Packets still flow (silence): it is the sound that stopped, not the connection.
    expect(muted.packets).toBeGreaterThan(0);
    // Only alice's microphone is muted: she still hears bob.
    expect((await audioOver(alice.page, 500)).energy).toBeGreaterThan(0);
    expect((await alice.state()).call?.muted).toBe(true);

    expect((await alice.unmute()).outcome).toBe('ok');
    await alice.waitForLine('call#1 unmuted', { from });
    const resumed = await waitForRisingAudio(bob.page);
    expect(resumed.energy).toBeGreaterThan(SILENT_ENERGY);
    expect((await alice.lines()).slice(from)).toEqual(['call#1 muted', 'call#1 unmuted']);
  });

  it('hold/unhold: both sides see held/unheld (by local/remote), no sound while held, sound after', async () => {
    const { alice, bob } = await establishedCall();
    await expectAudioBothWays(alice, bob);
    const aliceFrom = await alice.traceLength();
    const bobFrom = await bob.traceLength();
    expect((await alice.hold()).outcome).toBe('ok');
    await alice.waitForLine('call#1 held by=local', { from: aliceFrom });
    await bob.waitForLine('call#1 held by=remote', { from: bobFrom });
    await Promise.all([waitForSilence(alice.page), waitForSilence(bob.page)]);
    const [aliceHeld, bobHeld] = await Promise.all([audioOver(alice.page, 1_000), audioOver(bob.page, 1_000)]);
    // bob answered the hold recvonly: no packet at all comes to alice; alice sends silence.
    expect(aliceHeld.packets).toBe(0);
    expect(aliceHeld.energy).toBeLessThan(SILENT_ENERGY);
    expect(bobHeld.energy).toBeLessThan(SILENT_ENERGY);
    expect((await alice.state()).call?.state).toBe('held');
    expect((await bob.state()).call?.state).toBe('held');

    expect((await alice.unhold()).outcome).toBe('ok');
    await alice.waitForLine('call#1 unheld by=local', { from: aliceFrom });
    await bob.waitForLine('call#1 unheld by=remote', { from: bobFrom });
    await expectAudioBothWays(alice, bob);
    expect((await alice.lines()).slice(aliceFrom)).toEqual([
      'call#1 stateChanged active>held',
      'call#1 held by=local',
      'call#1 stateChanged held>active',
      'call#1 unheld by=local',
    ]);
    expect((await bob.lines()).slice(bobFrom)).toEqual([
      'call#1 stateChanged active>held',
      'call#1 held by=remote',
      'call#1 stateChanged held>active',
      'call#1 unheld by=remote',
    ]);
  });

  it('DTMF 123# by SIP INFO arrives at bob as dtmf events, in order', async () => {
    // Browsers do not surface received RFC 4733 events, so the receiving test uses SIP INFO.
    const { alice, bob } = await establishedCall({ dtmfTransport: 'info' });
    const from = await bob.traceLength();
    expect((await alice.sendDtmf('123#')).outcome).toBe('ok');
    await bob.waitForLine('call#1 dtmf digit=#', { from });
    expect((await bob.lines()).slice(from)).toEqual(['call#1 dtmf digit=1', 'call#1 dtmf digit=2', 'call#1 dtmf digit=3', 'call#1 dtmf digit=#']);
  });

  it('DTMF by RFC 4733 goes through the peer connection\'s RTCDTMFSender, queued digits included', async () => {
    const { alice, bob } = await establishedCall();
    // The lab keeps every RTCPeerConnection in window.__pcs; listen to its DTMF sender's tones.
    await alice.page.evaluate(() => {
      const w = window as any;
      w.__tones = [];
      const pc = w.__pcs.at(-1);
      const sender = pc.getSenders().find((s: RTCRtpSender) => s.track?.kind === 'audio');
      sender.dtmf.addEventListener('tonechange', (e: RTCDTMFToneChangeEvent) => w.__tones.push(e.tone));
    });
    const bobFrom = await bob.traceLength();
    // Two calls back to back: the second must queue behind the first, not replace it.
    expect((await alice.sendDtmf('12')).outcome).toBe('ok');
    expect((await alice.sendDtmf('3#')).outcome).toBe('ok');
    await alice.page.waitForFunction(() => (window as any).__tones.includes(''), undefined, { timeout: 5_000 });
    expect(await alice.page.evaluate(() => (window as any).__tones)).toEqual(['1', '2', '3', '#', '']);
    // Nothing went by SIP INFO: bob's client saw no digit.
    await sleep(200);
    expect((await bob.lines()).slice(bobFrom).filter((l) => l.includes('dtmf'))).toEqual([]);
  });

  it('bob rejects: 603 → alice ended rejected; 486 → busy', async () => {
    const alice = await connected('alice');
    const bob = await connected('bob');
    for (const [status, reason] of [
      [603, 'rejected'],
      [486, 'busy'],
    ] as const) {
      const aliceFrom = await alice.traceLength();
      const bobFrom = await bob.traceLength();
      expect((await alice.call(`sip:bob@${lab.domain}`, { iceServers: [] })).outcome).toBe('ok');
      await bob.waitForLine(/^client incomingCall$/, { from: bobFrom });
      expect((await bob.reject(status)).outcome).toBe('ok');
      const ended = await alice.waitForEnd({ from: aliceFrom });
      expect(ended.reason).toBe(reason);
      expect(ended.code).toBeUndefined();
      expect((await bob.waitForEnd({ from: bobFrom })).reason).toBe(reason);
      expect(endedLines((await alice.lines()).slice(aliceFrom))).toHaveLength(1);
    }
  });

  it('nobody answers within ringTimeoutMs → alice unanswered, bob canceled', async () => {
    const alice = await connected('alice');
    const bob = await connected('bob');
    const started = Date.now();
    expect((await alice.call(`sip:bob@${lab.domain}`, { ringTimeoutMs: 1_500 })).outcome).toBe('ok');
    await bob.waitForLine('client incomingCall');
    const ended = await alice.waitForEnd({ timeoutMs: 10_000 });
    expect(ended.reason).toBe('unanswered');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
    expect((await bob.waitForEnd()).reason).toBe('canceled');
    await sleep(300); // a late 487 must not add a second `ended`
    expect(endedLines(await alice.lines())).toEqual(['call#1 ended reason=unanswered']);
  });

  it('alice cancels while ringing → both ended canceled', async () => {
    const alice = await connected('alice');
    const bob = await connected('bob');
    expect((await alice.call(`sip:bob@${lab.domain}`)).outcome).toBe('ok');
    await alice.waitForLine('call#1 ringing');
    await bob.waitForLine('client incomingCall');
    expect((await alice.hangup()).outcome).toBe('ok');
    expect((await alice.waitForEnd()).reason).toBe('canceled');
    expect((await bob.waitForEnd()).reason).toBe('canceled');
    await sleep(300);
    expect(endedLines(await alice.lines())).toEqual(['call#1 ended reason=canceled']);
    expect(endedLines(await bob.lines())).toEqual(['call#1 ended reason=canceled']);
  });

  it('bob hangs up → alice remoteHangup, bob hangup', async () => {
    const { alice, bob } = await establishedCall();
    expect((await bob.hangup()).outcome).toBe('ok');
    expect((await alice.waitForEnd()).reason).toBe('remoteHangup');
    expect((await bob.waitForEnd()).reason).toBe('hangup');
    // The call is over for the client too: a new call can start.
    expect((await alice.state()).call?.state).toBe('ended');
  });

  it('an anonymous SIP.js client calls a registered user, with audio both ways', async () => {
    const bob = await connected('bob');
    const page = await openPage();
    // No uri and no credentials: the provider defaults to an anonymous session (no REGISTER).
    const guest = (await PageClient.create(page, 'guest', { provider: 'sipjs', server: lab.wsUrl, iceServers: [] })) as PageClient & { page: LabPage };
    await guest.connect();
    const guestLines = await guest.lines();
    expect(guestLines).not.toContain('client registered');
    expect((await guest.state()).capabilities.incomingCalls).toBe(false);
    expect((await guest.call(`sip:bob@${lab.domain}`)).outcome).toBe('ok');
    await bob.waitForLine('client incomingCall');
    expect((await bob.state()).call?.peer).toMatch(/@anonymous\.invalid$/);
    expect((await bob.answer()).outcome).toBe('ok');
    await guest.waitForLine('call#1 active');
    await expectAudioBothWays(guest, bob as PageClient & { page: LabPage });
    expect((await guest.hangup()).outcome).toBe('ok');
    expect((await bob.waitForEnd()).reason).toBe('remoteHangup');
  });

  it('a call to a user who is not registered ends failed with a VoiceError code', async () => {
    const alice = await connected('alice');
    // carol exists but has no client: Kamailio answers 404.
    expect((await alice.call(`sip:carol@${lab.domain}`)).outcome).toBe('ok');
    const ended = await alice.waitForEnd();
    expect(ended).toMatchObject({ reason: 'failed', code: 'CALL_FAILED' });
    const [end] = await alice.ends();
    expect(end?.error).toMatchObject({ code: 'CALL_FAILED', provider: 'sipjs', details: { status: 404 }, cause: { code: 404 } });
    expect(endedLines(await alice.lines())).toHaveLength(1);
  });

  it('call() on a client that is not connected → INVALID_STATE', async () => {
    const page = await openPage();
    const alice = await PageClient.create(page, 'alice', sipConfig('alice'));
    const never = await alice.call(`sip:bob@${lab.domain}`);
    expect(never.outcome).toBe('INVALID_STATE');
    await alice.connect();
    expect((await alice.disconnect()).outcome).toBe('ok');
    const after = await alice.call(`sip:bob@${lab.domain}`);
    expect(after.outcome).toBe('INVALID_STATE');
    expect(after.error).toMatchObject({ code: 'INVALID_STATE', provider: 'sipjs' });
    // No call was created, so no call event.
    expect(callLines(await alice.lines())).toEqual([]);
  });

  describe('microphone permission denied', () => {
    beforeAll(async () => {
      deniedBrowser = await launchBrowser({ denyMedia: true });
    });

    it('call() → MEDIA_DENIED, the call ends failed with MEDIA_DENIED', async () => {
      const alice = await connected('alice', {}, deniedBrowser);
      const result = await alice.call(`sip:bob@${lab.domain}`);
      expect(result.outcome).toBe('MEDIA_DENIED');
      expect(result.error).toMatchObject({ code: 'MEDIA_DENIED', provider: 'sipjs', cause: { name: 'NotAllowedError' } });
      expect(callLines(await alice.lines())).toEqual([
        'call#1 stateChanged new>connecting',
        'call#1 stateChanged connecting>ended',
        'call#1 ended code=MEDIA_DENIED reason=failed',
      ]);
      // The client stays usable.
      expect((await alice.state()).client).toBe('connected');
    });

    it('answer() → MEDIA_DENIED for bob; alice\'s call ends failed', async () => {
      const alice = await connected('alice');
      const bob = await connected('bob', {}, deniedBrowser);
      expect((await alice.call(`sip:bob@${lab.domain}`)).outcome).toBe('ok');
      await bob.waitForLine('client incomingCall');
      const answered = await bob.answer();
      expect(answered.outcome).toBe('MEDIA_DENIED');
      expect(endedLines(await bob.lines())).toEqual(['call#1 ended code=MEDIA_DENIED reason=failed']);
      const ended = await alice.waitForEnd();
      expect(ended.reason).toBe('failed');
      expect(ended.code).toBe('CALL_FAILED');
    });
  });
});
