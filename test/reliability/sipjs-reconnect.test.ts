// The SIP.js provider through a Kamailio restart (same port) and through a Kamailio that stays
// down, in Node (signalling only). Registration is proven from the server's side: another SIP
// party's INVITE reaches the client, where an unregistered user gets 404.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createVoiceClient, normalizeTrace, VoiceError, type VoiceClient } from '../../src/all.js';
import { DOMAIN, TEST_USERS, startKamailio } from '../../lab/kamailio/index.mjs';
import { probeInvite } from './sip-probe.js';

type Kamailio = Awaited<ReturnType<typeof startKamailio>>;

const clients: VoiceClient[] = [];
const labs: Kamailio[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect().catch(() => {})));
});
afterAll(async () => {
  await Promise.all(labs.map((l) => l.stop()));
});

async function lab(options: Parameters<typeof startKamailio>[0] = {}): Promise<Kamailio> {
  const started = await startKamailio(options);
  labs.push(started);
  return started;
}

async function registeredClient(kamailio: Kamailio, user: keyof typeof TEST_USERS, extra: Record<string, unknown> = {}) {
  const logs: string[] = [];
  const client = await createVoiceClient({
    provider: 'sipjs',
    server: kamailio.wsUrl,
    uri: `sip:${user}@${DOMAIN}`,
    credentials: { type: 'password', password: TEST_USERS[user] },
    logger: (entry) => logs.push(entry.message),
    ...extra,
  });
  clients.push(client);
  const errors: VoiceError[] = [];
  client.on('error', ({ error }) => errors.push(error));
  // Calls cannot be answered in Node; declining proves the INVITE arrived.
  let invites = 0;
  client.on('incomingCall', ({ call }) => {
    invites++;
    void call.reject({ status: 486 }).catch(() => {});
  });
  await client.connect();
  return { client, logs, errors, invites: () => invites };
}

function waitFor(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (condition()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      setTimeout(tick, 10);
    };
    tick();
  });
}

const count = (lines: string[], line: string) => lines.filter((l) => l === line).length;

describe('sipjs: Kamailio restarted on the same port', () => {
  let kamailio: Kamailio;
  beforeAll(async () => {
    kamailio = await lab();
  });

  it('goes reconnecting → connected and is registered on the new server', async () => {
    const alice = await registeredClient(kamailio, 'alice');
    // The probe tells a binding from none: before the restart alice is reachable, bob (never registered) is not.
    expect((await probeInvite(kamailio.wsUrl, 'alice', DOMAIN)).finalStatus).toBe(486);
    expect((await probeInvite(kamailio.wsUrl, 'bob', DOMAIN)).finalStatus).toBe(404);
    expect(alice.invites()).toBe(1);

    await kamailio.restart();
    await waitFor(() => normalizeTrace(alice.client.trace()).includes('client stateChanged reconnecting>connected'), 'reconnected', 20_000);
    expect(alice.client.state).toBe('connected');

    const after = await probeInvite(kamailio.wsUrl, 'alice', DOMAIN);
    expect(after.finalStatus).toBe(486);
    expect(alice.invites()).toBe(2);

    const trace = normalizeTrace(alice.client.trace());
    // The restart took the registration with it: said so, and said again when it is back (the
    // same reconnection trace on every vendor, test/conformance/golden/server-restart.json).
    const lost = trace.indexOf('client stateChanged connected>reconnecting');
    expect(trace.slice(lost, lost + 4)).toEqual([
      'client stateChanged connected>reconnecting',
      'client unregistered',
      'client registered',
      'client stateChanged reconnecting>connected',
    ]);
    expect(alice.errors).toEqual([]);
  });

  it('survives two restarts in a row, each with one reconnecting → connected pair', async () => {
    const bob = await registeredClient(kamailio, 'bob');
    for (let round = 1; round <= 2; round++) {
      await kamailio.restart();
      await waitFor(() => count(normalizeTrace(bob.client.trace()), 'client stateChanged reconnecting>connected') === round, `reconnect #${round}`, 20_000);
      expect((await probeInvite(kamailio.wsUrl, 'bob', DOMAIN)).finalStatus).toBe(486);
    }
    const trace = normalizeTrace(bob.client.trace());
    expect(count(trace, 'client stateChanged connected>reconnecting')).toBe(2);
    expect(count(trace, 'client unregistered')).toBe(2);
    // Once at connect(), once after each restart.
    expect(count(trace, 'client registered')).toBe(3);
    expect(bob.invites()).toBe(2);
  });
});

describe('sipjs: Kamailio stays down', () => {
  it('ends disconnected with NETWORK_UNREACHABLE after the configured tries (reconnect.attempts); connect() works once it is back', async () => {
    const kamailio = await lab();
    const carol = await registeredClient(kamailio, 'carol', { reconnect: { attempts: 2 } });
    const port = kamailio.port;
    const stoppedAt = Date.now();
    await kamailio.stop();

    await waitFor(() => carol.client.state === 'disconnected', 'disconnected', 15_000);
    const elapsed = Date.now() - stoppedAt;
    expect(carol.errors.map((e) => e.code)).toEqual(['NETWORK_UNREACHABLE']);
    expect(carol.errors[0]).toBeInstanceOf(VoiceError);
    expect(carol.errors[0]!.details).toMatchObject({ tries: 2 });
    // Two tries: the first at once, the second after a 500–1000 ms jittered wait.
    expect(carol.logs.filter((m) => /^reconnection try \d+ of 2 failed/.test(m))).toHaveLength(2);
    expect(elapsed).toBeGreaterThanOrEqual(500);
    expect(elapsed).toBeLessThan(5_000);
    expect(normalizeTrace(carol.client.trace()).slice(-4)).toEqual([
      'client stateChanged connected>reconnecting',
      'client unregistered',
      'client error code=NETWORK_UNREACHABLE',
      'client stateChanged reconnecting>disconnected',
    ]);

    // Nothing keeps trying in the background: the state stays put.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(carol.client.state).toBe('disconnected');
    expect(carol.errors).toHaveLength(1);

    const back = await lab({ port });
    await carol.client.connect();
    expect(carol.client.state).toBe('connected');
    expect((await probeInvite(back.wsUrl, 'carol', DOMAIN)).finalStatus).toBe(486);
  });
});
