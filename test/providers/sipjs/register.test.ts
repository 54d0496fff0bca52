// The SIP.js provider in Node (signalling only) against a real Kamailio on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVoiceClient, normalizeTrace, VoiceError, type VoiceClient } from '../../../src/all.js';
import { startKamailio, TEST_USERS, DOMAIN } from '../../../lab/kamailio/index.mjs';
import { GOLDEN_CONNECT_DISCONNECT } from '../../support/golden.js';

type Lab = { wsUrl: string; port: number; stop(): Promise<void>; restart(): Promise<void> };
let lab: Lab;
const clients: VoiceClient[] = [];

beforeAll(async () => {
  lab = await startKamailio();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.disconnect().catch(() => {})));
  await lab?.stop();
});

async function sipClient(user: string, password: string, extra: Record<string, unknown> = {}): Promise<{ client: VoiceClient; logs: string[]; events: unknown[] }> {
  const logs: string[] = [];
  const client = await createVoiceClient({
    provider: 'sipjs',
    server: lab.wsUrl,
    uri: `sip:${user}@${DOMAIN}`,
    credentials: { type: 'password', password },
    logger: (entry) => logs.push(JSON.stringify(entry)),
    ...extra,
  });
  const events: unknown[] = [];
  for (const type of ['stateChanged', 'registered', 'unregistered', 'error'] as const) client.on(type, (e) => events.push({ type, e }));
  clients.push(client);
  return { client, logs, events };
}

async function rejection(promise: Promise<unknown>): Promise<VoiceError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VoiceError);
  return error as VoiceError;
}

describe('sipjs provider on a real Kamailio', () => {
  it('registers with the right password, then unregisters on disconnect', async () => {
    const { client } = await sipClient('alice', TEST_USERS.alice);
    await client.connect();
    expect(client.state).toBe('connected');
    await client.disconnect();
    expect(client.state).toBe('disconnected');
    expect(normalizeTrace(client.trace())).toEqual(GOLDEN_CONNECT_DISCONNECT);
  });

  it('a wrong password → AUTH_REJECTED, and the password appears nowhere', async () => {
    const secret = 'wrong-pw-Zq81x';
    const { client, logs, events } = await sipClient('bob', secret);
    const error = await rejection(client.connect());
    expect(error.code).toBe('AUTH_REJECTED');
    expect(error.cause?.code).toBe(403);
    expect(client.state).toBe('disconnected');
    const everything = [error.message, String(error.stack), JSON.stringify(error.toJSON()), JSON.stringify(events), JSON.stringify(client.trace()), ...logs].join('\n');
    expect(everything).not.toContain(secret);
  });

  it('an unknown user → AUTH_REJECTED', async () => {
    const { client } = await sipClient('mallory', 'whatever-pw');
    expect((await rejection(client.connect())).code).toBe('AUTH_REJECTED');
  });

  it('Kamailio not running → NETWORK_UNREACHABLE within 2 s', async () => {
    const client = await createVoiceClient({ provider: 'sipjs', server: 'ws://127.0.0.1:1', uri: `sip:alice@${DOMAIN}`, credentials: { type: 'password', password: 'x-pw-1234' } });
    const started = Date.now();
    const error = await rejection(client.connect());
    expect(error.code).toBe('NETWORK_UNREACHABLE');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(client.state).toBe('disconnected');
  });

  it('call() before connect() → INVALID_STATE', async () => {
    const { client } = await sipClient('carol', TEST_USERS.carol);
    expect((await rejection(client.call('sip:bob@polyphone.test'))).code).toBe('INVALID_STATE');
    expect(client.state).toBe('idle');
  });

  it('connect() aborted → ABORTED, and a later connect() works', async () => {
    const { client } = await sipClient('dave', TEST_USERS.dave);
    const abort = new AbortController();
    abort.abort();
    expect((await rejection(client.connect({ signal: abort.signal }))).code).toBe('ABORTED');
    const second = new AbortController();
    const pending = client.connect({ signal: second.signal });
    queueMicrotask(() => second.abort());
    expect((await rejection(pending)).code).toBe('ABORTED');
    expect(client.state).not.toBe('connected');
    await client.connect();
    expect(client.state).toBe('connected');
    await client.disconnect();
  });

  it('refreshToken with a new password re-REGISTERs; a wrong one is AUTH_REJECTED', async () => {
    const { client } = await sipClient('carol', TEST_USERS.carol);
    await client.connect();
    await client.refreshToken({ type: 'password', password: TEST_USERS.carol });
    expect(normalizeTrace(client.trace())).toContain('client tokenRefreshed');
    const error = await rejection(client.refreshToken({ type: 'password', password: 'not-carols-pw' }));
    expect(error.code).toBe('AUTH_REJECTED');
    expect(JSON.stringify(error.toJSON())).not.toContain('not-carols-pw');
    // The refused refresh fell back to the old password: still registered, still connected.
    expect(client.state).toBe('connected');
    expect(normalizeTrace(client.trace())).not.toContain('client unregistered');
    await client.refreshToken({ type: 'password', password: TEST_USERS.carol });
    await client.disconnect();
  });

  it('an anonymous client connects without registering', async () => {
    const client = await createVoiceClient(`sipjs:${lab.wsUrl}`);
    clients.push(client);
    await client.connect();
    expect(client.state).toBe('connected');
    expect(client.capabilities.incomingCalls).toBe(false);
    expect(normalizeTrace(client.trace())).not.toContain('client registered');
    await client.disconnect();
  });
});
