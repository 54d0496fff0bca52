// The Sendbird emulator must answer the way the real sendbird-calls SDK expects: it is driven here by
// that SDK itself (1.10.x) in Node, with the small browser shims of lab/sendbird/node-shims.mjs.
// Media needs a real browser, so calls between two parties are exercised in Chromium elsewhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { SENDBIRD_USERS, startSendbirdEmulator } from '../../lab/sendbird/index.mjs';
import { installSendbirdNodeShims } from '../../lab/sendbird/node-shims.mjs';

type Emulator = Awaited<ReturnType<typeof startSendbirdEmulator>>;
type SendBirdCallModule = typeof import('sendbird-calls');

let emulator: Emulator;
let SendBirdCall: SendBirdCallModule;
let restoreGlobals: () => void;

const alice = { userId: 'alice', accessToken: SENDBIRD_USERS.alice as string };

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function codeOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
  throw new Error('expected a rejection');
}

async function loginRaw(userId: string, accessToken: string): Promise<string> {
  const response = await fetch(`${emulator.apiHost}/v1/users/${userId}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ app_id: emulator.appId, user_id: userId, access_token: accessToken }),
  });
  const body = (await response.json()) as { sbcall_session_token: string };
  return body.sbcall_session_token;
}

beforeAll(async () => {
  restoreGlobals = installSendbirdNodeShims();
  emulator = await startSendbirdEmulator();
  const imported = (await import('sendbird-calls')) as unknown as { default?: SendBirdCallModule };
  SendBirdCall = imported.default ?? (imported as unknown as SendBirdCallModule);
  SendBirdCall.setLoggerLevel(SendBirdCall.LoggerLevel.NONE);
  SendBirdCall.init(emulator.appId, emulator.apiHost, emulator.wsHost);
});

afterAll(async () => {
  try {
    SendBirdCall?.deauthenticate();
  } catch {
    // never initialised
  }
  await emulator?.stop();
  restoreGlobals?.();
});

describe('login over REST', () => {
  it('authenticates a known user with its access token', async () => {
    const user = await SendBirdCall.authenticate(alice);
    expect(user.userId).toBe('alice');
    expect(emulator.stats.logins.at(-1)).toEqual({ userId: 'alice', ok: true });
  });

  it('rejects a wrong access token with 400302', async () => {
    expect(await codeOf(SendBirdCall.authenticate({ userId: 'alice', accessToken: 'not-the-token' }))).toBe(400302);
    expect(emulator.stats.logins.at(-1)).toEqual({ userId: 'alice', ok: false, code: 400302 });
  });

  it('rejects even a right token with 400302 while rejectToken is on', async () => {
    emulator.faults.rejectToken = true;
    try {
      expect(await codeOf(SendBirdCall.authenticate(alice))).toBe(400302);
    } finally {
      emulator.faults.rejectToken = false;
    }
  });

  it('accepts an issued token and answers 400309 once it is expired', async () => {
    const token = emulator.issueToken('alice', { expiresInSec: 3600 });
    expect((await SendBirdCall.authenticate({ userId: 'alice', accessToken: token })).userId).toBe('alice');
    emulator.expireToken(token);
    expect(await codeOf(SendBirdCall.authenticate({ userId: 'alice', accessToken: token }))).toBe(400309);
    const lapsed = emulator.issueToken('alice', { expiresInSec: 0 });
    expect(await codeOf(SendBirdCall.authenticate({ userId: 'alice', accessToken: lapsed }))).toBe(400309);
  });

  it('makes the SDK report 1800208 when the login reply is not JSON', async () => {
    emulator.faults.malformedLogin = true;
    try {
      expect(await codeOf(SendBirdCall.authenticate(alice))).toBe(SendBirdCall.ErrorCode.ERR_MALFORMED_DATA);
    } finally {
      emulator.faults.malformedLogin = false;
    }
  });

  it('holds the login reply back for slowLoginMs', async () => {
    emulator.faults.slowLoginMs = 400;
    const started = Date.now();
    try {
      await SendBirdCall.authenticate(alice);
    } finally {
      emulator.faults.slowLoginMs = 0;
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
  });

  it('answers CORS preflights for the SDK headers from another origin', async () => {
    const response = await fetch(`${emulator.apiHost}/v1/users/alice/login`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://127.0.0.1:9',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type,sendbird,sbcall-client-id,sbcall-session-token',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:9');
    expect(response.headers.get('access-control-allow-headers')).toContain('sbcall-session-token');
  });
});

describe('signalling WebSocket', () => {
  it('connects after login and counts the connection', async () => {
    await SendBirdCall.authenticate(alice);
    const before = emulator.stats.connections;
    await SendBirdCall.connectWebSocket();
    expect(emulator.stats.connections).toBe(before + 1);
    await waitFor(() => emulator.stats.openSockets() === 1, 2000);
  });

  it('refuses a dial to an unknown user with 1400103', async () => {
    const code = await new Promise<unknown>((resolve) => {
      SendBirdCall.dial(
        { userId: 'nobody-here', isVideoCall: false, callOption: { audioEnabled: true, videoEnabled: false } },
        // The SDK's typings say Error; what it passes is its SendBirdError, which has a code.
        (_call, error) => resolve((error as (Error & { code?: number }) | undefined)?.code),
      );
    });
    expect(code).toBe(1400103);
    const reply = emulator.frames.find((f) => f.dir === 'out' && (f.msg as { code?: number }).code === 1400103);
    expect(reply?.userId).toBe('alice');
  });

  it('is reconnected by the SDK after the server drops it', async () => {
    const before = emulator.stats.connections;
    emulator.dropSockets();
    await waitFor(() => emulator.stats.connections > before && emulator.stats.openSockets() === 1, 10_000);
  });

  it('closes the socket on deauthenticate', async () => {
    SendBirdCall.deauthenticate();
    await waitFor(() => emulator.stats.openSockets() === 0, 2000);
  });

  it('refuses sockets without a live session and while refuseSockets is on', async () => {
    const refusedBefore = emulator.stats.refusedSockets;
    const status = (url: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(url);
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('error', () => undefined);
      });
    expect(await status(`${emulator.wsHost}/?sbcall_session_token=null&sbcall_client_id=x`)).toBe(401);
    const session = await loginRaw('alice', alice.accessToken);
    emulator.faults.refuseSockets = true;
    try {
      expect(await status(`${emulator.wsHost}/?sbcall_session_token=${session}&sbcall_client_id=x`)).toBe(503);
    } finally {
      emulator.faults.refuseSockets = false;
    }
    expect(emulator.stats.refusedSockets).toBeGreaterThanOrEqual(refusedBefore + 2);
  });
});

describe('robustness', () => {
  it('survives junk frames and bodies, answering request ids with errors', async () => {
    const session = await loginRaw('bob', SENDBIRD_USERS.bob as string);
    const ws = new WebSocket(`${emulator.wsHost}/?sbcall_session_token=${session}&sbcall_client_id=junk`);
    const received: Array<{ error?: boolean; request_id?: string; code?: number }> = [];
    ws.on('message', (data) => received.push(JSON.parse(data.toString())));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const junk = [
      'not json at all', '[]', 'null', '42', '{"cmd":', '\n\n\n', '{"payload":"x"}',
      JSON.stringify({ request_id: 'r-unknown-call', cmd: 'CALL', type: 'end', payload: { call_id: 'nope' } }),
      JSON.stringify({ request_id: 'r-bad-dial', cmd: 'CALL', type: 'dial', payload: { callee_id: 7 } }),
      JSON.stringify({ request_id: 'r-self', cmd: 'CALL', type: 'dial', payload: { callee_id: 'bob' } }),
      JSON.stringify({ cmd: 'SGNL', type: 'offer', payload: { call_id: { nested: [1, 2, 3] } } }),
    ];
    for (const frame of junk) ws.send(`${frame}\n`);
    ws.send(Buffer.from([0xff, 0x00, 0xfe]));
    await waitFor(() => received.length >= 3, 2000);
    expect(received.find((m) => m.request_id === 'r-unknown-call')?.code).toBe(1400102);
    expect(received.find((m) => m.request_id === 'r-bad-dial')?.code).toBe(1400103);
    expect(received.find((m) => m.request_id === 'r-self')?.code).toBe(1400104);
    ws.close();

    const garbage = await fetch(`${emulator.apiHost}/v1/users/alice/login`, { method: 'POST', body: '{{{' });
    expect(garbage.status).toBe(400);
    const unknownPath = await fetch(`${emulator.apiHost}/v1/%E0%A4%A/whatever`, { method: 'POST', body: 'x' });
    expect((await unknownPath.json()) as unknown).toMatchObject({ error: true });
    expect((await SendBirdCall.authenticate(alice)).userId).toBe('alice');
  });
});

describe('another app id', () => {
  it('refuses the login with 400200 as an unknown application', async () => {
    SendBirdCall.init('SOME-OTHER-APP', emulator.apiHost, emulator.wsHost);
    expect(await codeOf(SendBirdCall.authenticate(alice))).toBe(400200);
  });
});
