// Runtime failover in Chromium between two Kamailios: the client is connected on A, A goes away
// for good, and the client carries on registered on B — the app sees one reconnecting → connected
// with providerChanged, never disconnected; calls to and from it work with audio on B; a call in
// progress when A is lost ends exactly once, `failed` with NETWORK_UNREACHABLE/providerLost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../lab/browser/index.mjs';
import { startKamailio, TEST_USERS } from '../../lab/kamailio/index.mjs';
import { closePage, endedLines, PageClient } from '../support/browser-clients.js';
import { waitForRisingAudio, waitForSilence } from '../support/audio.js';

// Three pages, two calls and a server stop each: generous on a shared 2-core machine.
const TEST_MS = 120_000;
type Kamailio = Awaited<ReturnType<typeof startKamailio>>;
let lab: Awaited<ReturnType<typeof launchBrowser>>;
beforeAll(async () => {
  lab = await launchBrowser();
});
afterAll(async () => lab?.close());

const CONNECT_MS = 3_000;
// sipjs gives up after 2 tries (the second 0.5–1 s after the first) and a bounded teardown (≤ 0.5 s
// on a dead socket); then B has its own connect bound. Margin for a loaded 2-core machine.
const SWITCH_BOUND_MS = 1_000 + 500 + CONNECT_MS + 5_000;

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

/** Stops A and returns the trace lines of the switch and how long it took. */
async function loseA(client: PageClient, a: Kamailio): Promise<{ lines: string[]; ms: number }> {
  const from = await client.traceLength();
  const started = Date.now();
  await a.stop();
  const all = await client.waitForLine('client stateChanged reconnecting>connected', { from, timeoutMs: SWITCH_BOUND_MS + 2_000 });
  return { lines: all.slice(from), ms: Date.now() - started };
}

describe('runtime failover between two Kamailios (SIP.js)', () => {
  it('A stopped for good → registered on B within the bound; calls to and from the client carry audio', async () => {
    const [a, b] = await Promise.all([startKamailio(), startKamailio()]);
    const [pa, pb] = await Promise.all([lab.newPage(), lab.newPage()]);
    try {
      const alice = await PageClient.create(pa, 'alice', [sip('alice', a), sip('alice', b)]);
      const bob = await PageClient.create(pb, 'bob', sip('bob', b));
      await Promise.all([alice.connect(), bob.connect()]);
      const { lines, ms } = await loseA(alice, a);
      expect(lines).toEqual([
        'client stateChanged connected>reconnecting',
        'client unregistered',
        'client providerChanged from=sipjs to=sipjs',
        'client registered',
        'client stateChanged reconnecting>connected',
      ]);
      expect(ms).toBeLessThan(SWITCH_BOUND_MS);
      console.info(`[figure] runtime failover sipjs A → sipjs B: ${ms} ms from A stopped to connected on B`);

      // B's registrar has alice's binding: bob, on B, reaches her.
      expect((await bob.call(`sip:alice@${b.domain}`)).outcome).toBe('ok');
      await alice.waitForLine('client incomingCall');
      expect((await alice.answer()).outcome).toBe('ok');
      await bob.waitForLine('call#1 active');
      expect((await waitForRisingAudio(pa)).packets).toBeGreaterThan(0);
      expect((await waitForRisingAudio(pb)).packets).toBeGreaterThan(0);
      expect((await bob.hangup()).outcome).toBe('ok');
      await alice.waitForLine(/^call#1 ended/);

      // New calls go through B.
      const bobFrom = await bob.traceLength();
      expect((await alice.call(`sip:bob@${b.domain}`)).outcome).toBe('ok');
      await bob.waitForLine('client incomingCall', { from: bobFrom });
      expect((await bob.answer()).outcome).toBe('ok');
      await alice.waitForLine('call#2 active');
      expect((await waitForRisingAudio(pb)).packets).toBeGreaterThan(0);
      expect((await waitForRisingAudio(pa)).packets).toBeGreaterThan(0);
      expect((await alice.hangup()).outcome).toBe('ok');

      const all = await alice.lines();
      expect(all.filter((l) => l.includes('providerChanged'))).toHaveLength(1);
      expect(all.some((l) => l.includes('>disconnected'))).toBe(false);
      expect(pa.pageErrors.concat(pb.pageErrors)).toEqual([]);
    } finally {
      await Promise.all([closePage(pa), closePage(pb)]);
      await Promise.all([a.stop(), b.stop()]);
    }
  }, TEST_MS);

  it('a call in progress when A is lost ends exactly once, failed with NETWORK_UNREACHABLE (providerLost); its media stops', async () => {
    const [a, b] = await Promise.all([startKamailio(), startKamailio()]);
    const [pa, pb] = await Promise.all([lab.newPage(), lab.newPage()]);
    try {
      const alice = await PageClient.create(pa, 'alice', [sip('alice', a), sip('alice', b)]);
      // Bob keeps reconnecting to A for longer: his side of the call stays up, so the test sees
      // what alice's side does to the media.
      const bob = await PageClient.create(pb, 'bob', sip('bob', a, { reconnectionAttempts: 20 }));
      await Promise.all([alice.connect(), bob.connect()]);
      expect((await alice.call(`sip:bob@${a.domain}`)).outcome).toBe('ok');
      await bob.waitForLine('client incomingCall');
      expect((await bob.answer()).outcome).toBe('ok');
      await alice.waitForLine('call#1 active');
      expect((await waitForRisingAudio(pb)).packets).toBeGreaterThan(0);

      const { lines } = await loseA(alice, a);
      expect(lines).toEqual([
        'client stateChanged connected>reconnecting',
        'call#1 stateChanged active>ended',
        'call#1 ended code=NETWORK_UNREACHABLE reason=failed',
        'client unregistered',
        'client providerChanged from=sipjs to=sipjs',
        'client registered',
        'client stateChanged reconnecting>connected',
      ]);
      // Exactly one end, even after the old path's own teardown has long finished.
      await new Promise((r) => setTimeout(r, 5_000));
      expect(endedLines(await alice.lines())).toEqual(['call#1 ended code=NETWORK_UNREACHABLE reason=failed']);
      const ends = await alice.ends();
      expect(ends).toHaveLength(1);
      expect(ends[0]!.reason).toBe('failed');
      expect(ends[0]!.error).toMatchObject({ code: 'NETWORK_UNREACHABLE', provider: 'sipjs', details: { providerLost: true } });
      // The lost call's media is closed on this side: the far end hears silence.
      expect(await waitForSilence(pb, { timeoutMs: 4_000 })).toBeGreaterThanOrEqual(0);
      expect(pa.pageErrors).toEqual([]);
    } finally {
      await Promise.all([closePage(pa), closePage(pb)]);
      await Promise.all([a.stop(), b.stop()]);
    }
  }, TEST_MS);
});
