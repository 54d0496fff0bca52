// Failover when the first server hangs instead of refusing (issue 15, item 2): a Kamailio frozen
// with SIGSTOP must be given up within its own connect bound, the second server must take over
// (providerChanged), and a later connect() must try the list from the top again. Two real
// Kamailios; which one holds the binding is proven from the server side.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVoiceClient, type VoiceClient } from '../../src/all.js';
import { DOMAIN, TEST_USERS, startKamailio } from '../../lab/kamailio/index.mjs';
import { probeInvite } from './sip-probe.js';

type Kamailio = Awaited<ReturnType<typeof startKamailio>>;

const MARGIN_MS = 1_000;
const FIRST_BOUND_MS = 2_000;
const SECOND_BOUND_MS = 5_000;

let first: Kamailio;
let second: Kamailio;
let client: VoiceClient | undefined;

beforeAll(async () => {
  [first, second] = await Promise.all([startKamailio(), startKamailio()]);
});
afterAll(async () => {
  first?.thaw();
  second?.thaw();
  await client?.disconnect();
  await Promise.all([first?.stop(), second?.stop()]);
});

const member = (kamailio: Kamailio, connectMs: number) => ({
  provider: 'sipjs' as const,
  server: kamailio.wsUrl,
  uri: `sip:alice@${DOMAIN}`,
  credentials: { type: 'password' as const, password: TEST_USERS.alice },
  timeouts: { connectMs },
});

describe('failover from a hung server', () => {
  it('moves on within the first member’s bound, and a later connect() starts from the top again', async () => {
    client = await createVoiceClient([member(first, FIRST_BOUND_MS), member(second, SECOND_BOUND_MS)]);
    const changes: string[] = [];
    let changedAt = 0;
    client.on('providerChanged', ({ from, to }) => {
      changes.push(`${from}>${to}`);
      changedAt ||= performance.now();
    });
    client.on('incomingCall', ({ call }) => void call.reject({ status: 486 }).catch(() => {}));
    // Loading sip.js is the app's cost, not the server's: done before the clock starts.
    await client.init();

    first.freeze();
    const started = performance.now();
    await client.connect();
    const elapsed = performance.now() - started;
    console.log(
      `failover from a frozen first server (bound ${FIRST_BOUND_MS} ms): moved on after ${Math.round(changedAt - started)} ms, connected through the second after ${Math.round(elapsed)} ms`,
    );
    // Given up within the first member's own bound; then the second has its own.
    expect(changedAt - started).toBeLessThan(FIRST_BOUND_MS + MARGIN_MS);
    expect(elapsed).toBeLessThan(FIRST_BOUND_MS + SECOND_BOUND_MS);
    expect(changes).toEqual(['sipjs>sipjs']);
    expect(client.state).toBe('connected');
    expect((await probeInvite(second.wsUrl, 'alice', DOMAIN)).finalStatus).toBe(486);

    // The second goes away, the first comes back: the next connect() tries the first again.
    await client.disconnect();
    first.thaw();
    second.freeze();
    await client.connect();
    expect(changes).toEqual(['sipjs>sipjs', 'sipjs>sipjs']);
    expect(client.state).toBe('connected');
    expect((await probeInvite(first.wsUrl, 'alice', DOMAIN)).finalStatus).toBe(486);
  });
});
