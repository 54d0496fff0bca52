// Calls between two users through polyphone's sendbird provider: the REAL sendbird-calls SDK in two
// headless Chromium pages, signalling through lab/sendbird, media page to page.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  SENDBIRD_USERS,
  createClient,
  dial,
  launchBrowser,
  login,
  onCall,
  rawSdk,
  recorded,
  run,
  sendbirdConfig,
  sleep,
  startSendbirdEmulator,
  waitForCallState,
  waitForState,
  type Emulator,
  type Lab,
  type Page,
} from './harness.js';

let lab: Lab;
let emulator: Emulator;
let alice: Page;
let bob: Page;

beforeAll(async () => {
  emulator = await startSendbirdEmulator();
  lab = await launchBrowser();
  [alice, bob] = await Promise.all([lab.newPage(), lab.newPage()]);
  for (const [page, user] of [
    [alice, 'alice'],
    [bob, 'bob'],
  ] as const) {
    await createClient(page, user, sendbirdConfig(emulator));
    expect(await login(page, user, user, SENDBIRD_USERS[user])).toBeUndefined();
    expect(await run(page, user, 'connect')).toBeUndefined();
  }
});
afterEach(async () => {
  // Whatever a test left behind, the next one starts without a call on either side.
  for (const [page, user] of [
    [alice, 'alice'],
    [bob, 'bob'],
  ] as const) {
    await page.evaluate((user) => (window as any).__clients[user].client.hangup().catch(() => {}), user).catch(() => {});
  }
  await sleep(300);
});
afterAll(async () => {
  await lab?.close();
  await emulator?.stop();
});

/** The call part of a client's normalised trace, from its last call only. */
async function callTrace(page: Page, user: string): Promise<string[]> {
  const { trace } = await recorded(page, user);
  const last = trace.filter((line) => line.startsWith('call#')).at(-1)?.split(' ')[0];
  return trace.filter((line) => line.startsWith(`${last} `)).map((line) => line.replace(/^call#\d+ /, 'call '));
}

/** alice dials bob, bob answers, both sides see `active`. */
async function establish(): Promise<void> {
  expect(await dial(alice, 'alice', 'bob')).toBeUndefined();
  await waitForCallState(bob, 'bob', 'ringing');
  expect(await onCall(bob, 'bob', 'answer')).toBeUndefined();
  await waitForCallState(alice, 'alice', 'active', 15_000);
  await waitForCallState(bob, 'bob', 'active', 15_000);
}

const CALLER_ANSWERED = ['call stateChanged new>connecting', 'call stateChanged connecting>ringing', 'call ringing', 'call stateChanged ringing>active', 'call active'];
const CALLEE_ANSWERED = ['call stateChanged new>ringing', 'call stateChanged ringing>connecting', 'call stateChanged connecting>active', 'call active'];

describe('sendbird calls', () => {
  it('alice dials bob, bob answers: audio both ways, remote streams handed over, alice hangs up', async () => {
    const aliceBefore = await alice.inboundAudio();
    const bobBefore = await bob.inboundAudio();
    await establish();
    await bob.waitForAudio({ minPackets: 25, timeoutMs: 10_000, since: bobBefore });
    await alice.waitForAudio({ minPackets: 25, timeoutMs: 10_000, since: aliceBefore });
    expect(await alice.evaluate(() => (window as any).__clients.alice.call.remoteStream instanceof MediaStream)).toBe(true);
    expect(await bob.evaluate(() => (window as any).__clients.bob.call.remoteStream instanceof MediaStream)).toBe(true);
    expect(await alice.evaluate(() => (window as any).__clients.alice.call.getStats().then((r: any) => r?.size > 0))).toBe(true);

    expect(await onCall(alice, 'alice', 'hangup')).toBeUndefined();
    await waitForCallState(bob, 'bob', 'ended');
    expect(await callTrace(alice, 'alice')).toEqual([...CALLER_ANSWERED, 'call stateChanged active>ended', 'call ended reason=hangup']);
    expect(await callTrace(bob, 'bob')).toEqual([...CALLEE_ANSWERED, 'call stateChanged active>ended', 'call ended reason=remoteHangup']);
    expect((await rawSdk(alice)).ongoing).toBe(0);
  });

  it('bob hangs up: bob ends `hangup`, alice `remoteHangup`', async () => {
    await establish();
    expect(await onCall(bob, 'bob', 'hangup')).toBeUndefined();
    await waitForCallState(alice, 'alice', 'ended');
    expect((await callTrace(bob, 'bob')).at(-1)).toBe('call ended reason=hangup');
    expect((await callTrace(alice, 'alice')).at(-1)).toBe('call ended reason=remoteHangup');
  });

  it('mute stops alice\'s audio reaching bob and tells the far end; unmute brings it back', async () => {
    await establish();
    await bob.waitForAudio({ minPackets: 25, timeoutMs: 10_000 });
    const energyOver = async (ms: number) => {
      const start = await bob.inboundAudio();
      await sleep(ms);
      return (await bob.inboundAudio()).totalAudioEnergy - start.totalAudioEnergy;
    };
    const speaking = await energyOver(1_500);
    expect(speaking).toBeGreaterThan(0);
    // A window, not one read after a sleep: on a loaded machine the receiver's jitter buffer can
    // still be playing out speech for a while (one run read a third of `speaking` 300 ms after mute).
    const windowWhere = async (ok: (energy: number) => boolean, timeoutMs = 10_000): Promise<number> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const energy = await energyOver(1_000);
        if (ok(energy) || Date.now() > deadline) return energy;
      }
    };
    expect(await onCall(alice, 'alice', 'mute')).toBeUndefined();
    const muted = await windowWhere((energy) => energy < speaking / 10);
    expect(muted).toBeLessThan(speaking / 10);
    const comm = emulator.frames.filter((f) => f.dir === 'in' && f.userId === 'alice' && (f.msg as any)?.cmd === 'COMM' && (f.msg as any)?.type === 'audio');
    expect((comm.at(-1)?.msg as any)?.payload?.is_enabled).toBe(false);
    expect(await onCall(alice, 'alice', 'unmute')).toBeUndefined();
    expect(await windowWhere((energy) => energy > speaking / 4)).toBeGreaterThan(speaking / 4);
    const { events } = await recorded(alice, 'alice');
    expect(events.filter((e) => e === 'out muted' || e === 'out unmuted').slice(-2)).toEqual(['out muted', 'out unmuted']);
  });

  it('hold and unhold: local on alice\'s side, remote on bob\'s; DTMF is UNSUPPORTED', async () => {
    await establish();
    expect(await onCall(alice, 'alice', 'hold')).toBeUndefined();
    await waitForCallState(bob, 'bob', 'held');
    expect(await alice.evaluate(() => (window as any).__clients.alice.call.state)).toBe('held');
    expect(await onCall(alice, 'alice', 'unhold')).toBeUndefined();
    await waitForCallState(bob, 'bob', 'active');
    expect((await recorded(alice, 'alice')).events).toEqual(expect.arrayContaining(['out held local', 'out unheld local']));
    expect((await recorded(bob, 'bob')).events).toEqual(expect.arrayContaining(['in held remote', 'in unheld remote']));
    const dtmf = await onCall(alice, 'alice', 'sendDtmf', '1');
    expect(dtmf?.code).toBe('UNSUPPORTED');
  });

  it('bob rejects: both sides end `rejected`', async () => {
    expect(await dial(alice, 'alice', 'bob')).toBeUndefined();
    await waitForCallState(bob, 'bob', 'ringing');
    expect(await onCall(bob, 'bob', 'reject')).toBeUndefined();
    await waitForCallState(alice, 'alice', 'ended');
    expect(await callTrace(alice, 'alice')).toEqual([
      'call stateChanged new>connecting',
      'call stateChanged connecting>ringing',
      'call ringing',
      'call stateChanged ringing>ended',
      'call ended reason=rejected',
    ]);
    expect(await callTrace(bob, 'bob')).toEqual(['call stateChanged new>ringing', 'call stateChanged ringing>ended', 'call ended reason=rejected']);
  });

  it('alice gives up while it rings: both sides end `canceled`', async () => {
    expect(await dial(alice, 'alice', 'bob')).toBeUndefined();
    await waitForCallState(bob, 'bob', 'ringing');
    expect(await onCall(alice, 'alice', 'hangup')).toBeUndefined();
    await waitForCallState(bob, 'bob', 'ended');
    expect((await callTrace(alice, 'alice')).at(-1)).toBe('call ended reason=canceled');
    expect((await callTrace(bob, 'bob')).at(-1)).toBe('call ended reason=canceled');
  });

  it('a callee Sendbird does not know → the call ends `failed` with CALL_FAILED (1400103)', async () => {
    expect(await dial(alice, 'alice', 'nobody-here')).toBeUndefined();
    await waitForCallState(alice, 'alice', 'ended');
    expect((await callTrace(alice, 'alice')).at(-1)).toBe('call ended code=CALL_FAILED reason=failed');
    const { errors } = await recorded(alice, 'alice');
    expect(errors.at(-1)).toMatchObject({ code: 'CALL_FAILED', cause: { code: 1400103 } });
  });

  it('the server drops both sockets mid-call: reconnecting, then connected, the call and its audio stay up', async () => {
    await establish();
    emulator.dropSockets();
    await waitForState(alice, 'alice', 'reconnecting', 3_000);
    await waitForState(bob, 'bob', 'reconnecting', 3_000);
    await waitForState(alice, 'alice', 'connected', 8_000);
    await waitForState(bob, 'bob', 'connected', 8_000);
    expect(await alice.evaluate(() => (window as any).__clients.alice.call.state)).toBe('active');
    expect(await bob.evaluate(() => (window as any).__clients.bob.call.state)).toBe('active');
    const since = await bob.inboundAudio();
    await bob.waitForAudio({ minPackets: 25, timeoutMs: 5_000, since });
    // Signalling works again on the new sockets: a hangup reaches the far end.
    expect(await onCall(bob, 'bob', 'hangup')).toBeUndefined();
    await waitForCallState(alice, 'alice', 'ended');
    expect((await callTrace(alice, 'alice')).at(-1)).toBe('call ended reason=remoteHangup');
    const trace = (await recorded(alice, 'alice')).trace;
    expect(trace.filter((l) => l.startsWith('client stateChanged')).slice(-2)).toEqual([
      'client stateChanged connected>reconnecting',
      'client stateChanged reconnecting>connected',
    ]);
  });

  it('nothing secret in either side\'s events, errors, logs or trace after all of the above', async () => {
    for (const [page, user] of [
      [alice, 'alice'],
      [bob, 'bob'],
    ] as const) {
      const text = JSON.stringify(await recorded(page, user));
      expect(text).not.toContain(SENDBIRD_USERS.alice);
      expect(text).not.toContain(SENDBIRD_USERS.bob);
      expect(text).not.toMatch(/sbcall_session_token=(?!\[redacted\])[^&"]{6}/);
    }
    expect(alice.pageErrors).toEqual([]);
    expect(bob.pageErrors).toEqual([]);
  });
});
