// A Telnyx connection that dies without closing (issue 15, item 3), with the REAL @telnyx/webrtc
// SDK in Node (lab/telnyx/node-shims.mjs): the emulator frozen as a stopped process would be
// (sockets open, nothing read or sent), or a path that black-holes every byte (lab/net TCP relay).
// The provider's keep-alive (a telnyx_rtc.ping every keepAliveIntervalMs, documented to notice a dead
// connection within 2 × keepAliveIntervalMs) must report `reconnecting`, then either `connected`
// again (a fresh login seen by the server) or `disconnected` with NETWORK_UNREACHABLE. Every wait bounded.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createVoiceClient, VoiceError, type VoiceClient } from '../../src/all.js';
import { startTelnyxEmulator, TELNYX_USERS } from '../../lab/telnyx/index.mjs';
import { installTelnyxNodeShims } from '../../lab/telnyx/node-shims.mjs';
import { startTcpProxy } from '../../lab/net/tcp-proxy.mjs';

type Emulator = Awaited<ReturnType<typeof startTelnyxEmulator>>;
type Proxy = Awaited<ReturnType<typeof startTcpProxy>>;

const KEEP_ALIVE_MS = 1_000;
const NOTICE_BOUND_MS = 2 * KEEP_ALIVE_MS;
// Room for a loaded machine's late timers; far below the ~26 s the SDK's own health probe would take.
const MARGIN_MS = 1_500;
/**
 * Black hole, one reconnection allowed: noticed (2 × interval), the SDK's close of a socket nobody
 * answers (its own 5 s safety timer), its first backoff (≤ 1.25 s), the unanswered attempt dropped
 * (≤ 2 × interval), then 45003. About 10.5 s; the margin absorbs a loaded machine.
 */
const GIVE_UP_BOUND_MS = NOTICE_BOUND_MS + 5_000 + 1_250 + 2 * KEEP_ALIVE_MS + 5_000;

let emulator: Emulator;
let restoreGlobals: () => void;
const clients: VoiceClient[] = [];
const proxies: Proxy[] = [];
const figures: string[] = [];

beforeAll(async () => {
  restoreGlobals = installTelnyxNodeShims();
  emulator = await startTelnyxEmulator();
});
afterEach(async () => {
  emulator.thaw();
  await Promise.all(clients.splice(0).map((c) => c.disconnect().catch(() => {})));
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await emulator?.stop();
  restoreGlobals?.();
  console.log(`telnyx dead-connection figures:\n  ${figures.join('\n  ')}`);
});

async function connected(server: string, login: 'alice' | 'bob', extra: Record<string, unknown> = {}) {
  const client = await createVoiceClient({
    provider: 'telnyx',
    server,
    iceServers: [],
    credentials: { type: 'password', login, password: TELNYX_USERS[login] },
    keepAliveIntervalMs: KEEP_ALIVE_MS,
    ...extra,
  } as never);
  clients.push(client);
  const states: Array<{ to: string; at: number }> = [];
  client.on('stateChanged', ({ to }) => void states.push({ to, at: performance.now() }));
  const errors: VoiceError[] = [];
  client.on('error', ({ error }) => void errors.push(error));
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

const pingsFrom = (login: string) =>
  emulator.frames.filter((f) => f.dir === 'in' && f.login === login && (f.msg as { method?: string } | undefined)?.method === 'telnyx_rtc.ping').length;

describe('a dead Telnyx connection is noticed', () => {
  it('the server frozen while connected: reconnecting within 2 × keepAliveIntervalMs, connected again after a thaw with a fresh login', async () => {
    const { client, states } = await connected(emulator.url, 'alice');
    // The keep-alive pings and the server answers: the session stays up.
    await waitFor(() => pingsFrom('alice') >= 2, 'two keep-alive pings answered', 5 * KEEP_ALIVE_MS);
    expect(client.state).toBe('connected');
    const loginsBefore = emulator.stats.logins.length;

    const frozenAt = performance.now();
    emulator.freeze();
    await waitFor(() => client.state === 'reconnecting', 'reconnecting', NOTICE_BOUND_MS + MARGIN_MS + 1_000);
    const noticedMs = states.find((s) => s.to === 'reconnecting')!.at - frozenAt;
    figures.push(`frozen server noticed (bound ${NOTICE_BOUND_MS} ms): ${Math.round(noticedMs)} ms`);
    expect(noticedMs).toBeLessThan(NOTICE_BOUND_MS + MARGIN_MS);

    emulator.thaw();
    await waitFor(() => client.state === 'connected', 'connected again', 20_000);
    figures.push(`recovered after thaw: ${Math.round(states.at(-1)!.at - frozenAt)} ms after the freeze`);
    // Restored by a new login on a new socket, seen by the server.
    const relogin = emulator.stats.logins.slice(loginsBefore);
    expect(relogin).toEqual([expect.objectContaining({ method: 'login', login: 'alice', via: 'password' })]);
    expect(emulator.openSockets()).toBeGreaterThanOrEqual(1);
  });

  it('a black-holed path while connected: reconnecting within the bound, then disconnected with NETWORK_UNREACHABLE', async () => {
    const proxy = await startTcpProxy({ targetPort: emulator.port });
    proxies.push(proxy);
    const { client, states, errors } = await connected(proxy.wsUrl, 'bob', { reconnect: { attempts: 1 } });
    await waitFor(() => pingsFrom('bob') >= 1, 'a keep-alive ping answered', 5 * KEEP_ALIVE_MS);
    const holedAt = performance.now();
    proxy.freeze();
    await waitFor(() => client.state === 'reconnecting', 'reconnecting', NOTICE_BOUND_MS + MARGIN_MS + 1_000);
    const noticedMs = states.find((s) => s.to === 'reconnecting')!.at - holedAt;
    figures.push(`black hole noticed (bound ${NOTICE_BOUND_MS} ms): ${Math.round(noticedMs)} ms`);
    expect(noticedMs).toBeLessThan(NOTICE_BOUND_MS + MARGIN_MS);

    await waitFor(() => client.state === 'disconnected', 'disconnected', GIVE_UP_BOUND_MS);
    figures.push(`black hole, 1 reconnection try, disconnected: ${Math.round(states.at(-1)!.at - holedAt)} ms after the fault (bound ${GIVE_UP_BOUND_MS} ms)`);
    expect(errors.map((e) => e.code)).toEqual(['NETWORK_UNREACHABLE']);
  });
});
