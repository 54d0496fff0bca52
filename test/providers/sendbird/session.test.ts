// The sendbird provider's session — login, socket, logout, faults — with the REAL sendbird-calls SDK
// in headless Chromium against lab/sendbird.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  SENDBIRD_USERS,
  createClient,
  launchBrowser,
  login,
  rawSdk,
  recorded,
  run,
  sendbirdConfig,
  sleep,
  startSendbirdEmulator,
  waitForState,
  waitUntil,
  type Emulator,
  type Lab,
  type Page,
} from './harness.js';
import { GOLDEN_CONNECT_DISCONNECT } from '../../support/golden.js';

let lab: Lab;
let emulator: Emulator;
const pages: Page[] = [];
const aliceToken = SENDBIRD_USERS.alice as string;
// A login reply held back this long is far past every login bound these tests set (≤ 1 s).
const SLOW_LOGIN_MS = 6_000;

async function newPage(): Promise<Page> {
  const page = await lab.newPage();
  pages.push(page);
  return page;
}

beforeAll(async () => {
  emulator = await startSendbirdEmulator();
  lab = await launchBrowser();
});
afterEach(async () => {
  Object.assign(emulator.faults, { rejectToken: false, malformedLogin: false, loginWithoutUser: false, slowLoginMs: 0, refuseSockets: false });
  await Promise.all(pages.splice(0).map((p) => p.close().catch(() => {})));
});
afterAll(async () => {
  await lab?.close();
  await emulator?.stop();
});

/** Every string the app could ever see from this client: errors, events, log lines, trace. */
async function everythingSeen(page: Page, name: string): Promise<string> {
  return JSON.stringify(await recorded(page, name));
}

describe('sendbird session', () => {
  it('config string → authenticate + connectWebSocket → registered and connected; deauthenticate → disconnected with no socket left', async () => {
    const page = await newPage();
    const config = `sendbird:${emulator.appId}?apiHost=${encodeURIComponent(emulator.apiHost)}&wsHost=${encodeURIComponent(emulator.wsHost)}`;
    await createClient(page, 'alice', config);
    const before = emulator.stats.openSockets();
    expect(await login(page, 'alice', 'alice', aliceToken)).toBeUndefined();
    expect(await run(page, 'alice', 'connect')).toBeUndefined();
    expect(emulator.stats.openSockets()).toBe(before + 1);
    expect(await rawSdk(page)).toMatchObject({ appId: emulator.appId, userId: 'alice' });
    expect(await run(page, 'alice', 'disconnect')).toBeUndefined();
    const seen = await recorded(page, 'alice');
    expect(seen.trace).toEqual(GOLDEN_CONNECT_DISCONNECT);
    expect((await rawSdk(page)).userId).toBeUndefined();
    await waitUntil(() => emulator.stats.openSockets() === before, 3_000, 'the socket closes');
  });

  it('a client of another APP_ID on the same page gets a clean SDK; the first client learns its session is gone', async () => {
    const other = await startSendbirdEmulator({ appId: 'POLYPHONE-OTHER-APP' });
    try {
      const page = await newPage();
      await createClient(page, 'first', sendbirdConfig(emulator));
      await login(page, 'first', 'alice', aliceToken);
      expect(await run(page, 'first', 'connect')).toBeUndefined();
      const firstSockets = emulator.stats.openSockets();

      await createClient(page, 'second', sendbirdConfig(other));
      expect(await login(page, 'second', 'bob', SENDBIRD_USERS.bob)).toBeUndefined();
      expect(await run(page, 'second', 'connect')).toBeUndefined();

      expect(await rawSdk(page)).toMatchObject({ appId: 'POLYPHONE-OTHER-APP', userId: 'bob' });
      await waitForState(page, 'first', 'disconnected');
      const first = await recorded(page, 'first');
      expect(first.errors.map((e) => e.code)).toEqual(['INVALID_STATE']);
      await waitUntil(() => emulator.stats.openSockets() === firstSockets - 1, 3_000, 'the first session closes its socket');
      expect(other.stats.openSockets()).toBe(1);
      // The first client cannot act on the second one's SDK instance behind its back.
      expect((await run(page, 'first', 'connect'))?.code).toBe('INVALID_STATE');
      expect((await rawSdk(page)).userId).toBe('bob');
      await run(page, 'second', 'disconnect');
    } finally {
      await other.stop();
    }
  });

  it('a second client of the SAME app id on another emulator does not inherit the first one\'s hosts', async () => {
    const twin = await startSendbirdEmulator();
    try {
      const page = await newPage();
      await createClient(page, 'first', sendbirdConfig(emulator));
      await login(page, 'first', 'alice', aliceToken);
      await run(page, 'first', 'disconnect');
      const loginsBefore = emulator.stats.logins.length;
      await createClient(page, 'second', sendbirdConfig(twin));
      expect(await login(page, 'second', 'alice', aliceToken)).toBeUndefined();
      expect(await run(page, 'second', 'connect')).toBeUndefined();
      expect(twin.stats.logins.at(-1)).toEqual({ userId: 'alice', ok: true });
      expect(twin.stats.openSockets()).toBe(1);
      expect(emulator.stats.logins.length).toBe(loginsBefore);
      await run(page, 'second', 'disconnect');
    } finally {
      await twin.stop();
    }
  });

  it.each([
    ['a wrong access token', 'AUTH_REJECTED', 400302, (): void => {}, 'not-alices-token'],
    ['a token the server rejects', 'AUTH_REJECTED', 400302, (): unknown => (emulator.faults.rejectToken = true), aliceToken],
    ['an expired token', 'TOKEN_EXPIRED', 400309, (): void => {}, 'expired'],
    ['an HTML login reply', 'PROTOCOL_ERROR', 1800208, (): unknown => (emulator.faults.malformedLogin = true), aliceToken],
    ['a 200 login reply without user', 'PROTOCOL_ERROR', undefined, (): unknown => (emulator.faults.loginWithoutUser = true), aliceToken],
  ] as const)('%s → %s, no session left, no secret in anything the app sees', async (_what, code, vendorCode, fault, token) => {
    const page = await newPage();
    const accessToken = token === 'expired' ? emulator.issueToken('alice', { expiresInSec: 0 }) : token;
    fault();
    await createClient(page, 'alice', sendbirdConfig(emulator));
    const error = await login(page, 'alice', 'alice', accessToken);
    expect(error?.code).toBe(code);
    if (vendorCode !== undefined) expect(error?.cause?.code).toBe(vendorCode);
    const seen = await recorded(page, 'alice');
    expect(seen.state).not.toBe('connected');
    // The SDK holds no session: a half-failed login (token stored, user unreadable) is cleared.
    expect((await rawSdk(page)).userId).toBeUndefined();
    expect(await everythingSeen(page, 'alice')).not.toContain(accessToken);
  });

  it('connect() with the config credentials and a rejected token → AUTH_REJECTED, secret-free', async () => {
    const page = await newPage();
    await createClient(page, 'alice', sendbirdConfig(emulator, { credentials: { type: 'accessToken', userId: 'alice', accessToken: 'wrong-token-4711' } }));
    const error = await run(page, 'alice', 'connect');
    expect(error?.code).toBe('AUTH_REJECTED');
    expect((await recorded(page, 'alice')).state).toBe('initialized');
    expect(await everythingSeen(page, 'alice')).not.toContain('wrong-token-4711');
  });

  it('emulator down → NETWORK_UNREACHABLE', async () => {
    const gone = await startSendbirdEmulator();
    const hosts = { appId: gone.appId, apiHost: gone.apiHost, wsHost: gone.wsHost };
    await gone.stop();
    const page = await newPage();
    await createClient(page, 'alice', sendbirdConfig(hosts));
    const error = await login(page, 'alice', 'alice', aliceToken);
    expect(error?.code).toBe('NETWORK_UNREACHABLE');
  });

  it('login fine but WebSocket refused → NETWORK_UNREACHABLE, and no SDK retry keeps knocking afterwards', async () => {
    const page = await newPage();
    emulator.faults.refuseSockets = true;
    await createClient(page, 'alice', sendbirdConfig(emulator));
    await login(page, 'alice', 'alice', aliceToken);
    const error = await run(page, 'alice', 'connect');
    expect(error?.code).toBe('NETWORK_UNREACHABLE');
    expect(error?.cause?.code).toBe(1800202);
    emulator.faults.refuseSockets = false;
    const refused = emulator.stats.refusedSockets;
    const accepted = emulator.stats.connections;
    // The SDK's own retry would come after 2 s, then every 5 ± 1 s.
    await sleep(7_000);
    expect(emulator.stats.refusedSockets).toBe(refused);
    expect(emulator.stats.connections).toBe(accepted);
  });

  it('a login slower than the connect timeout → TIMEOUT; the late reply leaves no session behind', async () => {
    const page = await newPage();
    // The reply comes long after the 1 s bound, so "rejected before the reply" is behaviour, not a
    // timing figure (a loaded machine once took 3 s to round-trip a 1 s bound through the page).
    emulator.faults.slowLoginMs = SLOW_LOGIN_MS;
    await createClient(page, 'alice', sendbirdConfig(emulator, { credentials: { type: 'accessToken', userId: 'alice', accessToken: aliceToken }, timeouts: { connectMs: 1_000 } }));
    const started = Date.now();
    const error = await run(page, 'alice', 'connect');
    expect(error?.code).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(SLOW_LOGIN_MS - 1_000);
    const okLogins = emulator.stats.logins.filter((l) => l.ok).length;
    await waitUntil(() => emulator.stats.logins.filter((l) => l.ok).length > okLogins, SLOW_LOGIN_MS + 5_000, 'the slow login is answered');
    await sleep(300);
    expect((await rawSdk(page)).userId).toBeUndefined();
    expect((await recorded(page, 'alice')).state).toBe('initialized');
  });

  it('the provider bounds the login by itself (loginTimeoutMs) when the app calls authenticate() directly', async () => {
    const page = await newPage();
    emulator.faults.slowLoginMs = SLOW_LOGIN_MS;
    await createClient(page, 'alice', sendbirdConfig(emulator, { loginTimeoutMs: 800 }));
    const started = Date.now();
    const error = await login(page, 'alice', 'alice', aliceToken);
    expect(error?.code).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(SLOW_LOGIN_MS - 1_000);
    const okLogins = emulator.stats.logins.filter((l) => l.ok).length;
    await waitUntil(() => emulator.stats.logins.filter((l) => l.ok).length > okLogins, SLOW_LOGIN_MS + 5_000, 'the slow login is answered');
    await sleep(300);
    expect((await rawSdk(page)).userId).toBeUndefined();
    // And the client can still log in normally afterwards.
    emulator.faults.slowLoginMs = 0;
    expect(await login(page, 'alice', 'alice', aliceToken)).toBeUndefined();
    expect(await run(page, 'alice', 'connect')).toBeUndefined();
    await run(page, 'alice', 'disconnect');
  });

  it('refreshToken re-authenticates the same user; a refused token is AUTH_REJECTED and leaves the session up', async () => {
    const page = await newPage();
    const socketUrls: string[] = [];
    page.on('websocket', (ws) => socketUrls.push(ws.url()));
    await createClient(page, 'alice', sendbirdConfig(emulator));
    await login(page, 'alice', 'alice', aliceToken);
    await run(page, 'alice', 'connect');
    const fresh = emulator.issueToken('alice');
    expect(await run(page, 'alice', 'refreshToken', fresh)).toBeUndefined();
    expect(emulator.stats.logins.at(-1)).toEqual({ userId: 'alice', ok: true });
    const refused = await run(page, 'alice', 'refreshToken', 'not-a-token-at-all');
    expect(refused?.code).toBe('AUTH_REJECTED');
    const other = await run(page, 'alice', 'refreshToken', { type: 'accessToken', userId: 'bob', accessToken: SENDBIRD_USERS.bob });
    expect(other?.code).toBe('INVALID_ARGUMENT');
    const seen = await recorded(page, 'alice');
    expect(seen.state).toBe('connected');
    expect(seen.events).toContain('tokenRefreshed');
    const sessionToken = new URL(socketUrls[0]!).searchParams.get('sbcall_session_token')!;
    expect(sessionToken.length).toBeGreaterThan(8);
    const text = await everythingSeen(page, 'alice');
    for (const secret of [aliceToken, fresh, 'not-a-token-at-all', sessionToken]) expect(text).not.toContain(secret);
    await run(page, 'alice', 'disconnect');
  });

  it('DTMF and anonymous sessions are honestly absent from the capabilities', async () => {
    const page = await newPage();
    await createClient(page, 'alice', sendbirdConfig(emulator));
    const caps = await page.evaluate(() => (window as any).__clients.alice.client.capabilities);
    expect(caps).toMatchObject({ dtmf: false, receiveDtmf: false, anonymous: false });
    await login(page, 'alice', 'alice', aliceToken);
    const connected = await page.evaluate(() => (window as any).__clients.alice.client.capabilities);
    expect(connected).toEqual({ incomingCalls: true, mute: true, hold: true, remoteHold: true, dtmf: false, receiveDtmf: false, tokenRefresh: true, anonymous: false, multipleCalls: true, transfer: false, inputSelection: true, quality: true, mediaReconnect: false, preparedMicrophone: false, agentTranscript: false, agentText: false, agentTools: false, outputSelection: true });
  });

  it('socket dropped by the server → reconnecting, then connected again when the SDK is back', async () => {
    const page = await newPage();
    await createClient(page, 'alice', sendbirdConfig(emulator));
    await login(page, 'alice', 'alice', aliceToken);
    await run(page, 'alice', 'connect');
    emulator.dropSockets();
    await waitForState(page, 'alice', 'reconnecting', 3_000);
    await waitForState(page, 'alice', 'connected', 8_000);
    const seen = await recorded(page, 'alice');
    // The session (the registration) went with the socket: the same trace as on every vendor.
    expect(seen.trace.slice(-4)).toEqual(['client stateChanged connected>reconnecting', 'client unregistered', 'client registered', 'client stateChanged reconnecting>connected']);
    expect(emulator.stats.openSockets()).toBeGreaterThanOrEqual(1);
    await run(page, 'alice', 'disconnect');
  });

  it('a socket that stays away past reconnect.deadlineMs → disconnected with NETWORK_UNREACHABLE, and the SDK stops knocking', async () => {
    const page = await newPage();
    // Tries not the limit here: the core's deadline must end it.
    await createClient(page, 'alice', sendbirdConfig(emulator, { reconnect: { deadlineMs: 2_500, attempts: 100 } }));
    await login(page, 'alice', 'alice', aliceToken);
    await run(page, 'alice', 'connect');
    emulator.faults.refuseSockets = true;
    emulator.dropSockets();
    await waitForState(page, 'alice', 'reconnecting', 3_000);
    await waitForState(page, 'alice', 'disconnected', 6_000);
    const seen = await recorded(page, 'alice');
    expect(seen.errors.map((e) => e.code)).toEqual(['NETWORK_UNREACHABLE']);
    emulator.faults.refuseSockets = false;
    const refused = emulator.stats.refusedSockets;
    const accepted = emulator.stats.connections;
    await sleep(7_000);
    expect(emulator.stats.refusedSockets).toBe(refused);
    expect(emulator.stats.connections).toBe(accepted);
  });
});
