// Calls through the Telnyx provider: two Chromium pages, each a polyphone client on the real
// @telnyx/webrtc SDK, relayed by the project's Verto emulator, with real audio between them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../../lab/browser/index.mjs';
import { startTelnyxEmulator } from '../../../lab/telnyx/index.mjs';
import { installHarness, tx, until, type TelnyxPage } from './harness.js';

let emulator: any;
let lab: { newPage(): Promise<TelnyxPage>; close(): Promise<void> };
let pa: TelnyxPage;
let pb: TelnyxPage;
let alice: ReturnType<typeof tx>;
let bob: ReturnType<typeof tx>;
let callSeq = 0;

beforeAll(async () => {
  emulator = await startTelnyxEmulator();
  lab = await launchBrowser();
  [pa, pb] = await Promise.all([lab.newPage(), lab.newPage()]);
  await Promise.all([installHarness(pa), installHarness(pb)]);
  alice = tx(pa);
  bob = tx(pb);
  const config = (login: string) => ({ provider: 'telnyx', server: emulator.url, iceServers: [], credentials: { type: 'jwt', token: emulator.issueJwt(login) } });
  await alice.create('alice', config('alice'));
  await bob.create('bob', config('bob'));
  expect(await alice.connect('alice')).toMatchObject({ ok: true });
  expect(await bob.connect('bob')).toMatchObject({ ok: true });
});
afterAll(async () => {
  await lab?.close();
  await emulator?.stop();
});

const ended = (events: Array<{ type: string; e: any }>) => events.find((e) => e.type === 'ended')?.e;
const callTrace = async (page: ReturnType<typeof tx>, client: string, n: number) =>
  (await page.record(client)).trace.filter((line) => line.startsWith(`call#${n} `));

/** alice calls bob and bob answers; returns the names of both call handles. */
async function connectedCall(): Promise<{ a: string; b: string; n: number }> {
  const n = ++callSeq;
  const a = `a${n}`;
  expect(await alice.call('alice', a, 'bob')).toMatchObject({ ok: true });
  await until(() => bob.callState('bob:in').then((s) => s === 'ringing'), 'bob to ring');
  const b = `b${n}`;
  await bob.renameCall('bob:in', b);
  expect(await bob.op(b, 'answer')).toMatchObject({ ok: true });
  await until(() => alice.callState(a).then((s) => s === 'active'), 'alice to see the answer');
  await until(() => bob.callState(b).then((s) => s === 'active'), 'bob to be active');
  return { a, b, n };
}

async function energyOver(page: TelnyxPage, ms: number): Promise<{ packets: number; energy: number }> {
  const before = await page.inboundAudio();
  await new Promise((r) => setTimeout(r, ms));
  const after = await page.inboundAudio();
  return { packets: after.packetsReceived - before.packetsReceived, energy: after.totalAudioEnergy - before.totalAudioEnergy };
}

describe('telnyx calls in Chromium', () => {
  it('alice calls bob: audio both ways, mute, hold/unhold, DTMF 123# sent, alice hangs up', async () => {
    const { a, b, n } = await connectedCall();
    await pa.waitForAudio({ minPackets: 30 });
    await pb.waitForAudio({ minPackets: 30 });
    expect(await alice.hasRemoteStream(a)).toBe(true);

    const speaking = await energyOver(pb, 1_000);
    expect(await alice.op(a, 'mute')).toMatchObject({ ok: true });
    // What was already in bob's jitter buffer still plays for a moment.
    await new Promise((r) => setTimeout(r, 700));
    const muted = await energyOver(pb, 1_000);
    expect(muted.packets).toBeGreaterThan(10); // media keeps flowing: silence, not a stop
    expect(muted.energy).toBeLessThan(speaking.energy / 100);
    expect(await alice.op(a, 'unmute')).toMatchObject({ ok: true });
    await pb.waitForAudio({ since: await pb.inboundAudio(), minPackets: 20 });

    expect(await alice.op(a, 'hold')).toMatchObject({ ok: true });
    expect(await alice.callState(a)).toBe('held');
    expect(await alice.op(a, 'unhold')).toMatchObject({ ok: true });
    expect(await alice.callState(a)).toBe('active');

    expect(await alice.op(a, 'sendDtmf', '123#')).toMatchObject({ ok: true });
    await until(async () => emulator.dtmfSeen('alice') === '123#', 'the emulator to see 123#');
    // Telnyx is not shown to hand digits to the far WebRTC leg (receiveDtmf: false): bob gets none.
    expect((await bob.callEvents(b)).filter((e) => e.type === 'dtmf')).toEqual([]);

    expect(await alice.op(a, 'hangup')).toMatchObject({ ok: true });
    await until(async () => ended(await bob.callEvents(b)), 'bob to see the end');
    expect(ended(await alice.callEvents(a))).toMatchObject({ reason: 'hangup' });
    expect(ended(await bob.callEvents(b))).toMatchObject({ reason: 'remoteHangup' });
    expect(await callTrace(alice, 'alice', n)).toEqual([
      `call#${n} stateChanged new>connecting`,
      `call#${n} stateChanged connecting>ringing`,
      `call#${n} ringing`,
      `call#${n} stateChanged ringing>active`,
      `call#${n} active`,
      `call#${n} muted`,
      `call#${n} unmuted`,
      `call#${n} stateChanged active>held`,
      `call#${n} held by=local`,
      `call#${n} stateChanged held>active`,
      `call#${n} unheld by=local`,
      `call#${n} stateChanged active>ended`,
      `call#${n} ended reason=hangup`,
    ]);
  });

  it('bob hangs up: alice ends remoteHangup', async () => {
    const { a, b } = await connectedCall();
    expect(await bob.op(b, 'hangup')).toMatchObject({ ok: true });
    await until(async () => ended(await alice.callEvents(a)), 'alice to see the end');
    expect(ended(await alice.callEvents(a))).toMatchObject({ reason: 'remoteHangup' });
    expect(ended(await bob.callEvents(b))).toMatchObject({ reason: 'hangup' });
  });

  it.each([
    ['reject', 'rejected', 'rejected'],
    ['busy', 'busy', 'busy'],
  ] as const)('bob declines (%s): alice ends %s', async (mode, aliceReason, bobReason) => {
    const n = ++callSeq;
    const a = `a${n}`;
    await bob.setAutoAnswer('bob', mode);
    try {
      expect(await alice.call('alice', a, 'bob')).toMatchObject({ ok: true });
      await until(async () => ended(await alice.callEvents(a)), 'alice to see the decline');
      expect(ended(await alice.callEvents(a))).toMatchObject({ reason: aliceReason });
      await until(async () => ended(await bob.callEvents('bob:in')), 'bob to end');
      expect(ended(await bob.callEvents('bob:in'))).toMatchObject({ reason: bobReason });
    } finally {
      await bob.setAutoAnswer('bob', undefined);
    }
  });

  it('alice gives up before bob answers: bob ends canceled', async () => {
    const n = ++callSeq;
    const a = `a${n}`;
    expect(await alice.call('alice', a, 'bob')).toMatchObject({ ok: true });
    await until(() => bob.callState('bob:in').then((s) => s === 'ringing'), 'bob to ring');
    expect(await alice.op(a, 'hangup')).toMatchObject({ ok: true });
    expect(ended(await alice.callEvents(a))).toMatchObject({ reason: 'canceled' });
    await until(async () => ended(await bob.callEvents('bob:in')), 'bob to see the cancel');
    expect(ended(await bob.callEvents('bob:in'))).toMatchObject({ reason: 'canceled' });
  });

  it('an unknown callee → ended failed with CALL_FAILED (USER_NOT_REGISTERED, 404)', async () => {
    const n = ++callSeq;
    const a = `a${n}`;
    expect(await alice.call('alice', a, 'nobody-here')).toMatchObject({ ok: true });
    await until(async () => ended(await alice.callEvents(a)), 'the call to fail');
    expect(ended(await alice.callEvents(a))).toMatchObject({
      reason: 'failed',
      error: { code: 'CALL_FAILED', details: { hangupCause: 'USER_NOT_REGISTERED', status: 404 } },
    });
  });
});
