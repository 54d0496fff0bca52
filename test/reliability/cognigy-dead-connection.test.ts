// A Cognigy connection that dies without closing (issue 15, item 3), as dead-connection.test.ts
// does it for sipjs: Kamailio frozen with SIGSTOP, or a path that black-holes every byte (lab/net
// TCP relay between the client and Kamailio, named as the endpoint's wsUri). The keep-alive (a
// JsSIP OPTIONS every keepAliveIntervalMs, documented to notice a dead connection within
// 2 × keepAliveIntervalMs) must report `reconnecting`, then `connected` and registered again, or
// `disconnected` with NETWORK_UNREACHABLE once the reconnection tries (each cut after 5 s) are
// spent. Node, signalling only; every wait bounded.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createVoiceClient, normalizeTrace, type VoiceClient } from '../../src/all.js';
import { startKamailio } from '../../lab/kamailio/index.mjs';
import { cognigyUsers, startCognigyBackend } from '../../lab/cognigy/index.mjs';
import { startTcpProxy } from '../../lab/net/tcp-proxy.mjs';

type Kamailio = Awaited<ReturnType<typeof startKamailio>>;
type Backend = Awaited<ReturnType<typeof startCognigyBackend>>;
type Proxy = Awaited<ReturnType<typeof startTcpProxy>>;

const KEEP_ALIVE_MS = 1_000;
const NOTICE_BOUND_MS = 2 * KEEP_ALIVE_MS;
const MARGIN_MS = 1_000;
// One reconnection try: JsSIP's first recovery wait (at most 8 s here) plus the 5 s cut of a try.
const ONE_TRY_BOUND_MS = 8_000 + 5_000;

let kamailio: Kamailio;
let backend: Backend;
const clients: VoiceClient[] = [];
const closers: Array<() => Promise<void>> = [];
const figures: string[] = [];

beforeAll(async () => {
  kamailio = await startKamailio({ users: cognigyUsers(1) });
  backend = await startCognigyBackend({ kamailio });
});
afterEach(async () => {
  kamailio.thaw();
  await Promise.all(clients.splice(0).map((c) => c.disconnect().catch(() => {})));
  await Promise.all(closers.splice(0).map((close) => close()));
});
afterAll(async () => {
  await backend?.stop();
  await kamailio?.stop();
  console.log(`cognigy dead-connection figures:\n  ${figures.join('\n  ')}`);
});

async function connected(endpointUrl: string, userId: string, extra: Record<string, unknown> = {}) {
  const client = await createVoiceClient({ provider: 'cognigy', server: endpointUrl, userId, signalingOnly: true, keepAliveIntervalMs: KEEP_ALIVE_MS, ...extra });
  clients.push(client);
  const states: Array<{ to: string; at: number }> = [];
  client.on('stateChanged', ({ to }) => void states.push({ to, at: performance.now() }));
  const errors: string[] = [];
  client.on('error', ({ error }) => void errors.push(error.code));
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

describe('cognigy: a dead connection is noticed', () => {
  it('Kamailio frozen while connected: reconnecting within 2 × keepAliveIntervalMs, connected and registered again after a thaw', async () => {
    const { client, states } = await connected(backend.url('ok'), 'frozen');
    const frozenAt = performance.now();
    kamailio.freeze();
    await waitFor(() => client.state === 'reconnecting', 'reconnecting', NOTICE_BOUND_MS + MARGIN_MS + 1_000);
    const noticedMs = states.find((s) => s.to === 'reconnecting')!.at - frozenAt;
    figures.push(`frozen server noticed (bound ${NOTICE_BOUND_MS} ms): ${Math.round(noticedMs)} ms`);
    expect(noticedMs).toBeLessThan(NOTICE_BOUND_MS + MARGIN_MS);

    kamailio.thaw();
    await waitFor(() => client.state === 'connected', 'connected again', 20_000);
    figures.push(`recovered after thaw: ${Math.round(states.at(-1)!.at - frozenAt)} ms after the freeze`);
    const lines = normalizeTrace(client.trace());
    expect(lines.slice(lines.indexOf('client stateChanged connected>reconnecting'))).toEqual([
      'client stateChanged connected>reconnecting',
      'client unregistered',
      'client registered',
      'client stateChanged reconnecting>connected',
    ]);
  }, 30_000);

  it('a black-holed path while connected: reconnecting within the bound, then disconnected with NETWORK_UNREACHABLE after its one try', async () => {
    const proxy: Proxy = await startTcpProxy({ targetPort: kamailio.port });
    closers.push(() => proxy.close());
    // The same endpoint, but its wsUri leads through the relay.
    const holed = await startCognigyBackend({ kamailio: { wsUrl: proxy.wsUrl, users: kamailio.users } });
    closers.push(() => holed.stop());
    const { client, states, errors } = await connected(holed.url('ok'), 'holed', { reconnect: { attempts: 1 } });
    const holedAt = performance.now();
    proxy.freeze();
    await waitFor(() => client.state === 'reconnecting', 'reconnecting', NOTICE_BOUND_MS + MARGIN_MS + 1_000);
    const noticedMs = states.find((s) => s.to === 'reconnecting')!.at - holedAt;
    figures.push(`black hole noticed (bound ${NOTICE_BOUND_MS} ms): ${Math.round(noticedMs)} ms`);
    expect(noticedMs).toBeLessThan(NOTICE_BOUND_MS + MARGIN_MS);

    await waitFor(() => client.state === 'disconnected', 'disconnected', ONE_TRY_BOUND_MS + 5_000);
    const gaveUpMs = states.at(-1)!.at - holedAt;
    figures.push(`black hole, 1 reconnection try, disconnected: ${Math.round(gaveUpMs)} ms after the fault (bound ${NOTICE_BOUND_MS + ONE_TRY_BOUND_MS} ms)`);
    expect(gaveUpMs).toBeLessThan(NOTICE_BOUND_MS + ONE_TRY_BOUND_MS + MARGIN_MS);
    expect(errors).toEqual(['NETWORK_UNREACHABLE']);
  }, 40_000);

  it('a black-holed path that heals: reconnecting, then connected and registered again', async () => {
    const proxy: Proxy = await startTcpProxy({ targetPort: kamailio.port });
    closers.push(() => proxy.close());
    const holed = await startCognigyBackend({ kamailio: { wsUrl: proxy.wsUrl, users: kamailio.users } });
    closers.push(() => holed.stop());
    const { client } = await connected(holed.url('ok'), 'healed');
    proxy.freeze();
    await waitFor(() => client.state === 'reconnecting', 'reconnecting', NOTICE_BOUND_MS + MARGIN_MS + 1_000);
    proxy.thaw();
    await waitFor(() => client.state === 'connected', 'connected again', 20_000);
    expect(normalizeTrace(client.trace()).slice(-2)).toEqual(['client registered', 'client stateChanged reconnecting>connected']);
  }, 40_000);
});
