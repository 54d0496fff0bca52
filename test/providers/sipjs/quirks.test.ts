// Pins every reach of the sipjs provider into sip.js internals (src/providers/sipjs/quirks.ts) to
// the sip.js it was checked against: the installed version must be the checked one, and each
// internal must still be where the quirk looks, on real sip.js objects against a real Kamailio.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registerer, RegistererState, UserAgent } from 'sip.js';
import { CHECKED_SIPJS_VERSION, dropReplayedAuthorization, dropWebSocket, registerPending, setAuthorizationPassword } from '../../../src/providers/sipjs/quirks.js';
import { DOMAIN, TEST_USERS, startKamailio } from '../../../lab/kamailio/index.mjs';

type Kamailio = Awaited<ReturnType<typeof startKamailio>>;
let kamailio: Kamailio;
const stops: Array<() => Promise<void>> = [];

beforeAll(async () => {
  kamailio = await startKamailio();
});
afterAll(async () => {
  await Promise.all(stops.map((stop) => stop().catch(() => {})));
  await kamailio?.stop();
});

async function registered(user: keyof typeof TEST_USERS) {
  const ua = new UserAgent({
    uri: UserAgent.makeURI(`sip:${user}@${DOMAIN}`),
    transportOptions: { server: kamailio.wsUrl },
    authorizationUsername: user,
    authorizationPassword: TEST_USERS[user],
    logBuiltinEnabled: false,
  });
  stops.push(() => ua.stop());
  await ua.start();
  const registerer = new Registerer(ua, { expires: 60 });
  const done = new Promise<void>((resolve) => registerer.stateChange.addListener((state) => state === RegistererState.Registered && resolve()));
  await registerer.register();
  await done;
  return { ua, registerer };
}

describe('sip.js internals the sipjs provider relies on', () => {
  it('the installed sip.js is the version the quirks were checked against', () => {
    const installed = JSON.parse(readFileSync(new URL('../../../node_modules/sip.js/package.json', import.meta.url), 'utf8')) as { version: string };
    expect(installed.version).toBe(CHECKED_SIPJS_VERSION);
  });

  it('Registerer keeps `waiting` and replays its Authorization header from `request.headers`; the password lives in `configuration`', async () => {
    const { ua, registerer } = await registered('alice');
    expect(typeof (registerer as unknown as { waiting?: unknown }).waiting).toBe('boolean');
    expect(registerPending(registerer)).toBe(false);
    const headers = (registerer as unknown as { request: { headers: Record<string, unknown> } }).request.headers;
    // Kamailio challenged the first REGISTER: the digest answer is cached where the quirk drops it.
    expect(Object.keys(headers)).toContain('Authorization');
    dropReplayedAuthorization(registerer);
    expect(Object.keys(headers)).not.toContain('Authorization');
    expect(ua.configuration.authorizationPassword).toBe(TEST_USERS.alice);
    setAuthorizationPassword(ua, 'changed');
    expect(ua.configuration.authorizationPassword).toBe('changed');
  });

  it('the Web transport keeps its socket in `_ws` and reports a close through `onWebSocketClose`: dropWebSocket disconnects at once', async () => {
    const { ua } = await registered('bob');
    const transport = ua.transport as unknown as { _ws?: unknown; onWebSocketClose?: unknown };
    expect(transport._ws).toBeTruthy();
    expect(typeof transport.onWebSocketClose).toBe('function');
    const disconnected = new Promise<Error | undefined>((resolve) => (ua.delegate = { onDisconnect: resolve }));
    dropWebSocket(ua);
    expect(ua.isConnected()).toBe(false);
    // sip.js hears it as an abnormal close: its delegate gets an error, so a reconnection follows.
    expect(await disconnected).toBeInstanceOf(Error);
  });
});
