// The Cognigy provider in Node (signalling only): the real JsSIP against the real Kamailio of
// lab/kamailio playing Cognigy's gateway, configured by the lab endpoint in the real reply shape.
// One test per row of Cognigy's error table, the request as the SDK makes it, the visitor's own
// SIP identity, and runtime endpoints (no REGISTER).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVoiceClient, normalizeTrace, VoiceError, type VoiceClient, type VoiceClientConfig } from '../../../src/all.js';
import { COGNIGY_REALM, startKamailio, TEST_USERS } from '../../../lab/kamailio/index.mjs';
import { cognigyGateway, cognigyUsers, startCognigyBackend } from '../../../lab/cognigy/index.mjs';
import { GOLDEN_CONNECT_DISCONNECT } from '../../support/golden.js';

type Kamailio = Awaited<ReturnType<typeof startKamailio>>;
type Backend = Awaited<ReturnType<typeof startCognigyBackend>>;
type Mode = Parameters<Backend['url']>[0];

let kamailio: Kamailio;
let backend: Backend;
let sipPasswords: string[];
const clients: VoiceClient[] = [];
/** Everything any client said, for the password scan at the end. */
const seen: string[] = [];
const GENERATED = /^sip:webrtc-sdk-polyphonelab-[A-Za-z0-9]{8}@cognigy\.polyphone\.test$/;

beforeAll(async () => {
  const users = cognigyUsers(1);
  const gateway = cognigyGateway();
  sipPasswords = Object.values(users);
  kamailio = await startKamailio({ users: { ...TEST_USERS, ...users, ...gateway.users }, agents: gateway.agents });
  backend = await startCognigyBackend({ kamailio });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.disconnect().catch(() => {})));
  await backend?.stop();
  await kamailio?.stop();
});

async function cognigyClient(mode: Mode, extra: Omit<Partial<VoiceClientConfig>, 'provider'> = {}): Promise<VoiceClient> {
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

/** The REGISTERs Kamailio accepted in the Cognigy realm, as its log tells them. */
function gatewayRegisters(): Array<{ aor: string; from: string; digest: string }> {
  return [...kamailio.logs().matchAll(/cognigy REGISTER aor=(\S+) from=(\S+) digest=(\S+)/g)].map((m) => ({ aor: m[1]!, from: m[2]!, digest: m[3]! }));
}

/** Kamailio's log reaches the helper through a pipe: wait (bounded) until it tells what is expected. */
async function logged(matches: (registers: ReturnType<typeof gatewayRegisters>) => boolean): Promise<ReturnType<typeof gatewayRegisters>> {
  const deadline = Date.now() + 3_000;
  while (!matches(gatewayRegisters()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return gatewayRegisters();
}

// What a browser may send on a "simple" CORS request, plus what Node's fetch adds by itself.
const SIMPLE_REQUEST_HEADERS = new Set(['host', 'connection', 'accept', 'accept-language', 'accept-encoding', 'user-agent', 'sec-fetch-mode', 'origin', 'referer']);

describe('cognigy: the request and the visitor identity, as the SDK makes them', () => {
  it('a plain GET of endpointUrl (no query, no custom header); the visitor registers its own AOR with the shared digest user', async () => {
    const before = backend.requests.length;
    const client = await cognigyClient('ok', { userId: 'visitor-42' });
    await client.init();
    const started = performance.now();
    await client.connect();
    console.info(`cognigy: time to registered (config GET, WebSocket, REGISTER ×2) ${(performance.now() - started).toFixed(0)} ms`);
    expect(client.state).toBe('connected');
    const requests = requestsSince(before);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ method: 'GET', search: '' });
    expect(requests[0]!.headerNames.filter((name) => !SIMPLE_REQUEST_HEADERS.has(name))).toEqual([]);
    expect(client.identity).toBe(`sip:visitor-42@${COGNIGY_REALM}`);
    expect(await logged((r) => r.some((x) => x.aor.includes('visitor-42')))).toContainEqual({ aor: `sip:visitor-42@${COGNIGY_REALM}`, from: `sip:visitor-42@${COGNIGY_REALM}`, digest: backend.digestUser });
    expect(client.capabilities).toMatchObject({ incomingCalls: true, tokenRefresh: true, defaultTarget: true, dtmf: true });
    await client.disconnect();
    expect(normalizeTrace(client.trace())).toEqual(GOLDEN_CONNECT_DISCONNECT);
  });

  it('two visitors of one endpoint register two AORs with the same digest user, both at once', async () => {
    const a = await cognigyClient('ok', { userId: 'visitor-a' });
    const b = await cognigyClient('ok', { userId: 'visitor-b' });
    await Promise.all([a.connect(), b.connect()]);
    const registers = await logged((r) => r.some((x) => x.aor.includes('visitor-a')) && r.some((x) => x.aor.includes('visitor-b')));
    for (const user of ['visitor-a', 'visitor-b']) expect(registers).toContainEqual(expect.objectContaining({ aor: `sip:${user}@${COGNIGY_REALM}`, digest: backend.digestUser }));
    await Promise.all([a.disconnect(), b.disconnect()]);
  });

  it("no userId: one in the SDK's form is made, readable by the app, and kept across a Kamailio restart and a new connect", async () => {
    const client = await cognigyClient('ok');
    await client.connect();
    const identity = client.identity!;
    expect(identity).toMatch(GENERATED);
    const count = () => gatewayRegisters().filter((r) => r.aor === identity && r.digest === backend.digestUser).length;
    await logged(() => count() >= 1);
    const registeredBefore = count();
    expect(registeredBefore).toBeGreaterThanOrEqual(1);
    const back = new Promise<void>((resolve) => {
      const off = client.on('stateChanged', ({ from, to }) => {
        if (from === 'reconnecting' && to === 'connected') {
          off();
          resolve();
        }
      });
    });
    await kamailio.restart();
    await back;
    expect(client.identity).toBe(identity);
    // The restarted Kamailio (which lost every binding) got a REGISTER for the same generated AOR.
    await logged(() => count() > registeredBefore);
    expect(count()).toBeGreaterThan(registeredBefore);
    await client.disconnect();
    await client.connect();
    expect(client.identity).toBe(identity);
    await client.disconnect();
    const other = await cognigyClient('ok');
    await other.connect();
    expect(other.identity).toMatch(GENERATED);
    expect(other.identity).not.toBe(identity);
    await other.disconnect();
  }, 30_000);

  it('takes the config string form: cognigy:<endpointUrl>?userId=…', async () => {
    const client = await createVoiceClient(`cognigy:${backend.url('ok')}?userId=string-user&signalingOnly=true`);
    clients.push(client);
    await client.connect();
    expect(client.identity).toBe(`sip:string-user@${COGNIGY_REALM}`);
    await client.disconnect();
  });

  it('a runtime endpoint: connected once the WebSocket is up, no REGISTER, registered never reported', async () => {
    const client = await cognigyClient('runtime', { userId: 'runtime-visitor' });
    await client.connect();
    expect(client.state).toBe('connected');
    expect(client.identity).toBe('sip:runtime-visitor@127.0.0.1');
    expect(client.capabilities).toMatchObject({ incomingCalls: false, defaultTarget: true });
    expect(normalizeTrace(client.trace())).not.toContain('client registered');
    expect(gatewayRegisters().filter((r) => r.aor.includes('runtime-visitor'))).toEqual([]);
    await client.disconnect();
  });
});

describe("cognigy: every row of Cognigy's error table", () => {
  it('missing or credential-carrying endpointUrl, or a userId that is no SIP user → CONFIG_INVALID naming the field, nothing echoed, no request', async () => {
    const before = backend.requests.length;
    for (const config of ['cognigy', { provider: 'cognigy' }, { provider: 'cognigy', userId: 'u' }] as const) {
      const error = await failure(createVoiceClient(config as never));
      expect(error.code).toBe('CONFIG_INVALID');
      expect(error.details?.field).toBe('endpointUrl');
    }
    expect((await failure(createVoiceClient({ provider: 'cognigy', server: 'ftp://127.0.0.1/x' }))).code).toBe('CONFIG_INVALID');
    // @ts-expect-error cognigy takes no credentials: the types refuse them, and so must the runtime check for untyped callers
    const withPassword = await failure(createVoiceClient({ provider: 'cognigy', server: backend.url('ok'), credentials: { type: 'password', password: 'pw-xyz-123' } }));
    expect(withPassword.code).toBe('CONFIG_INVALID');
    const secretUrl = `http://owner:url-secret-991@127.0.0.1:${backend.port}/endpoint/ok`;
    for (const config of [{ provider: 'cognigy', server: secretUrl }, { provider: 'cognigy', endpointUrl: secretUrl }, `cognigy:${secretUrl}`] as const) {
      const error = await failure(createVoiceClient(config as never));
      expect(error.code).toBe('CONFIG_INVALID');
      expect(error.details?.field).toBe('endpointUrl');
      expect(JSON.stringify([error.message, error.toJSON(), String(error.stack)])).not.toContain('url-secret-991');
    }
    for (const userId of ['a b', 'x\r\nVia: evil', 'q@host', 'x'.repeat(129), 'name<script>']) {
      const error = await failure(createVoiceClient({ provider: 'cognigy', server: backend.url('ok'), userId }));
      expect(error.code).toBe('CONFIG_INVALID');
      expect(error.details?.field).toBe('userId');
    }
    expect(backend.requests.length).toBe(before);
  });

  it('WebRTC not supported → WEBRTC_UNSUPPORTED before any request; signalingOnly clients fail at call time', async () => {
    const before = backend.requests.length;
    const client = await cognigyClient('ok', { signalingOnly: undefined });
    expect((await failure(client.connect())).code).toBe('WEBRTC_UNSUPPORTED');
    expect(backend.requests.length).toBe(before);

    const signalling = await cognigyClient('ok');
    await signalling.connect();
    expect((await failure(signalling.call())).code).toBe('WEBRTC_UNSUPPORTED');
    expect(signalling.state).toBe('connected');
    await signalling.disconnect();
  });

  it('unreachable or invalid endpointUrl → NETWORK_UNREACHABLE (refused port, 404, 500)', async () => {
    const refused = await cognigyClient('ok', { server: 'http://127.0.0.1:1/endpoint/ok' });
    expect((await failure(refused.connect())).code).toBe('NETWORK_UNREACHABLE');
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

  it('not JSON, or a field missing → PROTOCOL_ERROR naming the path, never the value', async () => {
    expect((await failure((await cognigyClient('malformed')).connect())).code).toBe('PROTOCOL_ERROR');
    const missing = await cognigyClient('missing-fields');
    const error = await failure(missing.connect());
    expect(error.code).toBe('PROTOCOL_ERROR');
    expect(String(error.details?.fields).split(',').sort()).toEqual(['endpointSettings.sipConnectivityInfo.password', 'endpointSettings.sipConnectivityInfo.realm']);
    expect(missing.state).toBe('disconnected');
  });

  it('every required field of a legacy and of a runtime reply, missing one at a time → PROTOCOL_ERROR naming its path', async () => {
    const legacy = ['organisationId', 'projectId', 'endpointSettings.sipConnectivityInfo.wsUri', 'endpointSettings.sipConnectivityInfo.username', 'endpointSettings.sipConnectivityInfo.password', 'endpointSettings.sipConnectivityInfo.realm', 'endpointSettings.sipConnectivityInfo.applicationSid'];
    const runtime = ['organisationId', 'projectId', 'endpointSettings.sipConnectivityInfo.wsUri'];
    const cases = [...legacy.map((path) => ({ kind: 'validConfig' as const, path })), ...runtime.map((path) => ({ kind: 'runtimeConfig' as const, path }))];
    for (const { kind, path } of cases) {
      for (const absent of ['delete', null, ''] as const) {
        backend.setCustomReply((configs) => {
          const config = structuredClone(configs[kind]);
          const keys = path.split('.');
          const parent = keys.slice(0, -1).reduce((node: any, key) => node[key], config);
          if (absent === 'delete') delete parent[keys.at(-1)!];
          else parent[keys.at(-1)!] = absent;
          return { body: JSON.stringify(config) };
        });
        const client = await cognigyClient('custom');
        const error = await failure(client.connect());
        expect(error.code, `${kind} without ${path} (${absent})`).toBe('PROTOCOL_ERROR');
        expect(String(error.details?.fields).split(','), `${kind} without ${path} (${absent})`).toEqual([path]);
        expect(error.message).toContain(path);
      }
    }
  });

  it('widget inactive or its config absent → WIDGET_INACTIVE, and no WebSocket is opened', async () => {
    for (const mode of ['widget-inactive', 'widget-absent'] as const) {
      const client = await cognigyClient(mode, { userId: `widget-${mode}` });
      expect((await failure(client.connect())).code).toBe('WIDGET_INACTIVE');
      expect(client.state).toBe('disconnected');
      expect(gatewayRegisters().filter((r) => r.aor.includes(`widget-${mode}`))).toEqual([]);
    }
  });

  it('SIP server unreachable → NETWORK_UNREACHABLE quickly, and JsSIP does not go on retrying', async () => {
    const dead = await cognigyClient('sip-unreachable');
    const started = performance.now();
    expect((await failure(dead.connect())).code).toBe('NETWORK_UNREACHABLE');
    expect(performance.now() - started).toBeLessThan(2_000);
    const refusing = await cognigyClient('sip-refusing');
    expect((await failure(refusing.connect())).code).toBe('NETWORK_UNREACHABLE');
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
      const error = await failure((await cognigyClient(mode)).connect());
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
    const error = await failure((await cognigyClient('slow', { configTimeoutMs: 300 })).connect());
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
    const error = await failure((await cognigyClient('slow', { timeouts: { connectMs: 800 } })).connect());
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
    expect((await failure(pending)).code).toBe('ABORTED');
    expect(performance.now() - started).toBeLessThan(1_000);
    backend.setLiveMode('ok');
    await client.connect();
    expect(client.state).toBe('connected');
    await client.disconnect();
  });
});

describe('cognigy: refreshToken', () => {
  it('fetches a fresh config and re-REGISTERs; a refused refresh keeps the old registration; a reply that would move the session is refused', async () => {
    const client = await cognigyClient('live', { userId: 'refresher' });
    backend.setLiveMode('ok');
    await client.connect();
    const before = backend.requests.length;
    const registersBefore = (await logged((r) => r.some((x) => x.aor.includes('refresher')))).filter((r) => r.aor.includes('refresher')).length;
    await client.refreshToken();
    expect(requestsSince(before)).toHaveLength(1);
    expect((await logged((r) => r.filter((x) => x.aor.includes('refresher')).length > registersBefore)).filter((r) => r.aor.includes('refresher')).length).toBe(registersBefore + 1);
    expect(normalizeTrace(client.trace())).toContain('client tokenRefreshed');

    backend.setLiveMode('bad-credentials');
    expect((await failure(client.refreshToken())).code).toBe('AUTH_REJECTED');
    backend.setLiveMode('widget-inactive');
    expect((await failure(client.refreshToken())).code).toBe('WIDGET_INACTIVE');
    backend.setLiveMode('malformed');
    expect((await failure(client.refreshToken())).code).toBe('PROTOCOL_ERROR');
    for (const mode of ['runtime', 'sip-unreachable'] as const) {
      backend.setLiveMode(mode);
      const moved = await failure(client.refreshToken());
      expect(moved.code).toBe('PROTOCOL_ERROR');
      expect(moved.cause?.name).toBe('SessionMoved');
    }
    backend.setCustomReply(({ validConfig }) => {
      validConfig.endpointSettings.sipConnectivityInfo.realm = 'elsewhere.example';
      return { body: JSON.stringify(validConfig) };
    });
    backend.setLiveMode('custom');
    expect((await failure(client.refreshToken())).details?.changed).toBe('realm');

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
    const client = await cognigyClient('ok', { userId: 'secret-scan' });
    await client.connect();
    await client.refreshToken();
    await client.disconnect();
    await failure((await cognigyClient('bad-credentials')).connect());
    for (const c of clients) seen.push(JSON.stringify(c.trace()));
    expect(seen.filter((line) => line.includes('cognigy: registered as')).length).toBeGreaterThan(0);
    const everything = seen.join('\n');
    for (const password of sipPasswords) {
      expect(everything).not.toContain(password);
      expect(everything).not.toContain(encodeURIComponent(password));
    }
  });
});
