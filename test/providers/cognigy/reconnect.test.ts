// A Cognigy client through a Kamailio restart (JsSIP reconnects and re-REGISTERs by itself) and
// through a Kamailio that stays down (the provider bounds JsSIP's endless retries).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVoiceClient, normalizeTrace, type VoiceClient } from '../../../src/all.js';
import { startKamailio } from '../../../lab/kamailio/index.mjs';
import { cognigyUsers, startCognigyBackend } from '../../../lab/cognigy/index.mjs';

type Kamailio = Awaited<ReturnType<typeof startKamailio>>;
type Backend = Awaited<ReturnType<typeof startCognigyBackend>>;

let kamailio: Kamailio;
let backend: Backend;
const clients: VoiceClient[] = [];

beforeAll(async () => {
  kamailio = await startKamailio({ users: cognigyUsers(2) });
  backend = await startCognigyBackend({ kamailio });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.disconnect().catch(() => {})));
  await backend?.stop();
  await kamailio?.stop();
});

function waitForState(client: VoiceClient, state: string, timeoutMs: number): Promise<number> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    if (client.state === state) return resolve(0);
    const timer = setTimeout(() => {
      off();
      reject(new Error(`client did not reach ${state} within ${timeoutMs} ms (is ${client.state})`));
    }, timeoutMs);
    const off = client.on('stateChanged', ({ to }) => {
      if (to !== state) return;
      clearTimeout(timer);
      off();
      resolve(Date.now() - started);
    });
  });
}

describe('cognigy: lost SIP connection', () => {
  it('Kamailio restarts: reconnecting, then connected and registered again', async () => {
    const client = await createVoiceClient({ provider: 'cognigy', server: backend.url('ok'), userId: 'restart', signalingOnly: true });
    clients.push(client);
    await client.connect();
    const restarted = kamailio.restart();
    await waitForState(client, 'reconnecting', 5_000);
    await restarted;
    const took = await waitForState(client, 'connected', 15_000);
    console.info(`cognigy: back to connected ${took} ms after the loss was seen`);
    const lines = normalizeTrace(client.trace());
    expect(lines.slice(lines.indexOf('client stateChanged connected>reconnecting'))).toEqual([
      'client stateChanged connected>reconnecting',
      'client unregistered',
      'client registered',
      'client stateChanged reconnecting>connected',
    ]);
    await client.disconnect();
  }, 30_000);

  it('a runtime endpoint (no REGISTER): Kamailio restarts → reconnecting, then connected once the WebSocket is back, never (un)registered', async () => {
    const client = await createVoiceClient({ provider: 'cognigy', server: backend.url('runtime'), userId: 'runtime-restart', signalingOnly: true });
    clients.push(client);
    await client.connect();
    const restarted = kamailio.restart();
    await waitForState(client, 'reconnecting', 5_000);
    await restarted;
    await waitForState(client, 'connected', 15_000);
    const lines = normalizeTrace(client.trace());
    expect(lines.slice(lines.indexOf('client stateChanged connected>reconnecting'))).toEqual(['client stateChanged connected>reconnecting', 'client stateChanged reconnecting>connected']);
    expect(lines.filter((line) => /registered/.test(line))).toEqual([]);
    await client.disconnect();
  }, 30_000);

  it('Kamailio stays down: after reconnectionAttempts failed tries → disconnected with NETWORK_UNREACHABLE', async () => {
    const client = await createVoiceClient({ provider: 'cognigy', server: backend.url('ok'), userId: 'down', signalingOnly: true, reconnectionAttempts: 2 });
    clients.push(client);
    const errors: string[] = [];
    client.on('error', ({ error }) => errors.push(error.code));
    await client.connect();
    await kamailio.stop();
    try {
      await waitForState(client, 'reconnecting', 5_000);
      await waitForState(client, 'disconnected', 20_000);
      expect(errors).toEqual(['NETWORK_UNREACHABLE']);
      expect(normalizeTrace(client.trace()).slice(-4)).toEqual([
        'client stateChanged connected>reconnecting',
        'client unregistered',
        'client error code=NETWORK_UNREACHABLE',
        'client stateChanged reconnecting>disconnected',
      ]);
    } finally {
      kamailio = await startKamailio({ users: kamailio.users, port: kamailio.port });
    }
  }, 40_000);
});
