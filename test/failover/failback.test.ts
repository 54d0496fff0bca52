// Failback in Chromium: the client failed over from Kamailio A to B; A comes back (a new Kamailio
// on the same port) and the client returns to it after the minimum stay, never during a call, with
// one providerChanged and no state change; A's registrar then has the binding.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../lab/browser/index.mjs';
import { startKamailio, TEST_USERS } from '../../lab/kamailio/index.mjs';
import { closePage, PageClient } from '../support/browser-clients.js';
import { sleep, waitForRisingAudio } from '../support/audio.js';

// Three pages, two calls and a server stop each: generous on a shared 2-core machine.
const TEST_MS = 120_000;
type Kamailio = Awaited<ReturnType<typeof startKamailio>>;
let lab: Awaited<ReturnType<typeof launchBrowser>>;
beforeAll(async () => {
  lab = await launchBrowser();
});
afterAll(async () => lab?.close());

const CONNECT_MS = 3_000;
const FAILBACK = { minStayMs: 2_000, retryMs: 500, maxRetryMs: 2_000 };
// Upper bounds are generous: the point here is the lower one (the stay) and the idle rule.
const MARGIN_MS = 10_000;

const sip = (user: 'alice' | 'bob', k: Kamailio) => ({
  provider: 'sipjs',
  server: k.wsUrl,
  uri: `sip:${user}@${k.domain}`,
  credentials: { type: 'password', password: TEST_USERS[user] },
  iceServers: [],
  reconnectionAttempts: 2,
  timeouts: { connectMs: CONNECT_MS },
});

/** Connected on A; A stopped; back on B. Returns when the switch is over. */
async function failOverToB(alice: PageClient, a: Kamailio): Promise<number> {
  const from = await alice.traceLength();
  await a.stop();
  await alice.waitForLine('client stateChanged reconnecting>connected', { from, timeoutMs: 10_000 });
  return Date.now();
}

const providerChanges = async (client: PageClient) => (await client.lines()).filter((l) => l.includes('providerChanged'));

/** A caller on A reaches alice: A's registrar has her binding; the call carries audio. */
async function reachThroughA(alice: PageClient, a: Kamailio): Promise<void> {
  const page = await lab.newPage();
  try {
    const carol = await PageClient.create(page, 'bob', sip('bob', a));
    await carol.connect();
    const from = await alice.traceLength();
    expect((await carol.call(`sip:alice@${a.domain}`)).outcome).toBe('ok');
    await alice.waitForLine('client incomingCall', { from });
    expect((await alice.answer()).outcome).toBe('ok');
    await carol.waitForLine('call#1 active');
    expect((await waitForRisingAudio(page)).packets).toBeGreaterThan(0);
    expect((await carol.hangup()).outcome).toBe('ok');
  } finally {
    await closePage(page);
  }
}

describe('failback (Chromium, two Kamailios)', () => {
  it('A back while idle → the client returns to A after the minimum stay, staying connected', async () => {
    const [a, b] = await Promise.all([startKamailio(), startKamailio()]);
    let aAgain: Kamailio | undefined;
    const pa = await lab.newPage();
    try {
      const alice = await PageClient.create(pa, 'alice', [sip('alice', a), sip('alice', b)], undefined, { failback: FAILBACK });
      await alice.connect();
      const switchedAt = await failOverToB(alice, a);
      aAgain = await startKamailio({ port: a.port });
      const from = await alice.traceLength();
      const all = await alice.waitForLine('client providerChanged from=sipjs to=sipjs', { from, timeoutMs: FAILBACK.minStayMs + CONNECT_MS + MARGIN_MS });
      const stayed = Date.now() - switchedAt;
      console.info(`[figure] failback: back on A ${stayed} ms after the switch to B (minStayMs ${FAILBACK.minStayMs})`);
      expect(stayed).toBeGreaterThanOrEqual(FAILBACK.minStayMs);
      // A planned switch: no state change, no registration gap the app would see.
      expect(all.slice(from)).toEqual(['client providerChanged from=sipjs to=sipjs']);
      expect((await alice.state()).client).toBe('connected');
      await reachThroughA(alice, aAgain);
      // No flapping: it stays on A while A is healthy.
      await sleep(FAILBACK.minStayMs);
      expect(await providerChanges(alice)).toHaveLength(2);
      expect(pa.pageErrors).toEqual([]);
    } finally {
      await closePage(pa);
      await Promise.all([aAgain?.stop(), b.stop()]);
    }
  }, TEST_MS);

  it('not while a call is in progress: the return waits for the call to end', async () => {
    const [a, b] = await Promise.all([startKamailio(), startKamailio()]);
    let aAgain: Kamailio | undefined;
    const [pa, pb] = await Promise.all([lab.newPage(), lab.newPage()]);
    try {
      const alice = await PageClient.create(pa, 'alice', [sip('alice', a), sip('alice', b)], undefined, { failback: FAILBACK });
      const bob = await PageClient.create(pb, 'bob', sip('bob', b));
      await Promise.all([alice.connect(), bob.connect()]);
      await failOverToB(alice, a);
      expect((await bob.call(`sip:alice@${b.domain}`)).outcome).toBe('ok');
      await alice.waitForLine('client incomingCall');
      expect((await alice.answer()).outcome).toBe('ok');
      await bob.waitForLine('call#1 active');
      aAgain = await startKamailio({ port: a.port });
      // Well past the minimum stay and several tries: still on B, the call untouched.
      await sleep(FAILBACK.minStayMs + 4 * FAILBACK.retryMs + 1_000);
      expect(await providerChanges(alice)).toHaveLength(1);
      expect((await alice.state()).call?.state).toBe('active');
      expect((await waitForRisingAudio(pa)).packets).toBeGreaterThan(0);
      const from = await alice.traceLength();
      expect((await bob.hangup()).outcome).toBe('ok');
      await alice.waitForLine('client providerChanged from=sipjs to=sipjs', { from, timeoutMs: FAILBACK.retryMs + CONNECT_MS + MARGIN_MS });
      expect(await providerChanges(alice)).toHaveLength(2);
      await reachThroughA(alice, aAgain);
      expect((await alice.lines()).some((l) => l.includes('>disconnected'))).toBe(false);
    } finally {
      await Promise.all([closePage(pa), closePage(pb)]);
      await Promise.all([aAgain?.stop(), b.stop()]);
    }
  }, TEST_MS);
});
