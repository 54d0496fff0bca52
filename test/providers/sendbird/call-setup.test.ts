// What the sendbird provider does with a call's setup that sendbird-calls leaves open (issue 16,
// item 2): iceServers the SDK cannot take are reported as a warning, and an answered call whose
// RTCPeerConnection cannot be built fails within callConnectionTimeoutMs instead of staying
// `connecting` for the SDK's own 60 s. REAL sendbird-calls in headless Chromium against lab/sendbird.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  SENDBIRD_USERS,
  createClient,
  dial,
  launchBrowser,
  login,
  onCall,
  recorded,
  run,
  sendbirdConfig,
  startSendbirdEmulator,
  waitForCallState,
  waitUntil,
  type Emulator,
  type Lab,
  type Page,
} from './harness.js';

let lab: Lab;
let emulator: Emulator;
const pages: Page[] = [];

beforeAll(async () => {
  emulator = await startSendbirdEmulator();
  lab = await launchBrowser();
});
afterEach(async () => {
  await Promise.all(pages.splice(0).map((p) => p.close().catch(() => {})));
});
afterAll(async () => {
  await lab?.close();
  await emulator?.stop();
});

async function connected(user: 'alice' | 'bob', extra: Record<string, unknown> = {}): Promise<Page> {
  const page = await lab.newPage();
  pages.push(page);
  await createClient(page, user, sendbirdConfig(emulator, extra));
  expect(await login(page, user, user, SENDBIRD_USERS[user] as string)).toBeUndefined();
  expect(await run(page, user, 'connect')).toBeUndefined();
  return page;
}

/** The warnings of a client's log that name the iceServers setting. */
async function iceWarnings(page: Page, user: string): Promise<Array<{ level: string; message: string; data?: { warning?: string } }>> {
  const { logs } = await recorded(page, user);
  return logs.map((line) => JSON.parse(line)).filter((entry) => entry.data?.warning === 'iceServersIgnored');
}

describe('sendbird call setup', () => {
  it('iceServers the SDK cannot take are a logged warning (client config at connect, a per-call override at dial); none without them', async () => {
    const [alice, bob] = await Promise.all([connected('alice', { iceServers: [{ urls: 'stun:stun.example.org:3478' }] }), connected('bob')]);
    const atConnect = await iceWarnings(alice, 'alice');
    expect(atConnect).toHaveLength(1);
    expect(atConnect[0]).toMatchObject({ level: 'warn', data: { warning: 'iceServersIgnored', setting: 'iceServers' } });
    expect(atConnect[0]!.message).toContain('client config');

    const error = await alice.evaluate(async () => {
      const w = window as any;
      try {
        const call = await w.__clients.alice.client.call('bob', { audioElement: new Audio(), iceServers: [{ urls: 'turn:turn.example.org:3478', username: 'u', credential: 'c' }] });
        w.__harness.adopt('alice', call);
        return undefined;
      } catch (e: any) {
        return String(e?.code);
      }
    });
    expect(error).toBeUndefined();
    await waitForCallState(bob, 'bob', 'ringing');
    expect(await onCall(bob, 'bob', 'answer')).toBeUndefined();
    await waitForCallState(alice, 'alice', 'active', 15_000);
    const afterDial = await iceWarnings(alice, 'alice');
    expect(afterDial).toHaveLength(2);
    expect(afterDial[1]!.message).toContain('this call');
    // Nothing said where nothing was set.
    expect(await iceWarnings(bob, 'bob')).toEqual([]);
    expect(await onCall(alice, 'alice', 'hangup')).toBeUndefined();
  });

  it('an answered call whose RTCPeerConnection cannot be built ends `failed` with CALL_FAILED within callConnectionTimeoutMs; each side ends once', async () => {
    const BOUND_MS = 2_000;
    const [alice, bob] = await Promise.all([connected('alice', { callConnectionTimeoutMs: BOUND_MS }), connected('bob', { callConnectionTimeoutMs: BOUND_MS })]);
    // Neither side can build one, as Firefox does for a TURN URL on a blocked port (the constructor
    // throws, the SDK only logs it).
    for (const page of [alice, bob]) {
      await page.evaluate(() => {
        (window as any).RTCPeerConnection = function RTCPeerConnection() {
          throw new DOMException('RTCPeerConnection constructor passed invalid RTCConfiguration - uses a port that is blocked', 'SyntaxError');
        };
      });
    }
    expect(await dial(alice, 'alice', 'bob')).toBeUndefined();
    await waitForCallState(bob, 'bob', 'ringing');
    const answeredAt = Date.now();
    expect(await onCall(bob, 'bob', 'answer')).toBeUndefined();
    await waitForCallState(alice, 'alice', 'ended', BOUND_MS + 10_000);
    await waitForCallState(bob, 'bob', 'ended', BOUND_MS + 10_000);
    expect(Date.now() - answeredAt).toBeGreaterThanOrEqual(BOUND_MS - 200);
    const sides = [
      { seen: await recorded(alice, 'alice'), ended: 'out ended' },
      { seen: await recorded(bob, 'bob'), ended: 'in ended' },
    ];
    for (const { seen, ended } of sides) {
      const ends = seen.events.filter((e) => e.startsWith(ended));
      // Each side's own bound, or the other side's end reaching it first.
      expect(ends).toHaveLength(1);
      expect(['failed', 'remoteHangup']).toContain(ends[0]!.split(' ')[2]);
    }
    const failures = sides.flatMap(({ seen }) => seen.errors);
    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures) {
      expect(failure.code).toBe('CALL_FAILED');
      // The provider's own bound, or the SDK's connection timer, which the provider sets to the
      // same length (without it the SDK waits its default 60 s).
      expect(failure.message.includes(`did not come up within ${BOUND_MS} ms`) || failure.cause?.code === 'timed_out').toBe(true);
    }
  });
});
