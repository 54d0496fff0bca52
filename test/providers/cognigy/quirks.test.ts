// Pins every reach of the cognigy provider into JsSIP internals (src/providers/cognigy/quirks.ts)
// and the JsSIP API it uses untyped (UA.sendOptions, keep-alive.ts) to the JsSIP it was checked
// against: the installed version must be the checked one, and each internal must still be where
// the quirk looks, on real JsSIP objects against a real Kamailio.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import JsSIP from 'jssip';
import type { UA } from 'jssip/lib/UA.js';
import RTCSession from 'jssip/lib/RTCSession.js';
import { CHECKED_JSSIP_VERSION, closeLingeringSocket, dropWebSocket, forgetRegistered } from '../../../src/providers/cognigy/quirks.js';
import { jssipOptionsPing } from '../../../src/providers/cognigy/keep-alive.js';
import { COGNIGY_REALM, startKamailio } from '../../../lab/kamailio/index.mjs';
import { cognigyUsers } from '../../../lab/cognigy/index.mjs';

type Kamailio = Awaited<ReturnType<typeof startKamailio>>;
let kamailio: Kamailio;
const uas: UA[] = [];

beforeAll(async () => {
  kamailio = await startKamailio({ users: cognigyUsers(1) });
});
afterAll(async () => {
  for (const ua of uas) ua.stop();
  await kamailio?.stop();
});

function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
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

async function registered(user: string) {
  const [digestUser, password] = Object.entries(kamailio.users)[0]!;
  const socket = new JsSIP.WebSocketInterface(kamailio.wsUrl);
  const ua = new JsSIP.UA({ sockets: [socket], uri: `sip:${user}@${COGNIGY_REALM}`, authorization_user: digestUser, password, register: true, session_timers: false });
  uas.push(ua);
  let isRegistered = false;
  ua.on('registered', () => (isRegistered = true));
  ua.start();
  await waitFor(() => isRegistered, 'registered');
  return { ua, socket };
}

describe('JsSIP internals the cognigy provider relies on', () => {
  it('the installed JsSIP is the version the quirks were checked against', () => {
    const installed = JSON.parse(readFileSync(new URL('../../../node_modules/jssip/package.json', import.meta.url), 'utf8')) as { version: string };
    expect(installed.version).toBe(CHECKED_JSSIP_VERSION);
  });

  it("a Replaces accept() ends the replaced session from one 'confirmed' listener of the new one, added before the init callback (endReplacedWhenConfirmed swaps it)", () => {
    const source = String((RTCSession as unknown as { prototype: { _receiveReplaces: () => void } }).prototype._receiveReplaces);
    const listener = source.indexOf("session.on('confirmed'");
    expect(listener).toBeGreaterThan(-1);
    expect(source.indexOf("session.on('", listener + 1)).toBe(-1);
    expect(source.indexOf('init_incoming(request, initCallback)')).toBeGreaterThan(listener);
  });

  it('UA.sendOptions sends an OPTIONS the server answers (the keep-alive ping)', async () => {
    const { ua } = await registered('quirk-options');
    expect(typeof (ua as unknown as { sendOptions?: unknown }).sendOptions).toBe('function');
    let answered = false;
    expect(jssipOptionsPing(ua, `sip:${COGNIGY_REALM}`)(() => (answered = true))).toBe(true);
    await waitFor(() => answered, 'the OPTIONS answer');
  });

  it('the registrator keeps `_registered`: forgetRegistered makes the next 200 emit `registered` again', async () => {
    const { ua } = await registered('quirk-registered');
    expect((ua.registrator() as unknown as { _registered?: unknown })._registered).toBe(true);
    let again = false;
    ua.on('registered', () => (again = true));
    forgetRegistered(ua);
    ua.register();
    await waitFor(() => again, 'registered after a re-REGISTER');
  });

  it('WebSocketInterface keeps its socket in `_ws` and JsSIP hands it `ondisconnect`: dropWebSocket disconnects at once, and JsSIP reconnects', async () => {
    const { ua, socket } = await registered('quirk-drop');
    const internals = socket as unknown as { _ws?: unknown; ondisconnect?: unknown };
    expect(internals._ws).toBeTruthy();
    expect(typeof internals.ondisconnect).toBe('function');
    let disconnected = 0;
    let connected = 0;
    ua.on('disconnected', () => disconnected++);
    ua.on('connected', () => connected++);
    dropWebSocket(socket);
    expect(disconnected).toBe(1);
    expect(ua.isConnected()).toBe(false);
    expect(internals._ws).toBeNull();
    // JsSIP's own recovery takes over (its first wait is at most a few seconds here).
    await waitFor(() => connected === 1 && ua.isConnected(), 'JsSIP reconnecting by itself', 10_000);
  });

  it('UA keeps `_closeTimer` and `_transport` after stop(): closeLingeringSocket closes the socket at once', async () => {
    const { ua } = await registered('quirk-close');
    const internals = ua as unknown as { _closeTimer?: unknown; _transport?: { disconnect?: unknown } };
    expect(internals._closeTimer).toBeNull();
    expect(typeof internals._transport?.disconnect).toBe('function');
    ua.stop();
    // The un-REGISTER is a live transaction: JsSIP set its 2 s close timer.
    expect(internals._closeTimer).not.toBeNull();
    closeLingeringSocket(ua);
    expect(internals._closeTimer).toBeNull();
    expect(ua.isConnected()).toBe(false);
  });
});
