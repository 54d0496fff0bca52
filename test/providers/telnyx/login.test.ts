// The Telnyx provider logging in with the real @telnyx/webrtc SDK in headless Chromium, against the
// project's Verto emulator (lab/telnyx): the three login kinds, each failure's code, and no secret
// anywhere the app can see.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { launchBrowser } from '../../../lab/browser/index.mjs';
import { startTelnyxEmulator, TELNYX_USERS } from '../../../lab/telnyx/index.mjs';
import { installHarness, tx, until, type TelnyxPage } from './harness.js';
import { GOLDEN_CONNECT_DISCONNECT } from '../../support/golden.js';

let emulator: any;
let lab: { newPage(): Promise<TelnyxPage>; close(): Promise<void> };
let page: TelnyxPage;
let t: ReturnType<typeof tx>;
let seq = 0;

beforeAll(async () => {
  emulator = await startTelnyxEmulator();
  lab = await launchBrowser();
  page = await lab.newPage();
  await installHarness(page);
  t = tx(page);
});
afterAll(async () => {
  await lab?.close();
  await emulator?.stop();
});
beforeEach(() => {
  Object.assign(emulator.faults, { rejectLogin: false, neverReply: false, malformedReply: false, slowReplyMs: 0, gatewayFailed: false });
});

const name = () => `c${++seq}`;
const base = () => ({ provider: 'telnyx', server: emulator.url, iceServers: [] });

/** Everything of one client the app can see, as text: for secret scans. */
async function visible(client: string, extra: unknown[] = []): Promise<string> {
  const record = await t.record(client);
  return JSON.stringify([record, extra]) + page.consoleLines.join('\n');
}

describe('telnyx login', () => {
  it('a JWT logs in: registered, connected; disconnect closes the socket', async () => {
    const c = name();
    const token = emulator.issueJwt('alice');
    await t.create(c, { ...base(), credentials: { type: 'jwt', token } });
    const result = await t.connect(c);
    expect(result).toMatchObject({ ok: true });
    expect(await t.state(c)).toBe('connected');
    expect(emulator.stats.logins.at(-1)).toMatchObject({ method: 'login', login: 'alice', via: 'jwt' });
    expect((await t.capabilities(c)).incomingCalls).toBe(true);
    await t.disconnect(c);
    expect((await t.record(c)).trace).toEqual(GOLDEN_CONNECT_DISCONNECT);
    await until(async () => emulator.openSockets() === 0, 'the socket to close');
    expect(await visible(c)).not.toContain(token);
  });

  it('a password logs in: registered, connected, and the password appears nowhere', async () => {
    const c = name();
    await t.create(c, { ...base(), credentials: { type: 'password', login: 'bob', password: TELNYX_USERS.bob } });
    expect(await t.connect(c)).toMatchObject({ ok: true });
    expect(emulator.stats.logins.at(-1)).toMatchObject({ login: 'bob', via: 'password' });
    expect((await t.record(c)).events.map((e) => e.type)).toContain('registered');
    await t.disconnect(c);
    expect(await visible(c)).not.toContain(TELNYX_USERS.bob);
  });

  it('an anonymous session logs in with its target; it takes no calls', async () => {
    const c = name();
    const credentials = { type: 'anonymous', targetType: 'ai_assistant', targetId: 'assistant-42', targetParams: { conversation_id: 'conv-7' } };
    await t.create(c, { ...base(), credentials });
    expect(await t.connect(c)).toMatchObject({ ok: true });
    expect(await t.state(c)).toBe('connected');
    expect(emulator.stats.logins.at(-1)).toMatchObject({ method: 'anonymous_login', target_id: 'assistant-42', target_params: { conversation_id: 'conv-7' } });
    // The gateway says REGED for the anonymous session too; it has no identity, so nobody can call it.
    expect((await t.record(c)).events.map((e) => e.type)).toContain('registered');
    expect((await t.capabilities(c)).incomingCalls).toBe(false);
    await t.disconnect(c);
  });

  it('a wrong password → AUTH_REJECTED with the SDK code 46001, the password nowhere', async () => {
    const c = name();
    const secret = 'wrong-pw-Tx77q';
    await t.create(c, { ...base(), credentials: { type: 'password', login: 'alice', password: secret } });
    const result = await t.connect(c);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('AUTH_REJECTED');
    expect(result.error.details).toMatchObject({ sdkCode: 46001 });
    expect(await t.state(c)).toBe('disconnected');
    expect(await visible(c, [result])).not.toContain(secret);
    await until(async () => emulator.openSockets() === 0, 'the refused socket to close');
  });

  it('an expired JWT → TOKEN_EXPIRED, the token nowhere', async () => {
    const c = name();
    const token = emulator.issueJwt('alice', { expiresInSec: -60 });
    await t.create(c, { ...base(), credentials: { type: 'jwt', token } });
    const result = await t.connect(c);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('TOKEN_EXPIRED');
    expect(emulator.stats.rejectedLogins.at(-1)).toMatchObject({ reason: 'token_expired' });
    expect(await visible(c, [result])).not.toContain(token);
  });

  it('a forged JWT → AUTH_REJECTED', async () => {
    const c = name();
    const token = emulator.issueJwt('alice').replace(/\.[^.]+$/, '.c2lnbmF0dXJl');
    await t.create(c, { ...base(), credentials: { type: 'jwt', token } });
    const result = await t.connect(c);
    expect(result).toMatchObject({ ok: false, error: { code: 'AUTH_REJECTED' } });
  });

  it('emulator down → NETWORK_UNREACHABLE at once, and no reconnect loop afterwards', async () => {
    const c = name();
    const down = await startTelnyxEmulator();
    const url = down.url;
    await down.stop();
    await t.create(c, { provider: 'telnyx', server: url, iceServers: [], credentials: { type: 'password', login: 'alice', password: 'x-pw-1234' } });
    const result = await t.connect(c);
    expect(result).toMatchObject({ ok: false, error: { code: 'NETWORK_UNREACHABLE' } });
    expect(result.ms).toBeLessThan(3_000);
    // A server that comes up on that port afterwards must see nobody: the SDK's retry timer is gone.
    const revived = new WebSocketServer({ host: '127.0.0.1', port: down.port });
    let knocks = 0;
    revived.on('connection', () => (knocks += 1));
    try {
      await new Promise((r) => setTimeout(r, 3_000));
      expect(knocks).toBe(0);
    } finally {
      await new Promise((r) => revived.close(() => r(undefined)));
    }
  });

  it('emulator silent → TIMEOUT within the bound, then nothing keeps the socket', async () => {
    emulator.faults.neverReply = true;
    const c = name();
    const before = emulator.stats.connections;
    await t.create(c, { ...base(), timeouts: { connectMs: 1_500 }, credentials: { type: 'jwt', token: emulator.issueJwt('alice') } });
    const result = await t.connect(c);
    expect(result).toMatchObject({ ok: false, error: { code: 'TIMEOUT' } });
    expect(result.ms).toBeGreaterThanOrEqual(1_400);
    expect(result.ms).toBeLessThan(3_000);
    await until(async () => emulator.openSockets() === 0, 'the silent socket to close');
    // No SDK reconnect loop: no new socket in the next seconds.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(emulator.stats.connections).toBe(before + 1);
  });

  it.each(['text', 'no-members'] as const)('a malformed login reply (%s) → PROTOCOL_ERROR', async (mode) => {
    emulator.faults.malformedReply = mode;
    const c = name();
    await t.create(c, { ...base(), timeouts: { connectMs: 5_000 }, credentials: { type: 'jwt', token: emulator.issueJwt('alice') } });
    const result = await t.connect(c);
    expect(result).toMatchObject({ ok: false, error: { code: 'PROTOCOL_ERROR' } });
    expect(result.ms).toBeLessThan(3_000);
  });

  it('gateway FAILED → NETWORK_UNREACHABLE with the SDK code 45004', async () => {
    emulator.faults.gatewayFailed = true;
    const c = name();
    await t.create(c, { ...base(), credentials: { type: 'jwt', token: emulator.issueJwt('alice') } });
    const result = await t.connect(c);
    expect(result).toMatchObject({ ok: false, error: { code: 'NETWORK_UNREACHABLE', cause: { code: 45004 } } });
  });

  it('the SDK writes nothing to the console, and nothing threw in the page', async () => {
    expect(page.consoleLines.filter((line) => /telnyx|SDK version|Connected to/i.test(line))).toEqual([]);
    expect(page.pageErrors).toEqual([]);
  });
});
