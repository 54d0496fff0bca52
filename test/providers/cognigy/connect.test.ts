// The Cognigy provider in Node (signalling only): the real JsSIP against the real Kamailio of
// lab/kamailio, configured by the lab's Cognigy backend. One test per row of Cognigy's error table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVoiceClient, normalizeTrace, VoiceError, type VoiceClient, type VoiceClientConfig } from '../../../src/all.js';
import { startKamailio, TEST_USERS } from '../../../lab/kamailio/index.mjs';
import { cognigyUsers, startCognigyBackend } from '../../../lab/cognigy/index.mjs';

type Kamailio = Awaited<ReturnType<typeof startKamailio>>;
type Backend = Awaited<ReturnType<typeof startCognigyBackend>>;
type Mode = Parameters<Backend['url']>[0];

let kamailio: Kamailio;
let backend: Backend;
let sipPasswords: string[];
const clients: VoiceClient[] = [];
/** Everything any client said, for the password scan at the end. */
const seen: string[] = [];

beforeAll(async () => {
  const users = cognigyUsers(4);
  sipPasswords = Object.values(users);
  kamailio = await startKamailio({ users: { ...TEST_USERS, ...users } });
  backend = await startCognigyBackend({ kamailio });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.disconnect().catch(() => {})));
  await backend?.stop();
  await kamailio?.stop();
});

async function cognigyClient(mode: Mode, extra: Partial<VoiceClientConfig> = {}): Promise<VoiceClient> {
  const client = await createVoiceClient({ provider: 'cognigy', server: backend.url(mode), signalingOnly: true, logger: (entry) => seen.push(JSON.stringify(entry)), ...extra });
  for (const type of ['stateChanged', 'registered', 'unregistered', 'error', 'tokenRefreshed', 'tokenWillExpire'] as const) {
    client.on(type, (event) => seen.push(JSON.stringify({ type, event })));
  }
  clients.push(client);
  return client;
}

async function failure(promise: Promise<unknown>): Promise<VoiceError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VoiceError);
  const voiceError = error as VoiceError;
  seen.push(voiceError.message, String(voiceError.stack), JSON.stringify(voiceError.toJSON()));
  return voiceError;
}

function requestsSince(start: number) {
  return backend.requests.slice(start);
}

describe('cognigy: connect sequence', () => {
  it('GETs the config with userId, opens the WebSocket, REGISTERs, and ends connected', async () => {
    const before = backend.requests.length;
    const client = await cognigyClient('ok', { userId: 'visitor-42' });
    await client.init();
    const started = performance.now();
    await client.connect();
    const elapsed = performance.now() - started;
    console.info(`cognigy: time to registered (config GET, WebSocket, REGISTER ×2) ${elapsed.toFixed(0)} ms`);
    expect(client.state).toBe('connected');
    const requests = requestsSince(before);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ method: 'GET', userId: 'visitor-42' });
    expect(requests[0]!.username).toMatch(/^cognigy-\d$/);
    expect(client.capabilities).toMatchObject({ incomingCalls: true, tokenRefresh: true, hold: true, dtmf: true });
    await client.disconnect();
    expect(normalizeTrace(client.trace())).toEqual([
      'client stateChanged idle>initialized',
      'client stateChanged initialized>authenticated',
      'client stateChanged authenticated>connecting',
      'client registered',
      'client stateChanged connecting>connected',
      'client unregistered',
      'client stateChanged connected>disconnected',
    ]);
  });

  it('takes the config string form: cognigy:<endpointUrl>?userId=…', async () => {
    const before = backend.requests.length;
    const client = await createVoiceClient(`cognigy:${backend.url('ok')}?userId=string-user&signalingOnly=true`);
    clients.push(client);
    await client.connect();
    expect(client.state).toBe('connected');
    expect(requestsSince(before)[0]?.userId).toBe('string-user');
    await client.disconnect();
  });

  it('a second connect after disconnect fetches a fresh config', async () => {
    const client = await cognigyClient('ok');
    await client.connect();
    await client.disconnect();
    const before = backend.requests.length;
    await client.connect();
    expect(client.state).toBe('connected');
    expect(requestsSince(before)).toHaveLength(1);
    await client.disconnect();
  });
});

describe("cognigy: every row of Cognigy's error table", () => {
  it('missing endpointUrl → CONFIG_INVALID at creation, no request made', async () => {
    const before = backend.requests.length;
    for (const config of ['cognigy', '', { provider: 'cognigy' }, { provider: 'cognigy', userId: 'u' }] as const) {
      if (config === '') continue;
      const error = await failure(createVoiceClient(config as never));
      expect(error.code).toBe('CONFIG_INVALID');
      expect(error.details?.field).toBe('endpointUrl');
    }
    const notHttp = await failure(createVoiceClient({ provider: 'cognigy', server: 'ftp://127.0.0.1/x' }));
    expect(notHttp.code).toBe('CONFIG_INVALID');
    const withPassword = await failure(createVoiceClient({ provider: 'cognigy', server: backend.url('ok'), credentials: { type: 'password', password: 'pw-xyz-123' } }));
    expect(withPassword.code).toBe('CONFIG_INVALID');
    expect(backend.requests.length).toBe(before);
  });

  it('WebRTC not supported → WEBRTC_UNSUPPORTED before any request; signalingOnly clients fail at call time', async () => {
    const before = backend.requests.length;
    const client = await cognigyClient('ok', { signalingOnly: undefined });
    const error = await failure(client.connect());
    expect(error.code).toBe('WEBRTC_UNSUPPORTED');
    expect(backend.requests.length).toBe(before);

    const signalling = await cognigyClient('ok');
    await signalling.connect();
    const callError = await failure(signalling.call('alice'));
    expect(callError.code).toBe('WEBRTC_UNSUPPORTED');
    expect(signalling.state).toBe('connected');
    await signalling.disconnect();
  });

  it('unreachable or invalid endpointUrl → NETWORK_UNREACHABLE (refused port, 404, 500)', async () => {
    const refused = await cognigyClient('ok', { server: 'http://127.0.0.1:1/endpoint/ok' });
    const e1 = await failure(refused.connect());
    expect(e1.code).toBe('NETWORK_UNREACHABLE');
    expect(refused.state).toBe('disconnected');

    const wrongPath = await cognigyClient('ok', { server: `http://127.0.0.1:${backend.port}/no-such-endpoint` });
    const e2 = await failure(wrongPath.connect());
    expect(e2.code).toBe('NETWORK_UNREACHABLE');
    expect(e2.details?.status).toBe(404);

    const serverError = await cognigyClient('error500');
    const e3 = await failure(serverError.connect());
    expect(e3.code).toBe('NETWORK_UNREACHABLE');
    expect(e3.details?.status).toBe(500);
  });

  it('invalid SIP config (malformed JSON, missing fields) → PROTOCOL_ERROR', async () => {
    const malformed = await cognigyClient('malformed');
    const e1 = await failure(malformed.connect());
    expect(e1.code).toBe('PROTOCOL_ERROR');

    const missing = await cognigyClient('missing-fields');
    const e2 = await failure(missing.connect());
    expect(e2.code).toBe('PROTOCOL_ERROR');
    expect(String(e2.details?.fields).split(',').sort()).toEqual(['password', 'websocketUri']);
    expect(missing.state).toBe('disconnected');
  });

  it('widget not active → WIDGET_INACTIVE, and no WebSocket is opened', async () => {
    const client = await cognigyClient('widget-inactive');
    const error = await failure(client.connect());
    expect(error.code).toBe('WIDGET_INACTIVE');
    expect(client.state).toBe('disconnected');
  });

  it('SIP server unreachable → NETWORK_UNREACHABLE quickly, and JsSIP does not go on retrying', async () => {
    const dead = await cognigyClient('sip-unreachable');
    const started = performance.now();
    const e1 = await failure(dead.connect());
    expect(e1.code).toBe('NETWORK_UNREACHABLE');
    expect(performance.now() - started).toBeLessThan(2_000);

    const refusing = await cognigyClient('sip-refusing');
    const e2 = await failure(refusing.connect());
    expect(e2.code).toBe('NETWORK_UNREACHABLE');
    const attempts = backend.refusedConnections();
    expect(attempts).toBe(1);
    // JsSIP's own recovery would try again after 2 s; nothing may be left to do so.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(backend.refusedConnections()).toBe(attempts);
  });

  it('SIP registration rejected → AUTH_REJECTED with the SIP status as cause', async () => {
    const client = await cognigyClient('bad-credentials');
    const error = await failure(client.connect());
    expect(error.code).toBe('AUTH_REJECTED');
    expect(error.cause?.code).toBe(403);
    expect(client.state).toBe('disconnected');
  });

  it('endpoint answers 401 or 403 → AUTH_REJECTED', async () => {
    for (const [mode, status] of [
      ['unauthorized', 401],
      ['forbidden', 403],
    ] as const) {
      const client = await cognigyClient(mode);
      const error = await failure(client.connect());
      expect(error.code).toBe('AUTH_REJECTED');
      expect(error.details?.status).toBe(status);
    }
  });

  it('config fetch over the real default 10 s → TIMEOUT', async () => {
    const client = await cognigyClient('slow');
    const started = performance.now();
    const error = await failure(client.connect());
    const elapsed = performance.now() - started;
    expect(error.code).toBe('TIMEOUT');
    expect(error.details?.timeoutMs).toBe(10_000);
    expect(elapsed).toBeGreaterThanOrEqual(9_900);
    expect(elapsed).toBeLessThan(12_000);
    expect(client.state).toBe('disconnected');
  }, 20_000);

  it('config fetch over a shortened bound → TIMEOUT', async () => {
    const client = await cognigyClient('slow', { configTimeoutMs: 300 });
    const error = await failure(client.connect());
    expect(error.code).toBe('TIMEOUT');
    expect(error.details?.timeoutMs).toBe(300);
  });

  it('whole sequence over its bound (SIP server never answers the upgrade) → TIMEOUT', async () => {
    const client = await cognigyClient('sip-blackhole', { timeouts: { connectMs: 1_500 } });
    const started = performance.now();
    const error = await failure(client.connect());
    expect(error.code).toBe('TIMEOUT');
    expect(error.details?.timeoutMs).toBe(1_500);
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(client.state).toBe('disconnected');
  });

  it('the whole-sequence bound also cuts a config fetch still inside its own 10 s', async () => {
    const client = await cognigyClient('slow', { timeouts: { connectMs: 800 } });
    const error = await failure(client.connect());
    expect(error.code).toBe('TIMEOUT');
    expect(error.details?.timeoutMs).toBe(800);
  });

  it('connect() aborted during the config fetch → ABORTED at once; a later connect works', async () => {
    const client = await cognigyClient('live');
    backend.setLiveMode('slow');
    const abort = new AbortController();
    const pending = client.connect({ signal: abort.signal });
    setTimeout(() => abort.abort(), 100);
    const started = performance.now();
    const error = await failure(pending);
    expect(error.code).toBe('ABORTED');
    expect(performance.now() - started).toBeLessThan(1_000);
    backend.setLiveMode('ok');
    await client.connect();
    expect(client.state).toBe('connected');
    await client.disconnect();
  });
});

describe('cognigy: refreshToken', () => {
  it('fetches a fresh config and re-REGISTERs; a refused refresh keeps the old registration', async () => {
    const client = await cognigyClient('live', { userId: 'refresher' });
    backend.setLiveMode('ok');
    await client.connect();
    const before = backend.requests.length;
    await client.refreshToken();
    expect(requestsSince(before)).toHaveLength(1);
    expect(requestsSince(before)[0]?.userId).toBe('refresher');
    expect(normalizeTrace(client.trace())).toContain('client tokenRefreshed');

    backend.setLiveMode('bad-credentials');
    const rejected = await failure(client.refreshToken());
    expect(rejected.code).toBe('AUTH_REJECTED');
    backend.setLiveMode('widget-inactive');
    expect((await failure(client.refreshToken())).code).toBe('WIDGET_INACTIVE');
    backend.setLiveMode('malformed');
    expect((await failure(client.refreshToken())).code).toBe('PROTOCOL_ERROR');

    // Still connected, still registered: the refused password was replaced by the old one.
    expect(client.state).toBe('connected');
    expect(normalizeTrace(client.trace())).not.toContain('client unregistered');
    backend.setLiveMode('ok');
    await client.refreshToken();
    expect((await failure(client.refreshToken({ type: 'password', password: 'app-given-pw' }))).code).toBe('UNSUPPORTED');
    await client.disconnect();
  });
});

describe('cognigy: the fetched SIP password stays secret', () => {
  it('appears in no error, cause, event, trace or log line of any test above', async () => {
    // One more pass through the paths that handle the password most: connect, refresh, rejection.
    const client = await cognigyClient('ok', { userId: 'secret-scan' });
    await client.connect();
    await client.refreshToken();
    await client.disconnect();
    const rejected = await cognigyClient('bad-credentials');
    await failure(rejected.connect());
    for (const c of clients) seen.push(JSON.stringify(c.trace()));
    expect(seen.filter((line) => line.includes('cognigy: registered as')).length).toBeGreaterThan(0);
    const everything = seen.join('\n');
    for (const password of sipPasswords) {
      expect(everything).not.toContain(password);
      expect(everything).not.toContain(encodeURIComponent(password));
    }
  });
});
