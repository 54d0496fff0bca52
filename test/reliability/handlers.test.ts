// The app's handlers, as a careless app writes them (issue 15, items 6 and 10): one that throws,
// async ones that reject, a logger that rejects, and handlers that call back into the client
// (disconnect() from `connected`/`registered`, a new call() from `ended`). SIP.js on a real
// Kamailio; registration is proven from the server's side (a registered user's INVITE gets the
// client's 486, an unregistered one 404).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createVoiceClient, VoiceError, type Call, type VoiceClient } from '../../src/all.js';
import { DOMAIN, TEST_USERS, startKamailio } from '../../lab/kamailio/index.mjs';
import { probeInvite } from './sip-probe.js';

type Kamailio = Awaited<ReturnType<typeof startKamailio>>;
type Entry = { level: string; message: string };

let kamailio: Kamailio;
const clients: VoiceClient[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  kamailio = await startKamailio();
  process.on('unhandledRejection', onUnhandled);
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect().catch(() => {})));
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await kamailio?.stop();
});

async function client(user: keyof typeof TEST_USERS, logger?: (entry: Entry) => unknown) {
  const logs: Entry[] = [];
  const made = await createVoiceClient({
    provider: 'sipjs',
    server: kamailio.wsUrl,
    uri: `sip:${user}@${DOMAIN}`,
    credentials: { type: 'password', password: TEST_USERS[user] },
    logger: logger ?? ((entry) => void logs.push(entry)),
  });
  clients.push(made);
  return { client: made, logs };
}

/** Declines every incoming call (Node cannot answer), so probeInvite sees 486 where a binding exists. */
function declineCalls(c: VoiceClient): void {
  c.on('incomingCall', ({ call }) => void call.reject({ status: 486 }).catch(() => {}));
}

const status = async (user: string) => (await probeInvite(kamailio.wsUrl, user, DOMAIN)).finalStatus;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const failures = (logs: Entry[]) => logs.filter((e) => e.level === 'error' && e.message.includes('handler failed'));

describe('a handler that throws or rejects', () => {
  it('never stops the later handlers of that event, and the logger hears of it', async () => {
    const { client: alice, logs } = await client('alice');
    const seen: string[] = [];
    alice.on('stateChanged', () => {
      throw new Error('app bug in the first handler');
    });
    alice.on('stateChanged', ({ to }) => void seen.push(to));
    alice.on('registered', async () => {
      throw new Error('async app bug');
    });
    alice.on('registered', () => void seen.push('registered'));
    await alice.connect();
    await sleep(50);
    expect(seen).toEqual(['initialized', 'authenticated', 'connecting', 'registered', 'connected']);
    expect(failures(logs).length).toBeGreaterThanOrEqual(5);
    expect(failures(logs)[0]!.message).toContain('app bug in the first handler');
    expect(unhandled).toEqual([]);
  });

  it("a call's `ended` reaches every listener although the first throws", async () => {
    const { client: bob } = await client('bob');
    const ended: string[] = [];
    bob.on('incomingCall', ({ call }) => {
      call.on('ended', () => {
        throw new Error('first ended listener throws');
      });
      call.on('ended', ({ reason }) => void ended.push(reason));
      void call.reject({ status: 486 }).catch(() => {});
    });
    await bob.connect();
    expect(await status('bob')).toBe(486);
    expect(ended).toEqual(['busy']);
    expect(unhandled).toEqual([]);
  });

  it('the README idiom (an async tokenWillExpire/registered handler awaiting a failing refreshToken) leaves no unhandled rejection', async () => {
    const { client: carol, logs } = await client('carol');
    carol.on('registered', async () => {
      // Refused: a sipjs refresh needs a password; the rejection goes nowhere but the handler's promise.
      await carol.refreshToken({ type: 'jwt', token: 'not-a-password' });
    });
    await carol.connect();
    await sleep(200);
    expect(unhandled).toEqual([]);
    expect(failures(logs).map((e) => e.message).join()).toContain('VoiceError');
  });

  it('a logger that rejects (async) or throws leaves no unhandled rejection and breaks nothing', async () => {
    const rejecting = await client('dave', async () => {
      throw new Error('log sink down');
    });
    await rejecting.client.connect();
    expect(rejecting.client.state).toBe('connected');
    await sleep(100);
    expect(unhandled).toEqual([]);
  });
});

describe('handlers that call back into the client', () => {
  it('disconnect() from a `stateChanged → connected` handler leaves the client disconnected and unregistered', async () => {
    const { client: alice } = await client('alice');
    declineCalls(alice);
    let disconnecting: Promise<void> | undefined;
    alice.on('stateChanged', ({ to }) => {
      if (to === 'connected' && !disconnecting) disconnecting = alice.disconnect();
    });
    await alice.connect();
    await disconnecting;
    expect(alice.state).toBe('disconnected');
    expect(await status('alice')).toBe(404);
  });

  it('disconnect() from a `registered` handler leaves the client disconnected and unregistered', async () => {
    const { client: bob } = await client('bob');
    declineCalls(bob);
    let disconnecting: Promise<void> | undefined;
    bob.on('registered', () => {
      disconnecting ??= bob.disconnect();
    });
    await bob.connect().catch((error: unknown) => expect((error as VoiceError).code).toBe('ABORTED'));
    await disconnecting;
    expect(bob.state).toBe('disconnected');
    expect(await status('bob')).toBe(404);
  });

  it('disconnect(); disconnect(); connect() ends connected with the binding the state says', async () => {
    const { client: carol } = await client('carol');
    declineCalls(carol);
    await carol.connect();
    const outcomes = await Promise.allSettled([carol.disconnect(), carol.disconnect(), carol.connect()]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(carol.state).toBe('connected');
    expect(await status('carol')).toBe(486);
    await carol.disconnect();
    expect(carol.state).toBe('disconnected');
    expect(await status('carol')).toBe(404);
  });

  it('a new call() from the previous call’s `ended` handler is accepted (it fails only for want of WebRTC in Node)', async () => {
    const { client: dave } = await client('dave');
    const redials: Array<Promise<Call>> = [];
    dave.on('incomingCall', ({ call }) => {
      call.on('ended', () => void redials.push(dave.call(`sip:alice@${DOMAIN}`)));
      void call.reject({ status: 486 }).catch(() => {});
    });
    await dave.connect();
    expect(await status('dave')).toBe(486);
    expect(redials).toHaveLength(1);
    const error = await redials[0]!.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(VoiceError);
    expect((error as VoiceError).code).toBe('WEBRTC_UNSUPPORTED');
  });
});
