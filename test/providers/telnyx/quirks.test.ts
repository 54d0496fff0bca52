// Pins every reach of the telnyx provider into @telnyx/webrtc internals (src/providers/telnyx/quirks.ts)
// to the SDK it was read from: the installed version must be the checked one, and each internal must
// still exist and behave on a REAL SDK client (Node, lab/telnyx/node-shims.mjs, against the emulator).
// The call-level internals (peer.instance, options read at answer) need a browser call: here they are
// checked in the shipped bundle's text, and live by every telnyx audio test (getStats through them).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelnyxEmulator, TELNYX_USERS } from '../../../lab/telnyx/index.mjs';
import { installTelnyxNodeShims } from '../../../lab/telnyx/node-shims.mjs';
import {
  SDK_VERSION,
  SOCKET_ACTIVITY_EVENT,
  dropSocket,
  forgetSdkCalls,
  neverConnectAgain,
  observeLogins,
  sdkLoggerOf,
  sendPing,
  socketOf,
  type QuirkyClient,
} from '../../../src/providers/telnyx/quirks.js';

type Emulator = Awaited<ReturnType<typeof startTelnyxEmulator>>;
type TelnyxModule = typeof import('@telnyx/webrtc');

const sdkRoot = dirname(createRequire(import.meta.url).resolve('@telnyx/webrtc/package.json'));
const bundle = readFileSync(join(sdkRoot, 'lib/bundle.mjs'), 'utf8');

let emulator: Emulator;
let restoreGlobals: () => void;
let sdk: TelnyxModule;
const clients: QuirkyClient[] = [];

beforeAll(async () => {
  restoreGlobals = installTelnyxNodeShims();
  emulator = await startTelnyxEmulator();
  sdk = await import('@telnyx/webrtc');
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.disconnect().catch(() => {})));
  await emulator?.stop();
  restoreGlobals?.();
});

function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (condition()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 20);
    };
    tick();
  });
}

/** A raw SDK client logged in as alice, with the login observer installed before it connects. */
async function readyClient() {
  const client = new sdk.TelnyxRTC({ host: emulator.url, login: 'alice', password: TELNYX_USERS.alice, iceServers: [] } as never) as QuirkyClient;
  clients.push(client);
  const logins = { accepted: 0, refused: 0 };
  observeLogins(client, { accepted: () => void logins.accepted++, refused: () => void logins.refused++ });
  let ready = 0;
  client.on('telnyx.ready', () => void ready++);
  await client.connect();
  await until(() => ready === 1, 'telnyx.ready');
  return { client, logins, ready: () => ready };
}

describe('telnyx quirks', () => {
  it(`the installed @telnyx/webrtc is ${SDK_VERSION}, the version every quirk was checked against`, () => {
    const installed = JSON.parse(readFileSync(join(sdkRoot, 'package.json'), 'utf8')).version;
    expect(installed, 'the SDK changed: re-read each quirk in quirks.ts against it, then update SDK_VERSION').toBe(SDK_VERSION);
  });

  it('the module-wide logger (prototype __logger) has the loglevel members logs.ts replaces', () => {
    const logger = sdkLoggerOf(sdk);
    expect(typeof logger.methodFactory).toBe('function');
    expect(typeof logger.getLevel).toBe('function');
    expect(typeof logger.setLevel).toBe('function');
  });

  it('the automatic login goes through the instance login (observed), the socket and ping internals work, socketActivity fires', async () => {
    const { client, logins } = await readyClient();
    expect(logins).toEqual({ accepted: 1, refused: 0 });
    expect(client.sessionid).toEqual(expect.any(String));

    let activity = 0;
    client.on(SOCKET_ACTIVITY_EVENT, () => void activity++);
    const socket = socketOf(client)!;
    expect(socket).toEqual({ open: true, opening: false, generation: expect.any(Number) });
    const pingsBefore = emulator.frames.filter((f) => (f.msg as { method?: string })?.method === 'telnyx_rtc.ping' && f.dir === 'in').length;
    await expect(sendPing(client)).resolves.toMatchObject({ method: 'telnyx_rtc.ping' });
    expect(emulator.frames.filter((f) => (f.msg as { method?: string })?.method === 'telnyx_rtc.ping' && f.dir === 'in').length).toBe(pingsBefore + 1);
    expect(activity).toBeGreaterThan(0);

    // socketDisconnect closes the socket and the SDK's own reconnection opens a new one and logs in.
    const connections = emulator.stats.connections;
    dropSocket(client);
    await until(() => socketOf(client)?.open === true && socketOf(client)!.generation > socket.generation && logins.accepted === 2, 'a new socket, logged in again', 10_000);
    expect(emulator.stats.connections).toBe(connections + 1);
  });

  it('the SDK keeps its calls in client.calls; connect() is an instance-replaceable method', async () => {
    const { client } = await readyClient();
    expect((client as unknown as { calls: unknown }).calls).toEqual({});
    forgetSdkCalls(client);
    expect((client as unknown as { calls: unknown }).calls).toEqual({});

    await client.disconnect();
    const generation = socketOf(client)!.generation;
    neverConnectAgain(client);
    // The SDK's connect() opens its socket synchronously: none may have been opened.
    await client.connect();
    expect(socketOf(client)).toMatchObject({ open: false, opening: false, generation });
  });

  it('the bundle still stores voice_sdk_id under the key the ping reads, builds peer.instance, and answers with call.options', () => {
    expect(bundle).toContain('"telnyx-voice-sdk-id"');
    expect(bundle).toMatch(/this\.instance=\(\w+=this\._config\(\),new window\.RTCPeerConnection/);
    expect(bundle).toMatch(/this\.peer=new \w+\(\w+\.Answer,this\.options,/);
    expect(bundle).toContain('"telnyx.internal.socketActivity"');
  });
});
