// Every public VoiceClient method, in every client state (`reconnecting` too, through a proxy
// that cuts the server off), twice at once and again after disconnect, with the SIP.js provider
// on a real Kamailio (Node: calls end WEBRTC_UNSUPPORTED). Each call either works or rejects with
// a VoiceError; none rejects with a raw error; nothing is left unhandled; and once every client is
// disconnected, no timer or socket is left open. Then every Call method on a LIVE call, in
// Chromium, twice at once, and again once it ended.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createVoiceClient, VoiceError, type ClientState, type VoiceClient } from '../../src/all.js';
import { DOMAIN, TEST_USERS, loadUsers, startKamailio } from '../../lab/kamailio/index.mjs';
import { launchBrowser } from '../../lab/browser/index.mjs';
import { PageClient, closePage, endedLines } from '../support/browser-clients.js';
import { newScript, scriptedProvider } from '../core/scripted-provider.js';

type Kamailio = Awaited<ReturnType<typeof startKamailio>>;

const METHODS = ['init', 'authenticate', 'connect', 'disconnect', 'call', 'connectAndCall', 'hangup', 'refreshToken', 'prepare', 'release'] as const;
type Method = (typeof METHODS)[number];
const STATES = ['idle', 'initialized', 'authenticated', 'connecting', 'connected', 'reconnecting', 'disconnected'] as const;
type State = (typeof STATES)[number];

/** 'ok', or the VoiceError code, or 'RAW:<name>' for anything that is not a VoiceError. */
type Outcome = string;

const TARGET = `sip:bob@${DOMAIN}`;
const SETTLE_MS = 5_000;

let kamailio: Kamailio;
/** In front of Kamailio: cut() drops every connection and refuses new ones, until restore(). */
let proxy: { url: string; cut(): void; restore(): void; close(): Promise<void> };
const users = loadUsers(STATES.length * METHODS.length + 12);
const userNames = Object.keys(users);
let nextUser = 0;
const clients: VoiceClient[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
let baseline: Map<string, number>;

function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of process.getActiveResourcesInfo()) counts.set(name, (counts.get(name) ?? 0) + 1);
  return counts;
}

/** Resource types whose count is above the baseline, e.g. { TCPSocketWrap: 2 }. */
function excessOverBaseline(): Record<string, number> {
  const excess: Record<string, number> = {};
  for (const [name, count] of activeResources()) {
    const extra = count - (baseline.get(name) ?? 0);
    if (extra > 0) excess[name] = extra;
  }
  return excess;
}

/**
 * Waits (bounded) for sockets and timers of stopped clients to close; returns what is left. The
 * runner itself holds a timer for ~100 ms after each test step, hence waiting rather than sampling.
 */
async function settledExcess(): Promise<Record<string, number>> {
  const deadline = Date.now() + SETTLE_MS;
  while (Object.keys(excessOverBaseline()).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return excessOverBaseline();
}

/** A TCP proxy to Kamailio's WebSocket port: the one way to make a live session lose its server. */
async function startProxy(target: string): Promise<typeof proxy> {
  const { port: targetPort } = new URL(target);
  const open = new Set<net.Socket>();
  let refusing = false;
  const server = net.createServer((inbound) => {
    if (refusing) return inbound.destroy();
    const outbound = net.connect(Number(targetPort), '127.0.0.1');
    for (const socket of [inbound, outbound]) {
      open.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        open.delete(socket);
        inbound.destroy();
        outbound.destroy();
      });
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `ws://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    cut() {
      refusing = true;
      for (const socket of open) socket.destroy();
    },
    restore() {
      refusing = false;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function newClient(): Promise<{ client: VoiceClient; password: string }> {
  const user = userNames[nextUser++]!;
  const password = users[user]!;
  const client = await createVoiceClient({
    provider: 'sipjs',
    server: proxy.url,
    uri: `sip:${user}@${DOMAIN}`,
    credentials: { type: 'password', password },
  });
  clients.push(client);
  return { client, password };
}

function invoke(client: VoiceClient, method: Method, password: string): Promise<unknown> {
  switch (method) {
    case 'init':
      return client.init();
    case 'authenticate':
      return client.authenticate();
    case 'connect':
      return client.connect();
    case 'disconnect':
      return client.disconnect();
    case 'call':
      return client.call(TARGET, { iceServers: [] });
    case 'connectAndCall':
      return client.connectAndCall(TARGET, { iceServers: [] });
    case 'hangup':
      return client.hangup();
    case 'refreshToken':
      return client.refreshToken({ type: 'password', password });
    case 'prepare':
      return client.prepare();
    case 'release':
      return Promise.resolve(client.release());
  }
}

/** Starts the method synchronously (so the state it sees is the one set up), then settles it. */
async function outcomeOf(start: () => Promise<unknown>): Promise<Outcome> {
  let promise: Promise<unknown>;
  try {
    promise = start();
  } catch (error) {
    return `SYNC-THROW:${(error as Error)?.name}`;
  }
  return promise.then(
    () => 'ok',
    (error: unknown) => (error instanceof VoiceError ? error.code : `RAW:${(error as Error)?.name}:${(error as Error)?.message}`),
  );
}

/** Brings a fresh client into `state`; for 'connecting', returns the connect() still under way. */
async function clientIn(state: State): Promise<{ client: VoiceClient; password: string; pending: Promise<Outcome> | undefined }> {
  const { client, password } = await newClient();
  let pending: Promise<Outcome> | undefined;
  if (state === 'initialized') await client.init();
  if (state === 'authenticated' || state === 'connecting') await client.authenticate();
  // From `authenticated`, connect() enters `connecting` before its first await.
  if (state === 'connecting') pending = outcomeOf(() => client.connect());
  if (state === 'connected' || state === 'disconnected' || state === 'reconnecting') await client.connect();
  if (state === 'disconnected') await client.disconnect();
  if (state === 'reconnecting') {
    proxy.cut();
    const deadline = Date.now() + 5_000;
    while (client.state !== 'reconnecting' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(client.state).toBe(state satisfies ClientState);
  return { client, password, pending };
}

/**
 * What each method may end in, by the state it was called in. The second of two concurrent calls
 * may also see the state the first one left (e.g. the first connect() made it `connecting`).
 */
function allowed(method: Method, state: State, second: boolean): string[] {
  const always = ['ok', 'INVALID_STATE'];
  if (state === 'reconnecting') return whileReconnecting(method, second);
  switch (method) {
    case 'init':
    case 'hangup':
    case 'disconnect':
      return ['ok'];
    case 'authenticate':
      if (state === 'connecting' || state === 'connected') return ['INVALID_STATE'];
      return ['ok'];
    case 'connect':
      if (state === 'connecting' || state === 'connected') return ['INVALID_STATE'];
      return second ? always : ['ok'];
    case 'call':
      if (state !== 'connected') return ['INVALID_STATE'];
      return second ? ['WEBRTC_UNSUPPORTED', 'INVALID_STATE'] : ['WEBRTC_UNSUPPORTED'];
    case 'connectAndCall':
      if (state === 'connecting') return ['INVALID_STATE'];
      return second ? ['WEBRTC_UNSUPPORTED', 'INVALID_STATE'] : ['WEBRTC_UNSUPPORTED'];
    case 'refreshToken':
      if (state !== 'connected') return ['INVALID_STATE'];
      return second ? always : ['ok'];
    // Connects (or joins the connect() under way), then cannot open a microphone in Node.
    case 'prepare':
      return second ? ['WEBRTC_UNSUPPORTED', 'INVALID_STATE'] : ['WEBRTC_UNSUPPORTED'];
    case 'release':
      return ['ok'];
  }
}

/**
 * While the session is lost: what needs the server is refused as the state says (INVALID_STATE)
 * or waits for it and is refused as the network says; what ends things works.
 */
function whileReconnecting(method: Method, second: boolean): string[] {
  switch (method) {
    case 'init':
    case 'hangup':
    case 'disconnect':
    case 'release':
      return ['ok'];
    // The session restores itself; the microphone is what fails (Node).
    case 'prepare':
      return ['WEBRTC_UNSUPPORTED'];
    case 'authenticate':
    case 'connect':
    case 'call':
    case 'connectAndCall':
      return ['INVALID_STATE'];
    case 'refreshToken':
      // A refresh while reconnecting is kept for the new session, or refused while none is up.
      return second ? ['ok', 'INVALID_STATE', 'NETWORK_UNREACHABLE', 'TIMEOUT'] : ['ok', 'NETWORK_UNREACHABLE', 'TIMEOUT'];
  }
}

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  kamailio = await startKamailio({ users: { ...TEST_USERS, ...users } });
  proxy = await startProxy(kamailio.wsUrl);
  // Warm up what stays loaded for the rest of the process (sip.js, ws, the provider module) so
  // the baseline holds only what the test harness itself keeps open.
  const { client } = await newClient();
  await client.connect();
  await client.disconnect();
  await new Promise((resolve) => setTimeout(resolve, 200));
  baseline = activeResources();
});

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await Promise.all(clients.map((c) => c.disconnect().catch(() => {})));
  await proxy?.close();
  await kamailio?.stop();
});

describe('misuse: every method in every state, twice at once, then after disconnect', () => {
  for (const state of STATES) {
    for (const method of METHODS) {
      it(`${method}() ×2 while ${state}`, async () => {
        const { client, password, pending } = await clientIn(state);
        const [first, second] = await Promise.all([outcomeOf(() => invoke(client, method, password)), outcomeOf(() => invoke(client, method, password))]);
        const setup = pending ? await pending : 'ok';
        await client.disconnect();
        proxy.restore();
        const afterState = client.state as State;
        const after = await outcomeOf(() => invoke(client, method, password));
        await client.disconnect();

        // A disconnect() while connecting cancels that connect: ABORTED is its typed outcome.
        expect(setup).toBe(state === 'connecting' && method === 'disconnect' ? 'ABORTED' : 'ok');
        expect(allowed(method, state, false)).toContain(first);
        expect(allowed(method, state, true)).toContain(second);
        expect(['idle', 'initialized', 'authenticated', 'disconnected']).toContain(afterState);
        expect(allowed(method, afterState, false)).toContain(after);
        expect(client.currentCall).toBeUndefined();
        // Attributes a leak to the scenario that made it.
        expect(await settledExcess()).toEqual({});
      });
    }
  }

  it('disconnect() while connect() is still loading the SDK cancels it: the client does not end up connected', async () => {
    const { client } = await newClient();
    const connecting = outcomeOf(() => client.connect());
    const disconnected = outcomeOf(() => client.disconnect());
    expect(await disconnected).toBe('ok');
    expect(await connecting).toBe('ABORTED');
    expect(client.state).not.toBe('connected');
    // And the client is still usable.
    await client.connect();
    expect(client.state).toBe('connected');
    await client.disconnect();
  });

  it('wrong arguments reject with typed errors, in any state', async () => {
    const { client } = await newClient();
    const bad = async () => [
      await outcomeOf(() => client.call('', {})),
      await outcomeOf(() => client.call(undefined as unknown as string)),
      await outcomeOf(() => client.authenticate(null as never)),
      await outcomeOf(() => client.authenticate({ type: 'password' } as never)),
      await outcomeOf(() => client.refreshToken(42 as never)),
    ];
    for (const outcome of await bad()) expect(outcome).toMatch(/^(INVALID_ARGUMENT|CONFIG_INVALID|INVALID_STATE)$/);
    await client.connect();
    for (const outcome of await bad()) expect(outcome).toMatch(/^(INVALID_ARGUMENT|CONFIG_INVALID|INVALID_STATE|UNSUPPORTED)$/);
    expect(client.state).toBe('connected');
    await client.disconnect();
  });

  it('leaves no timer or socket open and nothing unhandled once every client is disconnected', async () => {
    await Promise.all(clients.map((c) => c.disconnect()));
    expect(await settledExcess()).toEqual({});
    expect(unhandled).toEqual([]);
  });
});

describe('misuse: a capability declared away is refused both ways', () => {
  it('unmute() and unhold() reject UNSUPPORTED where mute and hold are declared away, like mute() and hold()', async () => {
    const script = newScript();
    const client = await createVoiceClient({ provider: scriptedProvider(script, { mute: false, hold: false }) });
    await client.connect();
    const call = await client.call('someone');
    script.lastCallSink!.active();
    expect(call.state).toBe('active');
    const outcomes = [await outcomeOf(() => call.mute()), await outcomeOf(() => call.unmute()), await outcomeOf(() => call.hold()), await outcomeOf(() => call.unhold())];
    expect(outcomes).toEqual(['UNSUPPORTED', 'UNSUPPORTED', 'UNSUPPORTED', 'UNSUPPORTED']);
    // Refused by the core: the provider never saw any of them.
    expect(script.calls).toEqual(['call someone']);
    await client.disconnect();
  });
});

type LabPage = Page & { pageErrors: string[] };

describe('misuse: every Call method on a live call in Chromium, twice at once, then after it ended', () => {
  it('each works or rejects with a VoiceError; the call ends exactly once on each side', async () => {
    const lab = await launchBrowser();
    const pages = (await Promise.all([lab.newPage(), lab.newPage()])) as LabPage[];
    try {
      const [aliceName, bobName] = [userNames[nextUser++]!, userNames[nextUser++]!];
      const sip = (user: string) => ({ provider: 'sipjs', server: kamailio.wsUrl, uri: `sip:${user}@${DOMAIN}`, credentials: { type: 'password', password: users[user] }, iceServers: [] });
      const alice = await PageClient.create(pages[0]!, 'alice', sip(aliceName));
      const bob = await PageClient.create(pages[1]!, 'bob', sip(bobName));
      await alice.connect();
      await bob.connect();
      expect((await alice.call(`sip:${bobName}@${DOMAIN}`, { iceServers: [] })).outcome).toBe('ok');
      await bob.waitForLine('client incomingCall');
      expect((await bob.answer({ iceServers: [] })).outcome).toBe('ok');
      await alice.waitForLine('call#1 active');

      const twice = async (client: PageClient, op: Parameters<PageClient['op']>[0], ...args: unknown[]) => {
        const [first, second] = await Promise.all([client.op(op, ...args), client.op(op, ...args)]);
        return [first.outcome, second.outcome];
      };
      const live: Record<string, string[]> = {
        'answer (outgoing)': await twice(alice, 'answer', { iceServers: [] }),
        'reject (answered)': await twice(bob, 'reject'),
        mute: await twice(alice, 'mute'),
        unmute: await twice(alice, 'unmute'),
        hold: await twice(alice, 'hold'),
        unhold: await twice(alice, 'unhold'),
        'sendDtmf bad': await twice(alice, 'sendDtmf', 'not digits'),
        sendDtmf: await twice(alice, 'sendDtmf', '1'),
        'call (second)': await twice(alice, 'call', `sip:${bobName}@${DOMAIN}`, { iceServers: [] }),
        connect: await twice(alice, 'connect'),
      };
      expect((await alice.state()).call?.state, 'still one live call').toBe('active');
      const ended = { hangup: await twice(alice, 'hangup') };
      await alice.waitForEnd();
      await bob.waitForEnd();
      const after: Record<string, string[]> = {};
      for (const op of ['mute', 'unmute', 'hold', 'unhold', 'answer'] as const) after[op] = await twice(alice, op);
      after.sendDtmf = await twice(alice, 'sendDtmf', '1');
      after.hangup = await twice(alice, 'hangup');

      expect(live).toEqual({
        'answer (outgoing)': ['INVALID_STATE', 'INVALID_STATE'],
        'reject (answered)': ['INVALID_STATE', 'INVALID_STATE'],
        mute: ['ok', 'ok'],
        unmute: ['ok', 'ok'],
        hold: ['ok', 'ok'],
        unhold: ['ok', 'ok'],
        'sendDtmf bad': ['INVALID_ARGUMENT', 'INVALID_ARGUMENT'],
        sendDtmf: ['ok', 'ok'],
        'call (second)': ['INVALID_STATE', 'INVALID_STATE'],
        connect: ['INVALID_STATE', 'INVALID_STATE'],
      });
      expect(ended).toEqual({ hangup: ['ok', 'ok'] });
      expect(after).toEqual({
        mute: ['INVALID_STATE', 'INVALID_STATE'],
        unmute: ['INVALID_STATE', 'INVALID_STATE'],
        hold: ['INVALID_STATE', 'INVALID_STATE'],
        unhold: ['INVALID_STATE', 'INVALID_STATE'],
        answer: ['INVALID_STATE', 'INVALID_STATE'],
        sendDtmf: ['INVALID_STATE', 'INVALID_STATE'],
        hangup: ['ok', 'ok'],
      });
      expect(endedLines(await alice.lines())).toEqual(['call#1 ended reason=hangup']);
      expect(endedLines(await bob.lines())).toEqual(['call#1 ended reason=remoteHangup']);
      expect([...pages[0]!.pageErrors, ...pages[1]!.pageErrors]).toEqual([]);
    } finally {
      for (const page of pages) await closePage(page);
      await lab.close();
    }
  });
});

