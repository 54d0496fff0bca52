// Runtime failover in Node (SIP.js signalling against real Kamailios): the switch is cancellable
// by disconnect() and bounded when the next provider hangs; when every provider is lost the client
// ends disconnected with NETWORK_UNREACHABLE; refused credentials never fail over.
import { afterEach, describe, expect, it } from 'vitest';
import { createVoiceClient, normalizeTrace, type VoiceClient, type VoiceError } from '../../src/all.js';
import { startKamailio, TEST_USERS, DOMAIN } from '../../lab/kamailio/index.mjs';

interface Kamailio {
  port: number;
  wsUrl: string;
  stop(): Promise<void>;
  freeze(): void;
}

// Generous: the machine is shared, and a first connect under load can take seconds.
const CONNECT_MS = 4_000;
const TEARDOWN_MS = 3_000;
const started: Kamailio[] = [];
const clients: VoiceClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect()));
  await Promise.all(started.splice(0).map((k) => k.stop()));
});

async function kamailio(options: Record<string, unknown> = {}): Promise<Kamailio> {
  const k = (await startKamailio(options)) as Kamailio;
  started.push(k);
  return k;
}

const alice = (k: Kamailio, extra: Record<string, unknown> = {}) => ({
  provider: 'sipjs',
  server: k.wsUrl,
  uri: `sip:alice@${DOMAIN}`,
  credentials: { type: 'password' as const, password: TEST_USERS.alice },
  reconnectionAttempts: 2,
  timeouts: { connectMs: CONNECT_MS },
  ...extra,
});

async function connected(configs: Record<string, unknown>[], logs: string[] = []): Promise<VoiceClient> {
  const [first, ...rest] = configs;
  const client = await createVoiceClient([{ ...first!, logger: ({ message }: { message: string }) => void logs.push(message) }, ...rest] as never);
  clients.push(client);
  await client.connect();
  return client;
}

const waitFor = async (check: () => boolean, timeoutMs: number, what: string) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('runtime failover: bounds and refusals', () => {
  it('disconnect() during the switch to a hung provider cancels it within the teardown bound', async () => {
    const [a, b] = await Promise.all([kamailio(), kamailio()]);
    const logs: string[] = [];
    const client = await connected([alice(a), alice(b)], logs);
    b.freeze();
    await a.stop();
    await waitFor(() => logs.some((l) => l.includes('lost for good')), 5_000, 'the switch to start');
    expect(client.state).toBe('reconnecting');
    const t0 = Date.now();
    await client.disconnect();
    expect(Date.now() - t0).toBeLessThan(TEARDOWN_MS + 1_000);
    expect(client.state).toBe('disconnected');
    // B's connect bound runs out later: the cancelled switch must not come back to life.
    await new Promise((r) => setTimeout(r, CONNECT_MS + 500));
    const lines = normalizeTrace(client.trace());
    expect(client.state).toBe('disconnected');
    expect(lines.filter((l) => l.includes('providerChanged'))).toEqual([]);
    expect(lines.slice(-2)).toEqual(['client unregistered', 'client stateChanged reconnecting>disconnected']);
  });

  it('the next provider hangs: given up within its connect bound; every provider lost → disconnected, NETWORK_UNREACHABLE', async () => {
    const [a, b] = await Promise.all([kamailio(), kamailio()]);
    const client = await connected([alice(a), alice(b)]);
    const errors: VoiceError[] = [];
    client.on('error', ({ error }) => errors.push(error));
    b.freeze();
    const t0 = Date.now();
    await a.stop();
    // sipjs gives up on A (≤ ~1.5 s), then B has its own connect bound.
    await waitFor(() => client.state === 'disconnected', 1_500 + CONNECT_MS + 3_000, 'disconnected');
    console.info(`[figure] runtime failover, next provider hung: disconnected ${Date.now() - t0} ms after A stopped (connectMs ${CONNECT_MS})`);
    expect(errors.map((e) => e.code)).toEqual(['NETWORK_UNREACHABLE']);
    expect(errors[0]!.cause?.code).toBe('TIMEOUT');
    const lines = normalizeTrace(client.trace());
    expect(lines.filter((l) => l.includes('providerChanged'))).toEqual([]);
    expect(lines.slice(-3)).toEqual(['client unregistered', 'client error code=NETWORK_UNREACHABLE', 'client stateChanged reconnecting>disconnected']);
  });

  it('refused credentials on re-registration never fail over: AUTH_REJECTED, disconnected', async () => {
    const [a, b] = await Promise.all([kamailio(), kamailio()]);
    const client = await connected([alice(a, { reconnectionAttempts: 5 }), alice(b)]);
    const errors: VoiceError[] = [];
    client.on('error', ({ error }) => errors.push(error));
    await a.stop();
    // A comes back on its port, but no longer knows alice's password.
    await kamailio({ port: a.port, users: { ...TEST_USERS, alice: 'a-different-password-now' } });
    await waitFor(() => client.state === 'disconnected', 15_000, 'disconnected');
    expect(errors.map((e) => e.code)).toEqual(['AUTH_REJECTED']);
    expect(normalizeTrace(client.trace()).filter((l) => l.includes('providerChanged'))).toEqual([]);
  });
});

describe('failback without flapping (Node, signalling only)', () => {
  const FAILBACK = { minStayMs: 1_000, retryMs: 300, maxRetryMs: 4_000 };

  /** Waits for the next providerChanged and returns when it came. */
  const nextChange = (client: VoiceClient, timeoutMs: number) =>
    new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no providerChanged in time')), timeoutMs);
      const off = client.on('providerChanged', () => {
        clearTimeout(timer);
        off();
        resolve(Date.now());
      });
    });

  it('a primary lost again soon after the return doubles the next stay', async () => {
    const [a, b] = await Promise.all([kamailio(), kamailio()]);
    const client = await createVoiceClient([alice(a), alice(b)] as never, { failback: FAILBACK });
    clients.push(client);
    await client.connect();

    let change = nextChange(client, 10_000);
    await a.stop();
    const awayAt = await change;
    change = nextChange(client, FAILBACK.minStayMs + CONNECT_MS + 5_000);
    const a2 = await kamailio({ port: a.port });
    const firstStay = (await change) - awayAt;
    expect(firstStay).toBeGreaterThanOrEqual(FAILBACK.minStayMs);
    expect(client.state).toBe('connected');

    // Lost again right away: a flap.
    change = nextChange(client, 10_000);
    await a2.stop();
    const awayAgainAt = await change;
    change = nextChange(client, 2 * FAILBACK.minStayMs + CONNECT_MS + 5_000);
    await kamailio({ port: a.port });
    const secondStay = (await change) - awayAgainAt;
    console.info(`[figure] failback stays: ${firstStay} ms, then after a flap ${secondStay} ms (minStayMs ${FAILBACK.minStayMs})`);
    expect(secondStay).toBeGreaterThanOrEqual(2 * FAILBACK.minStayMs);
    expect(client.state).toBe('connected');
    expect(normalizeTrace(client.trace()).filter((l) => l.includes('>disconnected'))).toEqual([]);
  });
});
