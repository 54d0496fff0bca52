// Bounds that hold whatever the server does (issue 15, item 1): a Kamailio frozen with SIGSTOP (the
// kernel still accepts and ACKs; nothing answers), a path that black-holes every byte (lab/net
// TCP proxy), and an app that aborts. connect() and disconnect() must finish within their bound
// plus a small margin; nothing may be left reconnecting. Node, signalling only.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createVoiceClient, VoiceError, type VoiceClient } from '../../src/all.js';
import { DOMAIN, TEST_USERS, startKamailio } from '../../lab/kamailio/index.mjs';
import { startTcpProxy } from '../../lab/net/tcp-proxy.mjs';
import { probeInvite } from './sip-probe.js';

type Kamailio = Awaited<ReturnType<typeof startKamailio>>;
type Proxy = Awaited<ReturnType<typeof startTcpProxy>>;

// What a bound may overrun by on a loaded 2-core machine: timers, event loop, teardown grace.
const MARGIN_MS = 1_000;
// The core's documented disconnect() bound (TEARDOWN_MS in src/core/client.ts).
const DISCONNECT_BOUND_MS = 3_000;

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
  console.log(`hung-server figures:\n  ${figures.join('\n  ')}`);
});

/** A proxy in front of Kamailio that freezes Kamailio the moment the first REGISTER goes out. */
async function freezingOnRegister(): Promise<Proxy> {
  let frozenOnce = false;
  const proxy = await startTcpProxy({
    targetPort: kamailio.port,
    onClientChunk: (text) => {
      if (!frozenOnce && text.includes('REGISTER sip:')) {
        frozenOnce = true;
        kamailio.freeze();
      }
    },
  });
  proxies.push(proxy);
  return proxy;
}

async function client(server: string, user: keyof typeof TEST_USERS, extra: Record<string, unknown> = {}) {
  const made = await createVoiceClient({
    provider: 'sipjs',
    server,
    uri: `sip:${user}@${DOMAIN}`,
    credentials: { type: 'password', password: TEST_USERS[user] },
    ...extra,
  });
  clients.push(made);
  const states: string[] = [];
  made.on('stateChanged', ({ to }) => states.push(to));
  // Calls cannot be answered in Node; declining proves the INVITE arrived (probeInvite sees 486).
  made.on('incomingCall', ({ call }) => void call.reject({ status: 486 }).catch(() => {}));
  return { client: made, states };
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value?: T; error?: unknown }> {
  const started = performance.now();
  try {
    const value = await work();
    return { ms: performance.now() - started, value };
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('connect() with a hung server', () => {
  it('Kamailio frozen while the first REGISTER is in flight: connect() rejects TIMEOUT within timeouts.connectMs', async () => {
    const proxy = await freezingOnRegister();
    const { client: alice, states } = await client(proxy.wsUrl, 'alice', { timeouts: { connectMs: 2_000 } });
    const result = await timed(() => alice.connect());
    figures.push(`frozen during REGISTER, connect (bound 2000 ms): ${Math.round(result.ms)} ms`);
    expect(result.error).toBeInstanceOf(VoiceError);
    expect((result.error as VoiceError).code).toBe('TIMEOUT');
    expect(result.ms).toBeLessThan(2_000 + MARGIN_MS);
    expect(alice.state).toBe('disconnected');
    expect(states).not.toContain('reconnecting');
  });

  it('connect({ signal }) aborted at 500 ms returns ABORTED within a moment of the abort', async () => {
    const proxy = await freezingOnRegister();
    const { client: bob } = await client(proxy.wsUrl, 'bob');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 500);
    const result = await timed(() => bob.connect({ signal: controller.signal }));
    figures.push(`frozen during REGISTER, connect aborted at 500 ms: ${Math.round(result.ms)} ms`);
    expect((result.error as VoiceError).code).toBe('ABORTED');
    expect(result.ms).toBeLessThan(500 + MARGIN_MS);
    expect(bob.state).toBe('disconnected');
  });

  it('disconnect() during a hung connect() returns within a moment, and connect() rejects ABORTED', async () => {
    const proxy = await freezingOnRegister();
    const { client: carol } = await client(proxy.wsUrl, 'carol');
    const connecting = timed(() => carol.connect());
    await sleep(300);
    const disconnecting = await timed(() => carol.disconnect());
    figures.push(`frozen during REGISTER, disconnect during connect: ${Math.round(disconnecting.ms)} ms`);
    expect(disconnecting.ms).toBeLessThan(MARGIN_MS);
    expect(((await connecting).error as VoiceError).code).toBe('ABORTED');
    expect(carol.state).toBe('disconnected');
  });

  it('a server that drops the socket during REGISTER fails connect() NETWORK_UNREACHABLE at once, without reconnecting', async () => {
    const proxy = await startTcpProxy({
      targetPort: kamailio.port,
      onClientChunk: (text, control) => {
        if (text.includes('REGISTER sip:')) control.reset();
      },
    });
    proxies.push(proxy);
    const { client: dave, states } = await client(proxy.wsUrl, 'dave', { timeouts: { connectMs: 10_000 } });
    const result = await timed(() => dave.connect());
    figures.push(`socket dropped during REGISTER, connect (bound 10000 ms): ${Math.round(result.ms)} ms`);
    expect((result.error as VoiceError).code).toBe('NETWORK_UNREACHABLE');
    expect(result.ms).toBeLessThan(2_000);
    // No reconnection runs behind a failed connect(): no new connection, no state change.
    await sleep(1_500);
    expect(proxy.connections()).toBe(1);
    expect(states).not.toContain('reconnecting');
    expect(dave.state).toBe('disconnected');
  });
});

describe('disconnect() with a hung server', () => {
  it('Kamailio frozen while connected: disconnect() resolves within its bound; after a thaw connect() registers again', async () => {
    const { client: alice } = await client(kamailio.wsUrl, 'alice');
    await alice.connect();
    kamailio.freeze();
    const result = await timed(() => alice.disconnect());
    figures.push(`frozen while connected, disconnect (bound ${DISCONNECT_BOUND_MS} ms): ${Math.round(result.ms)} ms`);
    expect(result.error).toBeUndefined();
    expect(result.ms).toBeLessThan(DISCONNECT_BOUND_MS + MARGIN_MS);
    expect(alice.state).toBe('disconnected');

    kamailio.thaw();
    await alice.connect();
    expect(alice.state).toBe('connected');
    expect((await probeInvite(kamailio.wsUrl, 'alice', DOMAIN)).finalStatus).toBe(486);
  });

  it('a black-holed path while connected: disconnect() resolves within its bound', async () => {
    const proxy = await startTcpProxy({ targetPort: kamailio.port });
    proxies.push(proxy);
    const { client: bob } = await client(proxy.wsUrl, 'bob');
    await bob.connect();
    proxy.freeze();
    const result = await timed(() => bob.disconnect());
    figures.push(`black hole while connected, disconnect (bound ${DISCONNECT_BOUND_MS} ms): ${Math.round(result.ms)} ms`);
    expect(result.error).toBeUndefined();
    expect(result.ms).toBeLessThan(DISCONNECT_BOUND_MS + MARGIN_MS);
    expect(bob.state).toBe('disconnected');
  });
});
