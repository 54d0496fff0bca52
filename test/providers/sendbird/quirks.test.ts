// Pins every reach of the sendbird provider into sendbird-calls internals (src/providers/sendbird/quirks.ts)
// to the SDK it was checked against: the installed version must be that one, and each internal is
// looked for on the real SDK, run in Node (lab/sendbird/node-shims.mjs) against lab/sendbird, with
// bob as a raw WebSocket client of the emulator. Media needs a browser; the calls tests prove it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket as NodeWebSocket } from 'ws';
import { SENDBIRD_USERS, startSendbirdEmulator } from '../../../lab/sendbird/index.mjs';
import { installSendbirdNodeShims } from '../../../lab/sendbird/node-shims.mjs';
import { CHECKED_SDK_VERSION, asOnlyCall, peerConnectionOf, watchSdkSockets } from '../../../src/providers/sendbird/quirks.js';

type Emulator = Awaited<ReturnType<typeof startSendbirdEmulator>>;
type Sdk = typeof import('sendbird-calls');

const require = createRequire(import.meta.url);
const installedSdkVersion = (JSON.parse(readFileSync(require.resolve('sendbird-calls/package.json'), 'utf8')) as { version: string }).version;

let emulator: Emulator;
let sdk: Sdk;
let restoreGlobals: () => void;
let stopWatching: () => void;
const seen = { created: [] as string[], opened: [] as unknown[], closed: [] as Array<{ socket: unknown; byClient: boolean }> };
const urls: Array<{ url: string; socket: unknown }> = [];

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

beforeAll(async () => {
  restoreGlobals = installSendbirdNodeShims();
  emulator = await startSendbirdEmulator();
  stopWatching = watchSdkSockets({
    wsHost: emulator.wsHost,
    created: (token) => void seen.created.push(token),
    opened: (socket) => void seen.opened.push(socket),
    closed: (socket, byClient) => void seen.closed.push({ socket, byClient }),
  });
  // Outside the watch: every socket URL the SDK builds, and what it got back.
  const watched = globalThis.WebSocket;
  globalThis.WebSocket = new Proxy(watched, {
    construct(target, args: [string | URL, (string | string[])?], newTarget) {
      const socket = Reflect.construct(target, args, newTarget) as unknown;
      urls.push({ url: String(args[0]), socket });
      return socket as object;
    },
  });
  const imported = (await import('sendbird-calls')) as unknown as { default?: Sdk };
  sdk = imported.default ?? (imported as unknown as Sdk);
  sdk.setLoggerLevel(sdk.LoggerLevel.NONE);
  sdk.init(emulator.appId, emulator.apiHost, emulator.wsHost);
});

afterAll(async () => {
  try {
    sdk?.deauthenticate();
  } catch {
    /* never initialised */
  }
  stopWatching?.();
  await emulator?.stop();
  restoreGlobals?.();
});

describe('sendbird-calls internals the provider relies on', () => {
  it('the installed sendbird-calls is the version the quirks were checked against', () => {
    expect(installedSdkVersion).toBe(CHECKED_SDK_VERSION);
  });

  it('1. the SDK builds its signalling socket with the global WebSocket at wsHost/?sbcall_session_token=…', async () => {
    await sdk.authenticate({ userId: 'alice', accessToken: SENDBIRD_USERS.alice as string });
    await sdk.connectWebSocket();
    await waitFor(() => seen.opened.length === 1, 5_000, 'the watch sees the socket open');
    expect(seen.created).toHaveLength(1);
    expect(seen.created[0]).toMatch(/^[^&]{8,}$/);
    expect(seen.created[0]).not.toBe('null');
    expect(urls.filter((u) => u.url.startsWith(`${emulator.wsHost}/?sbcall_session_token=`))).toHaveLength(1);
  });

  it('3, 4 and 5. an accepted DirectCall holds its RTCPeerConnection at _pc._rtcConnection, writes its remote stream to remoteMediaView.srcObject, and sits in _ctx.callManager._calls even once ended', async () => {
    const login = await fetch(`${emulator.apiHost}/v1/users/bob/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ app_id: emulator.appId, user_id: 'bob', access_token: SENDBIRD_USERS.bob }),
    });
    const { sbcall_session_token: token } = (await login.json()) as { sbcall_session_token: string };
    const bob = new NodeWebSocket(`${emulator.wsHost}/?sbcall_session_token=${token}&sbcall_client_id=quirks-bob`);
    const pushes: Array<{ type?: string; payload?: { call_id?: string } }> = [];
    bob.on('message', (data) => pushes.push(JSON.parse(data.toString())));
    await new Promise((resolve, reject) => {
      bob.once('open', resolve);
      bob.once('error', reject);
    });
    try {
      const written: unknown[] = [];
      const remoteMediaView = {
        set srcObject(value: unknown) {
          written.push(value);
        },
        get srcObject(): unknown {
          return written.at(-1) ?? null;
        },
      } as unknown as HTMLMediaElement;
      const call = await new Promise<import('sendbird-calls').DirectCall>((resolve, reject) => {
        const dialed = sdk.dial({ userId: 'bob', isVideoCall: false, callOption: { audioEnabled: true, videoEnabled: false, remoteMediaView } }, (_c, error) =>
          error ? reject(error) : resolve(dialed),
        );
      });
      expect(peerConnectionOf(call)).toBeUndefined();
      await waitFor(() => pushes.some((p) => p.type === 'dial'), 5_000, 'bob is offered the call');
      const callId = pushes.find((p) => p.type === 'dial')!.payload!.call_id;
      bob.send(`${JSON.stringify({ version: 1, request_id: 'quirks-accept', cmd: 'CALL', type: 'accept', payload: { call_id: callId, constraints: { audio: true, video: false }, capabilities: ['turn_changed'] } })}\n`);
      await waitFor(() => peerConnectionOf(call) !== undefined, 5_000, 'the SDK builds the call\'s RTCPeerConnection');
      expect(peerConnectionOf(call)).toBeInstanceOf(globalThis.RTCPeerConnection);
      await waitFor(() => written.length > 0, 5_000, 'the SDK writes remoteMediaView.srcObject');
      // 5. Every call of the SDK sits in one map of its call manager, and stays there once ended
      // (which is why dial/accept with holdActiveCall would call hold() on it).
      const callMap = (call as unknown as { _ctx?: { callManager?: { _calls?: unknown } } })._ctx?.callManager?._calls;
      expect(callMap).toBeInstanceOf(Map);
      expect((callMap as Map<string, unknown>).get(call.callId)).toBe(call);
      call.end();
      await waitFor(() => call.isEnded, 5_000, 'the call ends');
      expect((callMap as Map<string, unknown>).get(call.callId)).toBe(call);
      expect(asOnlyCall(call, undefined, () => [...(callMap as Map<string, unknown>).keys()])).toEqual([]);
      expect((callMap as Map<string, unknown>).get(call.callId)).toBe(call);
    } finally {
      bob.close();
    }
  });

  it('1. deauthenticate() closes the SDK\'s socket through its close() (the watch tells that from a server close)', async () => {
    const socket = seen.opened.at(-1);
    sdk.deauthenticate();
    await waitFor(() => seen.closed.some((c) => c.socket === socket), 5_000, 'the socket closes');
    expect(seen.closed.find((c) => c.socket === socket)?.byClient).toBe(true);
    await sdk.authenticate({ userId: 'alice', accessToken: SENDBIRD_USERS.alice as string });
    await sdk.connectWebSocket();
  });

  it('2. after deauthenticate, the SDK\'s retry loops build sbcall_session_token=null sockets, answered with the inert socket', async () => {
    // A failed reconnection is what starts the SDK's endless retry loop.
    emulator.faults.refuseSockets = true;
    emulator.dropSockets();
    await waitFor(() => emulator.stats.refusedSockets > 0, 10_000, 'the SDK tries to reconnect and is refused');
    const socketsBefore = seen.opened.length;
    sdk.deauthenticate();
    emulator.faults.refuseSockets = false;
    const refusedBefore = emulator.stats.refusedSockets;
    await waitFor(() => urls.some((u) => /\/\?sbcall_session_token=null&sbcall_client_id=/.test(u.url)), 20_000, 'a session-less retry');
    const orphan = urls.find((u) => /\/\?sbcall_session_token=null&sbcall_client_id=/.test(u.url))!;
    // The inert socket, not a real one: it never reaches the server.
    expect(orphan.socket).not.toBeInstanceOf(NodeWebSocket);
    expect(emulator.stats.refusedSockets).toBe(refusedBefore);
    expect(seen.opened.length).toBe(socketsBefore);
  });
});
