// Runtime failover across vendors in Chromium: [Telnyx emulator, Kamailio] with the emulator
// stopped mid-session → the client carries on through SIP.js, and the reverse. A call in progress
// on the lost vendor ends exactly once with the documented reason; a new call goes through the
// other vendor with audio; the normalised trace of the switch is the same for both orders.
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { cellTest } from '../conformance/extra-cells.js';
import { launchBrowser } from '../../lab/browser/index.mjs';
import { startKamailio, TEST_USERS } from '../../lab/kamailio/index.mjs';
import { startTelnyxEmulator } from '../../lab/telnyx/index.mjs';
import { closePage, endedLines, PageClient } from '../support/browser-clients.js';
import { waitForRisingAudio, waitForSilence } from '../support/audio.js';

// Three pages, two calls and a server stop each: generous on a shared 2-core machine.
const TEST_MS = 120_000;
type Kamailio = Awaited<ReturnType<typeof startKamailio>>;
type Telnyx = Awaited<ReturnType<typeof startTelnyxEmulator>>;
let lab: Awaited<ReturnType<typeof launchBrowser>>;
beforeAll(async () => {
  lab = await launchBrowser();
});
afterAll(async () => lab?.close());

const CONNECT_MS = 3_000;
// The lost vendor's own give-up (sipjs: 2 tries ≤ 1 s + teardown ≤ 0.5 s; Telnyx SDK: 1 try after
// ~1 s ±25 %), then the other vendor's connect bound; margin for a loaded 2-core machine.
const SWITCH_BOUND_MS = 1_500 + CONNECT_MS + 5_000;

const sip = (user: 'alice' | 'bob', k: Kamailio, extra: Record<string, unknown> = {}) => ({
  provider: 'sipjs',
  server: k.wsUrl,
  uri: `sip:${user}@${k.domain}`,
  credentials: { type: 'password', password: TEST_USERS[user] },
  iceServers: [],
  reconnectionAttempts: 2,
  timeouts: { connectMs: CONNECT_MS },
  ...extra,
});
const tx = (login: string, t: Telnyx, extra: Record<string, unknown> = {}) => ({
  provider: 'telnyx',
  server: t.url,
  credentials: { type: 'jwt', token: t.issueJwt(login) },
  iceServers: [],
  reconnectAttempts: 1,
  timeouts: { connectMs: CONNECT_MS },
  ...extra,
});

/** The switch's lines with the vendor names taken out, so both orders compare. */
const neutral = (lines: string[], lost: string, next: string) => lines.map((l) => l.replace(`from=${lost} to=${next}`, 'from=LOST to=NEXT'));

interface Side {
  /** The client's config list, lost vendor first. */
  configs: unknown[];
  /** Bob on the vendor that will be lost, for the call in progress. */
  bobOnLost: Record<string, unknown>;
  /** Bob on the vendor that takes over. */
  bobOnNext: Record<string, unknown>;
  lostTarget: string;
  nextTarget: string;
  stopLost: () => Promise<void>;
  names: [string, string];
}

/** Call in progress on the lost vendor, the vendor stops, a new call on the other: the switch's lines. */
async function runSwitch(side: Side): Promise<string[]> {
  const [pa, pb, pc] = await Promise.all([lab.newPage(), lab.newPage(), lab.newPage()]);
  try {
    const alice = await PageClient.create(pa, 'alice', side.configs);
    const bobLost = await PageClient.create(pb, 'bob', side.bobOnLost);
    const bobNext = await PageClient.create(pc, 'bob', side.bobOnNext);
    await Promise.all([alice.connect(), bobLost.connect(), bobNext.connect()]);
    expect((await alice.call(side.lostTarget)).outcome).toBe('ok');
    await bobLost.waitForLine('client incomingCall');
    expect((await bobLost.answer()).outcome).toBe('ok');
    await alice.waitForLine('call#1 active');
    expect((await waitForRisingAudio(pb)).packets).toBeGreaterThan(0);

    const providerInUse = () => pa.evaluate(() => (window as any).__clients.alice.client.provider as string);
    expect(await providerInUse()).toBe(side.names[0]);
    const from = await alice.traceLength();
    const started = Date.now();
    await side.stopLost();
    const all = await alice.waitForLine('client stateChanged reconnecting>connected', { from, timeoutMs: SWITCH_BOUND_MS + 2_000 });
    const ms = Date.now() - started;
    expect(ms).toBeLessThan(SWITCH_BOUND_MS);
    console.info(`[figure] runtime failover ${side.names[0]} → ${side.names[1]}: ${ms} ms from the server stopped to connected`);
    const lines = all.slice(from);
    expect(await providerInUse()).toBe(side.names[1]);

    // The lost call ended once; its media is closed on this side (the far end hears silence).
    const ends = await alice.ends();
    expect(ends).toHaveLength(1);
    expect(ends[0]).toMatchObject({ reason: 'failed', error: { code: 'NETWORK_UNREACHABLE', provider: side.names[0], details: { providerLost: true } } });
    expect(await waitForSilence(pb, { timeoutMs: 4_000 })).toBeGreaterThanOrEqual(0);

    // A new call goes through the other vendor, with audio both ways.
    expect((await alice.call(side.nextTarget)).outcome).toBe('ok');
    await bobNext.waitForLine('client incomingCall');
    expect((await bobNext.answer()).outcome).toBe('ok');
    await alice.waitForLine('call#2 active');
    expect((await waitForRisingAudio(pc)).packets).toBeGreaterThan(0);
    expect((await waitForRisingAudio(pa)).packets).toBeGreaterThan(0);
    expect((await alice.hangup()).outcome).toBe('ok');

    const trace = await alice.lines();
    expect(endedLines(trace).filter((l) => l.startsWith('call#1'))).toHaveLength(1);
    expect(trace.filter((l) => l.includes('providerChanged'))).toEqual([`client providerChanged from=${side.names[0]} to=${side.names[1]}`]);
    expect(trace.some((l) => l.includes('>disconnected'))).toBe(false);
    expect(pa.pageErrors.concat(pc.pageErrors)).toEqual([]);
    return neutral(lines, side.names[0], side.names[1]);
  } finally {
    await Promise.all([closePage(pa), closePage(pb), closePage(pc)]);
  }
}

const EXPECTED_SWITCH = [
  'client stateChanged connected>reconnecting',
  'call#1 stateChanged active>ended',
  'call#1 ended code=NETWORK_UNREACHABLE reason=failed',
  'client unregistered',
  'client providerChanged from=LOST to=NEXT',
  'client registered',
  'client stateChanged reconnecting>connected',
];

describe('runtime failover across vendors (Chromium)', () => {
  const switches: Record<string, string[]> = {};

  cellTest('[Telnyx, Kamailio], the Telnyx emulator stopped mid-session → connected through SIP.js', 'telnyx', 'runtime failover: vendor lost mid-session', async () => {
    const [telnyx, kamailio] = await Promise.all([startTelnyxEmulator(), startKamailio()]);
    try {
      switches.telnyxLost = await runSwitch({
        configs: [tx('alice', telnyx), sip('alice', kamailio)],
        bobOnLost: tx('bob', telnyx, { reconnectAttempts: 20 }),
        bobOnNext: sip('bob', kamailio),
        lostTarget: 'bob',
        nextTarget: `sip:bob@${kamailio.domain}`,
        stopLost: () => telnyx.stop(),
        names: ['telnyx', 'sipjs'],
      });
      expect(switches.telnyxLost).toEqual(EXPECTED_SWITCH);
    } finally {
      await Promise.all([telnyx.stop(), kamailio.stop()]);
    }
  }, TEST_MS);

  cellTest('[Kamailio, Telnyx], Kamailio stopped mid-session → connected through Telnyx; the same switch trace', 'sipjs', 'runtime failover: vendor lost mid-session', async () => {
    const [telnyx, kamailio] = await Promise.all([startTelnyxEmulator(), startKamailio()]);
    try {
      switches.kamailioLost = await runSwitch({
        configs: [sip('alice', kamailio), tx('alice', telnyx)],
        bobOnLost: sip('bob', kamailio, { reconnectionAttempts: 20 }),
        bobOnNext: tx('bob', telnyx),
        lostTarget: `sip:bob@${kamailio.domain}`,
        nextTarget: 'bob',
        stopLost: () => kamailio.stop(),
        names: ['sipjs', 'telnyx'],
      });
      expect(switches.kamailioLost).toEqual(EXPECTED_SWITCH);
      if (switches.telnyxLost) expect(switches.kamailioLost).toEqual(switches.telnyxLost);
    } finally {
      await Promise.all([telnyx.stop(), kamailio.stop()]);
    }
  }, TEST_MS);
});
