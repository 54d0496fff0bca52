// A connection that dies without closing (issue 15, item 3): Kamailio frozen with SIGSTOP, or a
// path that black-holes every byte (lab/net TCP relay). The sipjs keep-alive (an OPTIONS every
// keepAliveIntervalMs, documented to notice a dead connection within 2 × keepAliveIntervalMs)
// must report `reconnecting`, then either `connected` again (registration proven from the server
// side) or `disconnected` with NETWORK_UNREACHABLE. Node, signalling only; every wait bounded.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createVoiceClient, VoiceError, type VoiceClient } from '../../src/all.js';
import { DOMAIN, TEST_USERS, startKamailio } from '../../lab/kamailio/index.mjs';
import { startTcpProxy } from '../../lab/net/tcp-proxy.mjs';
import { probeInvite } from './sip-probe.js';

type Kamailio = Awaited<ReturnType<typeof startKamailio>>;
type Proxy = Awaited<ReturnType<typeof startTcpProxy>>;

const KEEP_ALIVE_MS = 1_000;
const NOTICE_BOUND_MS = 2 * KEEP_ALIVE_MS;
const MARGIN_MS = 1_000;

let kamailio: Kamailio;
const clients: VoiceClient[] = [];
const proxies: Proxy[] = [];
const figures: string[] = [];

beforeAll(async () => {
  kamailio = await startKamailio();
});
afterEach(async () => {
  kamailio.thaw();
  await Promise.all(clients.splice(0).map((c) => c.disconnect().catch(() => {})));
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await kamailio?.stop();
  console.log(`dead-connection figures:\n  ${figures.join('\n  ')}`);
});

async function connected(server: string, user: keyof typeof TEST_USERS, extra: Record<string, unknown> = {}) {
  const client = await createVoiceClient({
    provider: 'sipjs',
    server,
    uri: `sip:${user}@${DOMAIN}`,
    credentials: { type: 'password', password: TEST_USERS[user] },
    keepAliveIntervalMs: KEEP_ALIVE_MS,
    ...extra,
  });
  clients.push(client);
  const states: Array<{ to: string; at: number }> = [];
  client.on('stateChanged', ({ to }) => void states.push({ to, at: performance.now() }));
  const errors: VoiceError[] = [];
  client.on('error', ({ error }) => void errors.push(error));
  client.on('incomingCall', ({ call }) => void call.reject({ status: 486 }).catch(() => {}));
  await client.connect();
  return { client, states, errors };
}

function waitFor(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (condition()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      setTimeout(tick, 20);
    };
    tick();
  });
}

describe('a dead connection is noticed', () => {
  it('Kamailio frozen while connected: reconnecting within 2 × keepAliveIntervalMs, connected and registered again after a thaw', async () => {
    const { client, states } = await connected(kamailio.wsUrl, 'alice');
    const frozenAt = performance.now();
    kamailio.freeze();
    await waitFor(() => client.state === 'reconnecting', 'reconnecting', NOTICE_BOUND_MS + MARGIN_MS + 1_000);
    const noticedMs = states.find((s) => s.to === 'reconnecting')!.at - frozenAt;
    figures.push(`frozen server noticed (bound ${NOTICE_BOUND_MS} ms): ${Math.round(noticedMs)} ms`);
    expect(noticedMs).toBeLessThan(NOTICE_BOUND_MS + MARGIN_MS);

    kamailio.thaw();
    await waitFor(() => client.state === 'connected', 'connected again', 20_000);
    figures.push(`recovered after thaw: ${Math.round(states.at(-1)!.at - frozenAt)} ms after the freeze`);
    expect((await probeInvite(kamailio.wsUrl, 'alice', DOMAIN)).finalStatus).toBe(486);
  });

  it('a black-holed path while connected: reconnecting within the bound, then disconnected with NETWORK_UNREACHABLE', async () => {
    const proxy = await startTcpProxy({ targetPort: kamailio.port });
    proxies.push(proxy);
    const { client, states, errors } = await connected(proxy.wsUrl, 'bob', { reconnect: { attempts: 1 } });
    const holedAt = performance.now();
    proxy.freeze();
    await waitFor(() => client.state === 'reconnecting', 'reconnecting', NOTICE_BOUND_MS + MARGIN_MS + 1_000);
    const noticedMs = states.find((s) => s.to === 'reconnecting')!.at - holedAt;
    figures.push(`black hole noticed (bound ${NOTICE_BOUND_MS} ms): ${Math.round(noticedMs)} ms`);
    expect(noticedMs).toBeLessThan(NOTICE_BOUND_MS + MARGIN_MS);

    await waitFor(() => client.state === 'disconnected', 'disconnected', 20_000);
    figures.push(`black hole, 1 reconnection try, disconnected: ${Math.round(states.at(-1)!.at - holedAt)} ms after the fault`);
    expect(errors.map((e) => e.code)).toEqual(['NETWORK_UNREACHABLE']);
  });
});

describe('a lost registration is never silent', () => {
  it('a refresh the server never answers: unregistered and reconnecting when the registration expires, registered again once REGISTERs get through', async () => {
    let swallowRegisters = false;
    const proxy = await startTcpProxy({
      targetPort: kamailio.port,
      onClientChunk: (text, control) => {
        // The refresh REGISTER is lost on the way; everything else gets through.
        if (swallowRegisters && text.startsWith('REGISTER ')) control.swallow();
      },
    });
    proxies.push(proxy);
    // Shortest registration sip.js is allowed here, keep-alive off: only the registration can tell.
    const { client, states } = await connected(proxy.wsUrl, 'carol', { registerExpires: 30, keepAliveIntervalMs: 0 });
    const events: string[] = [];
    client.on('unregistered', () => {
      events.push('unregistered');
      // The path heals as the loss is reported: the re-REGISTER that follows gets through.
      swallowRegisters = false;
    });
    client.on('registered', () => void events.push('registered'));
    const registeredAt = performance.now();
    swallowRegisters = true;
    await waitFor(() => events.includes('unregistered'), 'unregistered', 40_000);
    figures.push(`registration lost (expires 30 s), reported after ${Math.round(performance.now() - registeredAt)} ms`);
    expect(states.map((s) => s.to)).toContain('reconnecting');
    await waitFor(() => client.state === 'connected' && events.includes('registered'), 'registered again', 15_000);
    expect((await probeInvite(kamailio.wsUrl, 'carol', DOMAIN)).finalStatus).toBe(486);
  }, 70_000);
});
