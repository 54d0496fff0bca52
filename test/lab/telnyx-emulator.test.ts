// The Telnyx emulator must answer the way the real @telnyx/webrtc 2.27.x client expects: it is
// driven here by that SDK itself, in Node (login, token expiry, reconnect, faults) with the shims
// of lab/telnyx/node-shims.mjs, and in Chromium for calls with media.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startTelnyxEmulator, TELNYX_USERS } from '../../lab/telnyx/index.mjs';
import { installTelnyxNodeShims } from '../../lab/telnyx/node-shims.mjs';

type Emulator = Awaited<ReturnType<typeof startTelnyxEmulator>>;
type SdkEvent = { name: string; at: number; payload: any };
type Client = {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  login(options: { creds?: Record<string, unknown>; onSuccess?: () => void; onError?: (e: unknown) => void }): Promise<void>;
  on(event: string, handler: (payload: unknown) => void): unknown;
};

const EVENTS = ['telnyx.ready', 'telnyx.error', 'telnyx.warning', 'telnyx.socket.open', 'telnyx.socket.close'];

let emulator: Emulator;
let TelnyxRTC: new (options: Record<string, unknown>) => Client;
let restoreGlobals: () => void;
const liveClients: Client[] = [];

async function waitFor(condition: () => boolean, timeoutMs: number, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A real SDK client pointed at the emulator, with every event it emits recorded in order. */
function startClient(credentials: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const client = new TelnyxRTC({ host: emulator.url, iceServers: [], ...credentials, ...extra });
  const events: SdkEvent[] = [];
  const startedAt = Date.now();
  for (const name of EVENTS) client.on(name, (payload) => events.push({ name, at: Date.now() - startedAt, payload }));
  liveClients.push(client);
  void client.connect();
  const named = (name: string) => events.filter((e) => e.name === name);
  return { client, events, named };
}

const password = (login: keyof typeof TELNYX_USERS) => ({ login, password: TELNYX_USERS[login] });

beforeAll(async () => {
  restoreGlobals = installTelnyxNodeShims();
  emulator = await startTelnyxEmulator();
  // The ESM bundle is what browsers and bundlers load; its named export is the public API.
  ({ TelnyxRTC } = (await import('@telnyx/webrtc/lib/bundle.mjs')) as unknown as { TelnyxRTC: typeof TelnyxRTC });
});

afterEach(async () => {
  await Promise.all(liveClients.splice(0).map((c) => c.disconnect().catch(() => {})));
  Object.assign(emulator.faults, { rejectLogin: false, neverReply: false, malformedReply: false, slowReplyMs: 0, gatewayFailed: false });
  await waitFor(() => emulator.openSockets() === 0, 5_000, 'all sockets closed');
});

afterAll(async () => {
  await emulator?.stop();
  restoreGlobals?.();
});

describe('telnyx emulator: logins with the real SDK in Node', () => {
  it('password login reaches telnyx.ready through sessid, clientReady and gatewayState REGED', async () => {
    const { named } = startClient(password('alice'));
    await waitFor(() => named('telnyx.ready').length === 1, 5_000, 'ready');
    expect(named('telnyx.error')).toHaveLength(0);
    expect(emulator.stats.logins.at(-1)).toMatchObject({ method: 'login', login: 'alice', via: 'password' });
    const login = emulator.frames.find((f) => f.dir === 'in' && (f.msg as any).method === 'login')!.msg as any;
    expect(login.params).toMatchObject({ login: 'alice', passwd: TELNYX_USERS.alice, reconnection: false });
  });

  it('JWT login (login_token) reaches telnyx.ready as the token subject', async () => {
    const { named } = startClient({ login_token: emulator.issueJwt('bob') });
    await waitFor(() => named('telnyx.ready').length === 1, 5_000, 'ready');
    expect(emulator.stats.logins.at(-1)).toMatchObject({ method: 'login', login: 'bob', via: 'jwt' });
  });

  it('anonymous_login to an AI assistant reaches telnyx.ready and the target is recorded', async () => {
    const { named } = startClient({
      anonymous_login: { target_type: 'ai_assistant', target_id: 'assistant-7f3', target_params: { conversation_id: 'conv-42' } },
    });
    await waitFor(() => named('telnyx.ready').length === 1, 5_000, 'ready');
    expect(emulator.stats.logins.at(-1)).toEqual({
      method: 'anonymous_login', via: 'anonymous', target_id: 'assistant-7f3', target_params: { conversation_id: 'conv-42' },
      connection: expect.any(Number),
    });
  });

  it('a wrong password gives telnyx.error 46001 LOGIN_FAILED, fatal, and the socket stays open', async () => {
    const before = emulator.stats.connections;
    const { named } = startClient({ login: 'alice', password: 'not-her-password' });
    await waitFor(() => named('telnyx.error').length === 1, 5_000, 'error');
    const { error } = named('telnyx.error')[0]!.payload;
    expect(error).toMatchObject({ code: 46001, name: 'LOGIN_FAILED', fatal: true });
    // The server's own code and message do not survive: the SDK wraps the error object with String().
    expect(error.originalError.message).toBe('[object Object]');
    await sleep(500);
    expect(named('telnyx.ready')).toHaveLength(0);
    expect(emulator.stats.connections).toBe(before + 1);
    expect(emulator.openSockets()).toBe(1);
    expect(emulator.stats.rejectedLogins.at(-1)).toMatchObject({ login: 'alice', reason: 'bad_credentials' });
  });

  it('an expired JWT is rejected; the app sees the same 46001 as a wrong password, only login({onError}) gets the server error', async () => {
    const expired = emulator.issueJwt('bob', { expiresInSec: -60 });
    const { client, named } = startClient({ login_token: expired });
    await waitFor(() => named('telnyx.error').length === 1, 5_000, 'error');
    const { error } = named('telnyx.error')[0]!.payload;
    expect(error).toMatchObject({ code: 46001, name: 'LOGIN_FAILED', message: 'Authentication failed', fatal: true });
    expect(error.originalError.message).toBe('[object Object]');
    expect(named('telnyx.warning')).toHaveLength(0); // no 34001 for a token that is already expired
    expect(emulator.stats.rejectedLogins.at(-1)).toMatchObject({ via: 'jwt', reason: 'token_expired' });

    // An explicit login() with onError is the one path where the server's error object arrives intact.
    const raw = await new Promise<unknown>((resolve) => {
      void client.login({ creds: { login_token: expired }, onError: resolve });
    });
    expect(raw).toEqual({ code: -32001, message: expect.stringContaining('expired') });
  });

  it('a forged JWT is rejected as bad credentials, not as expired', async () => {
    const forged = emulator.issueJwt('bob').replace(/\.[^.]+$/, '.AAAA');
    const { named } = startClient({ login_token: forged });
    await waitFor(() => named('telnyx.error').length === 1, 5_000, 'error');
    expect(named('telnyx.error')[0]!.payload.error.code).toBe(46001);
    expect(emulator.stats.rejectedLogins.at(-1)).toMatchObject({ via: 'jwt', reason: 'bad_token' });
  });

  it('a JWT with 125 s left warns 34001 within ~10 s, and login({creds}) refreshes it on the same socket', async () => {
    const { client, named } = startClient({ login_token: emulator.issueJwt('alice', { expiresInSec: 125 }) });
    await waitFor(() => named('telnyx.ready').length === 1, 5_000, 'ready');
    const connections = emulator.stats.connections;
    await waitFor(() => named('telnyx.warning').length === 1, 12_000, 'token warning');
    expect(named('telnyx.warning')[0]!.payload.warning).toMatchObject({ code: 34001, name: 'TOKEN_EXPIRING_SOON' });

    const logins = emulator.stats.logins.length;
    const fresh = emulator.issueJwt('alice', { expiresInSec: 3600 });
    await client.login({ creds: { login_token: fresh } });
    await waitFor(() => emulator.stats.logins.length === logins + 1, 5_000, 'second login');
    expect(emulator.stats.logins.at(-1)).toMatchObject({ login: 'alice', via: 'jwt' });
    const relogin = emulator.frames.filter((f) => f.dir === 'in' && (f.msg as any).method === 'login').at(-1)!.msg as any;
    expect(relogin.params.login_token).toBe(fresh);
    expect(emulator.stats.connections).toBe(connections);
    // The expiry timer was re-armed for an hour: no second warning, no second ready.
    await sleep(300);
    expect(named('telnyx.warning')).toHaveLength(1);
    expect(named('telnyx.ready')).toHaveLength(1);
  });

  it('dropSockets: the SDK reconnects by itself, logs in afresh and fires ready again', async () => {
    const { named } = startClient(password('bob'));
    await waitFor(() => named('telnyx.ready').length === 1, 5_000, 'ready');
    const connections = emulator.stats.connections;
    emulator.dropSockets();
    await waitFor(() => named('telnyx.ready').length === 2, 10_000, 'second ready');
    expect(emulator.stats.connections).toBe(connections + 1);
    expect(named('telnyx.socket.close').length).toBeGreaterThanOrEqual(1);
    expect(emulator.stats.logins.at(-1)).toMatchObject({ login: 'bob', via: 'password' });
  });
});

describe('telnyx emulator: fault switches as the real SDK sees them', () => {
  it('rejectLogin: correct credentials get 46001 LOGIN_FAILED', async () => {
    emulator.faults.rejectLogin = true;
    const { named } = startClient(password('alice'));
    await waitFor(() => named('telnyx.error').length === 1, 5_000, 'error');
    expect(named('telnyx.error')[0]!.payload.error).toMatchObject({ code: 46001, fatal: true });
    expect(emulator.stats.rejectedLogins.at(-1)).toMatchObject({ reason: 'fault' });
  });

  it('gatewayFailed: 45004 GATEWAY_FAILED (not fatal) naming the state, then a reconnect and a fresh login', async () => {
    emulator.faults.gatewayFailed = true;
    const connections = emulator.stats.connections;
    const { named } = startClient(password('alice'));
    await waitFor(() => named('telnyx.error').length === 1, 5_000, 'error');
    const { error } = named('telnyx.error')[0]!.payload;
    expect(error).toMatchObject({ code: 45004, name: 'GATEWAY_FAILED', fatal: false });
    expect(error.originalError.message).toBe('Gateway state: FAILED');
    expect(named('telnyx.ready')).toHaveLength(0);
    // The SDK retries after 2–6 s with a new socket; a healthy gateway then makes it ready.
    emulator.faults.gatewayFailed = false;
    await waitFor(() => named('telnyx.ready').length === 1, 10_000, 'ready after reconnect');
    expect(emulator.stats.connections).toBe(connections + 2);
  });

  it.each([
    ['text', '<html>502 Bad Gateway</html>'],
    ['no-members', { jsonrpc: '2.0', id: expect.any(String) }],
  ] as const)('malformedReply %s: the SDK neither errors nor becomes ready', async (mode, reply) => {
    emulator.faults.malformedReply = mode;
    const { named } = startClient(password('alice'));
    await waitFor(() => emulator.frames.some((f) => f.dir === 'out' && f.connection === emulator.stats.connections), 5_000, 'reply');
    await sleep(2_000);
    expect(emulator.frames.filter((f) => f.dir === 'out' && f.connection === emulator.stats.connections).map((f) => f.msg)).toEqual([reply]);
    expect(named('telnyx.ready')).toHaveLength(0);
    expect(named('telnyx.error')).toHaveLength(0);
  });

  it('slowReplyMs delays every server frame: ready comes after two round trips', async () => {
    emulator.faults.slowReplyMs = 400;
    const { named } = startClient(password('bob'));
    await waitFor(() => named('telnyx.ready').length === 1, 5_000, 'ready');
    const opened = named('telnyx.socket.open')[0]!.at;
    // login reply + clientReady leave together after 400 ms, the gatewayState reply 400 ms later.
    expect(named('telnyx.ready')[0]!.at - opened).toBeGreaterThanOrEqual(750);
  });

  it('neverReply: silence until the SDK health probe gives up (36003) and reconnects', async () => {
    emulator.faults.neverReply = true;
    const connections = emulator.stats.connections;
    const { named } = startClient(password('alice'));
    await waitFor(() => named('telnyx.warning').length === 1, 40_000, 'signalling warning');
    expect(named('telnyx.warning')[0]!.payload).toMatchObject({
      warning: { code: 36003, name: 'SIGNALING_RECOVERY_REQUIRED' },
      source: 'probe',
    });
    expect(named('telnyx.error')).toHaveLength(0);
    expect(named('telnyx.ready')).toHaveLength(0);
    const sent = emulator.frames.filter((f) => f.connection === connections + 1);
    expect(sent.every((f) => f.dir === 'in')).toBe(true);
    expect(sent.map((f) => (f.msg as any).method)).toEqual(['login', 'telnyx_rtc.ping']);
    await waitFor(() => emulator.stats.connections === connections + 2, 5_000, 'reconnect');
  }, 60_000);
});

describe('telnyx emulator: raw frames', () => {
  async function rawSocket() {
    const ws = new WebSocket(emulator.url);
    const inbox: unknown[] = [];
    ws.on('message', (data) => {
      const text = data.toString();
      try {
        inbox.push(JSON.parse(text));
      } catch {
        inbox.push(text);
      }
    });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const next = async (count: number) => {
      await waitFor(() => inbox.length >= count, 3_000, `${count} replies`);
      return inbox.slice(0, count);
    };
    return { ws, inbox, next };
  }

  it('answers ping, rejects requests before login with -32000 (but never login itself), survives garbage', async () => {
    const { ws, inbox, next } = await rawSocket();
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 'p1', method: 'telnyx_rtc.ping', params: {} }));
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 'i1', method: 'telnyx_rtc.invite', params: {} }));
    ws.send('{not json');
    ws.send(JSON.stringify([1, 2, 3]));
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1000, result: { method: 'telnyx_rtc.clientReady' } })); // an ack: no reply
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 'l1', method: 'login', params: { login: 'alice', passwd: 'wrong' } }));
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 'l2', method: 'login', params: null }));
    ws.send(Buffer.from([0xff, 0xfe, 0x00]));
    const replies = await next(7);
    expect(replies.slice(0, 6)).toEqual([
      { jsonrpc: '2.0', id: 'p1', result: { method: 'telnyx_rtc.ping' } },
      { jsonrpc: '2.0', id: 'i1', error: { code: -32000, message: 'Authentication Required' } },
      { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } },
      { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request' } },
      { jsonrpc: '2.0', id: 'l1', error: { code: -32001, message: 'Authentication Failure' } },
      { jsonrpc: '2.0', id: 'l2', error: { code: -32602, message: expect.any(String) } },
    ]);
    expect(replies[6]).toMatchObject({ id: null, error: { code: -32700 } });
    await sleep(200);
    expect(inbox).toHaveLength(7);
    ws.close();

    // Still serving afterwards.
    const second = await rawSocket();
    second.ws.send(JSON.stringify({ jsonrpc: '2.0', id: 'l3', method: 'login', params: { login: 'bob', passwd: TELNYX_USERS.bob } }));
    const [loginReply, clientReady] = (await second.next(2)) as any[];
    expect(loginReply).toMatchObject({ id: 'l3', result: { sessid: expect.any(String) } });
    expect(clientReady).toMatchObject({ method: 'telnyx_rtc.clientReady', params: { reattached_sessions: [] } });
    second.ws.send(JSON.stringify({ jsonrpc: '2.0', id: 'x1', method: 'telnyx_rtc.nope', params: {} }));
    second.ws.send(JSON.stringify({ jsonrpc: '2.0', id: 'x2', method: 'telnyx_rtc.bye', params: { dialogParams: {} } }));
    second.ws.send(JSON.stringify({ jsonrpc: '2.0', id: 'x3', method: 'telnyx_rtc.invite', params: { dialogParams: { callID: 'c1', destination_number: 'nobody' } } }));
    const more = (await second.next(5)).slice(2);
    expect(more).toEqual([
      { jsonrpc: '2.0', id: 'x1', error: { code: -32601, message: 'Method not found' } },
      { jsonrpc: '2.0', id: 'x2', error: { code: -32602, message: expect.stringContaining('callID') } },
      { jsonrpc: '2.0', id: 'x3', error: { code: -32602, message: expect.stringContaining('sdp') } },
    ]);
    second.ws.close();
  });

  it('an invite to a login nobody holds is ended with USER_NOT_REGISTERED 606 / sip 404', async () => {
    const { ws, next } = await rawSocket();
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 'l', method: 'login', params: { login: 'alice', passwd: TELNYX_USERS.alice } }));
    await next(2);
    ws.send(JSON.stringify({
      jsonrpc: '2.0', id: 'inv', method: 'telnyx_rtc.invite',
      params: { sdp: 'v=0\r\n', dialogParams: { callID: 'call-1', destination_number: 'nobody' } },
    }));
    const [, , created, bye] = (await next(4)) as any[];
    expect(created).toMatchObject({ id: 'inv', result: { callID: 'call-1', message: 'CALL CREATED' } });
    expect(bye).toMatchObject({
      method: 'telnyx_rtc.bye',
      params: { callID: 'call-1', cause: 'USER_NOT_REGISTERED', causeCode: 606, sipCode: 404 },
    });
    ws.close();
  });
});
