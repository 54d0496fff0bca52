// A Telnyx session over time: token expiry warning and refresh on the open socket (with a call
// keeping its audio), the SDK's own reconnection after a dropped socket, and an anonymous client
// calling an AI-assistant target.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../../lab/browser/index.mjs';
import { startTelnyxEmulator, TELNYX_USERS } from '../../../lab/telnyx/index.mjs';
import { installHarness, tx, until, type TelnyxPage } from './harness.js';

let emulator: any;
let lab: { newPage(): Promise<TelnyxPage>; close(): Promise<void> };
/** Pages of the running test, closed after it whatever happened: a leftover client would reconnect on dropSockets. */
const open: TelnyxPage[] = [];
const newPage = async () => {
  const page = await lab.newPage();
  open.push(page);
  return page;
};

beforeAll(async () => {
  emulator = await startTelnyxEmulator();
  lab = await launchBrowser();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((page) => page.context().close().catch(() => {})));
});
afterAll(async () => {
  await lab?.close();
  await emulator?.stop();
});

const config = (token: string) => ({ provider: 'telnyx', server: emulator.url, iceServers: [], credentials: { type: 'jwt', token } });
const types = (events: Array<{ type: string }>) => events.map((e) => e.type);

/** A page running the raw SDK as `login`, answering every call: the far end polyphone talks to. */
async function rawAnsweringPeer(login: keyof typeof TELNYX_USERS): Promise<TelnyxPage> {
  const page = await newPage();
  await page.evaluate(
    async ({ host, login, password }) => {
      const { TelnyxRTC } = (await (window as any).rawVendors.telnyx()) as any;
      const client = new TelnyxRTC({ host, login, password, iceServers: [], debug: false });
      (window as any).__peer = { client, answered: 0 };
      client.on('telnyx.notification', (n: any) => {
        if (n.type === 'callUpdate' && n.call.direction === 'inbound' && n.call.state === 'ringing') {
          (window as any).__peer.answered += 1;
          n.call.answer();
        }
      });
      await new Promise<void>((resolve, reject) => {
        client.on('telnyx.ready', () => resolve());
        client.on('telnyx.error', (e: any) => reject(new Error(String(e?.error?.code))));
        client.connect();
      });
    },
    { host: emulator.url, login, password: TELNYX_USERS[login] },
  );
  return page;
}

describe('telnyx session', () => {
  it('a JWT expiring in ~2 minutes → tokenWillExpire; refreshToken re-logs in on the same socket and the call keeps its audio', async () => {
    const [pa, peer] = await Promise.all([newPage(), rawAnsweringPeer('bob')]);
    await installHarness(pa);
    const alice = tx(pa);
    const token = emulator.issueJwt('alice', { expiresInSec: 125 });
    await alice.create('alice', config(token));
    expect(await alice.connect('alice')).toMatchObject({ ok: true });
    const connectionsAfterLogin = emulator.stats.connections;

    expect(await alice.call('alice', 'a1', 'bob')).toMatchObject({ ok: true });
    await until(() => alice.callState('a1').then((s) => s === 'active'), 'the call to be answered');
    await pa.waitForAudio({ minPackets: 30 });

    // The SDK warns 120 s before exp, so ~5 s after login here.
    const warned = await until(async () => (await alice.record('alice')).events.find((e) => e.type === 'tokenWillExpire'), 'tokenWillExpire', 15_000);
    const exp = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).exp as number;
    expect(warned.e.expiresAt).toBe(exp * 1000);

    const fresh = emulator.issueJwt('alice', { expiresInSec: 3600 });
    const loginsBefore = emulator.stats.logins.length;
    const result = await alice.refresh('alice', fresh);
    expect(result).toMatchObject({ ok: true });
    const record = await alice.record('alice');
    expect(types(record.events)).toContain('tokenRefreshed');
    // One more login, on the socket already open.
    expect(emulator.stats.logins.length).toBe(loginsBefore + 1);
    expect(emulator.stats.logins.at(-1)).toMatchObject({ login: 'alice', via: 'jwt', connection: emulator.stats.logins[loginsBefore - 1].connection });
    expect(emulator.stats.connections).toBe(connectionsAfterLogin);
    expect(await alice.state('alice')).toBe('connected');
    expect(record.trace.filter((l) => l.startsWith('client stateChanged')).at(-1)).toBe('client stateChanged connecting>connected');

    await pa.waitForAudio({ since: await pa.inboundAudio(), minPackets: 30 });
    expect(await alice.callState('a1')).toBe('active');
    expect(await alice.op('a1', 'hangup')).toMatchObject({ ok: true });
    await alice.disconnect('alice');
    expect(JSON.stringify(await alice.record('alice')) + pa.consoleLines.join('\n')).not.toContain(fresh);
  });

  it('a refused refresh on the open socket falls back to disconnect + connect, and an invalid token ends the session', async () => {
    const pa = await newPage();
    await installHarness(pa);
    const alice = tx(pa);
    await alice.create('alice', config(emulator.issueJwt('alice')));
    expect(await alice.connect('alice')).toMatchObject({ ok: true });
    const forged = emulator.issueJwt('alice').replace(/\.[^.]+$/, '.Zm9yZ2Vk');
    const result = await alice.refresh('alice', forged);
    expect(result).toMatchObject({ ok: false, error: { code: 'AUTH_REJECTED' } });
    expect(await alice.state('alice')).toBe('disconnected');
    const trace = (await alice.record('alice')).trace;
    expect(trace.slice(-4)).toEqual([
      'client stateChanged connected>reconnecting',
      // The registration goes with the connection, on every vendor (issue 16).
      'client unregistered',
      'client error code=AUTH_REJECTED',
      'client stateChanged reconnecting>disconnected',
    ]);
  });

  it('socket dropped mid-session → reconnecting → connected through the SDK, nothing duplicated', async () => {
    const pa = await newPage();
    await installHarness(pa);
    const alice = tx(pa);
    await alice.create('alice', config(emulator.issueJwt('alice')));
    expect(await alice.connect('alice')).toMatchObject({ ok: true });
    const connections = emulator.stats.connections;
    emulator.dropSockets();
    await until(() => alice.state('alice').then((s) => s === 'reconnecting'), 'reconnecting', 5_000);
    await until(() => alice.state('alice').then((s) => s === 'connected'), 'connected again', 10_000);
    expect(emulator.stats.connections).toBe(connections + 1);
    // A settled session stays settled: nothing more in the next moments.
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await alice.record('alice')).trace).toEqual([
      'client stateChanged idle>initialized',
      'client stateChanged initialized>authenticated',
      'client stateChanged authenticated>connecting',
      'client registered',
      'client stateChanged connecting>connected',
      'client stateChanged connected>reconnecting',
      // The session went with the socket and came back with the new login (the one reconnection trace).
      'client unregistered',
      'client registered',
      'client stateChanged reconnecting>connected',
    ]);
    await alice.disconnect('alice');
  });

  it('an anonymous client calls the AI-assistant target: conversation_id reaches the server, audio flows, no incoming calls', async () => {
    const [pc, assistant] = await Promise.all([newPage(), rawAnsweringPeer('assistant')]);
    await installHarness(pc);
    const visitor = tx(pc);
    await visitor.create('visitor', {
      provider: 'telnyx',
      server: emulator.url,
      iceServers: [],
      credentials: { type: 'anonymous', targetType: 'ai_assistant', targetId: 'assistant_abc123', targetParams: { conversation_id: 'conv-2024-x' } },
    });
    expect(await visitor.connect('visitor')).toMatchObject({ ok: true });
    expect((await visitor.capabilities('visitor')).incomingCalls).toBe(false);
    expect(await visitor.call('visitor', 'v1', 'assistant_abc123')).toMatchObject({ ok: true });
    await until(() => visitor.callState('v1').then((s) => s === 'active'), 'the assistant to answer');
    expect(emulator.stats.calls.at(-1)).toMatchObject({ from: 'anonymous', to: 'assistant', target_id: 'assistant_abc123', conversation_id: 'conv-2024-x' });
    await pc.waitForAudio({ minPackets: 30 });
    await assistant.waitForAudio({ minPackets: 30 });
    expect(await visitor.op('v1', 'hangup')).toMatchObject({ ok: true });
    await visitor.disconnect('visitor');
  });

  it('a call when the socket drops: the server keeps no session, so the call ends failed (48501) and the client reconnects', async () => {
    const [pa, peer] = await Promise.all([newPage(), rawAnsweringPeer('bob')]);
    await installHarness(pa);
    const alice = tx(pa);
    await alice.create('alice', config(emulator.issueJwt('alice')));
    expect(await alice.connect('alice')).toMatchObject({ ok: true });
    expect(await alice.call('alice', 'a1', 'bob')).toMatchObject({ ok: true });
    await until(() => alice.callState('a1').then((s) => s === 'active'), 'the call to be answered');
    void peer;
    emulator.dropSockets();
    const end = await until(async () => (await alice.callEvents('a1')).find((e) => e.type === 'ended'), 'the call to end', 10_000);
    expect(end.e).toMatchObject({ reason: 'failed', error: { code: 'CALL_FAILED', cause: { code: 48501 } } });
    await until(() => alice.state('alice').then((s) => s === 'connected'), 'connected again', 10_000);
    const trace = (await alice.record('alice')).trace;
    expect(trace.filter((l) => l === 'client stateChanged connected>reconnecting')).toHaveLength(1);
    expect(trace.filter((l) => l === 'client stateChanged reconnecting>connected')).toHaveLength(1);
    expect(trace.filter((l) => l.startsWith('call#1 ended'))).toEqual(['call#1 ended code=CALL_FAILED reason=failed']);
  });

  it('the server gone for good → the SDK gives up (45003) and the client ends disconnected with NETWORK_UNREACHABLE', async () => {
    const own = await startTelnyxEmulator();
    try {
      const pa = await newPage();
      await installHarness(pa);
      const alice = tx(pa);
      await alice.create('alice', { provider: 'telnyx', server: own.url, iceServers: [], reconnectAttempts: 1, credentials: { type: 'jwt', token: own.issueJwt('alice') } });
      expect(await alice.connect('alice')).toMatchObject({ ok: true });
      await own.stop();
      await until(() => alice.state('alice').then((s) => s === 'disconnected'), 'disconnected', 15_000);
      const record = await alice.record('alice');
      expect(record.events.find((e) => e.type === 'error')?.e.error).toMatchObject({ code: 'NETWORK_UNREACHABLE', cause: { code: 45003 } });
      expect(record.trace.slice(-4)).toEqual([
        'client stateChanged connected>reconnecting',
        // The registration goes with the connection, on every vendor (issue 16).
        'client unregistered',
        'client error code=NETWORK_UNREACHABLE',
        'client stateChanged reconnecting>disconnected',
      ]);
    } finally {
      await own.stop();
    }
  });
});
