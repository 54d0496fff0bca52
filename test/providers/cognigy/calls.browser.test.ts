// Cognigy calls with real media: a Cognigy client (JsSIP, configured by the lab endpoint from a
// page on another origin) calls the lab agent behind the lab gateway (Kamailio) as a Cognigy
// visitor calls its AI agent, and calls and is called by a SIP.js client, all in headless
// Chromium on one real Kamailio. Audio is proven by the receiver's getStats(); the call's
// normalised trace must equal the SIP.js provider's in the same scenario.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { COGNIGY_REALM, startKamailio, TEST_USERS } from '../../../lab/kamailio/index.mjs';
import {
  LAB_APPLICATION_SID,
  LAB_ENDPOINT_ID,
  LAB_ORGANISATION_ID,
  LAB_PROJECT_ID,
  cognigyGateway,
  cognigyUsers,
  startCognigyBackend,
  startLabAgent,
} from '../../../lab/cognigy/index.mjs';
import { launchBrowser } from '../../../lab/browser/index.mjs';
import { PageClient, closePage } from '../../support/browser-clients.js';
import { runBasicCallScenario, type ScenarioStep } from '../../support/basic-call-scenario.js';
import { waitForRisingAudio, waitForSilence, type AudioStats } from '../../support/audio.js';
import { scanForSecrets } from '../../support/secrets.js';
import { onCall } from '../../calls/several-calls-kit.js';

type LabPage = Page & { consoleLines: string[]; pageErrors: string[]; inboundAudio(): Promise<AudioStats & Record<string, number>> };
type Browser = { newPage(): Promise<LabPage>; close(): Promise<void> };
type Kamailio = Awaited<ReturnType<typeof startKamailio>>;
type Backend = Awaited<ReturnType<typeof startCognigyBackend>>;

let kamailio: Kamailio;
let backend: Backend;
let browser: Browser;
let agent: Awaited<ReturnType<typeof startLabAgent>>;
let secrets: string[];
let pages: LabPage[] = [];

beforeAll(async () => {
  const users = cognigyUsers(1);
  const gateway = cognigyGateway();
  secrets = [...Object.values(users), ...Object.values(TEST_USERS as Record<string, string>), ...Object.values(gateway.users)];
  kamailio = await startKamailio({ users: { ...TEST_USERS, ...users, ...gateway.users }, agents: gateway.agents });
  backend = await startCognigyBackend({ kamailio });
  browser = await launchBrowser();
  agent = await startLabAgent({ browser, kamailio });
});

afterAll(async () => {
  await agent?.stop();
  await browser?.close();
  await backend?.stop();
  await kamailio?.stop();
});

// Every test: no uncaught page error, no SIP password in any trace or console line.
afterEach(async () => {
  const opened = pages;
  pages = [];
  const traces: string[] = [];
  for (const page of opened) {
    traces.push(...(await page.evaluate(() => Object.values((window as any).__clients ?? {}).map((e: any) => JSON.stringify(e.client.trace()))).catch(() => [])));
  }
  await Promise.all(opened.map((page) => closePage(page)));
  expect(opened.flatMap((p) => p.pageErrors)).toEqual([]);
  expect(scanForSecrets([traces, opened.map((p) => p.consoleLines)], secrets)).toEqual([]);
});

async function openPage(): Promise<LabPage> {
  const page = await browser.newPage();
  pages.push(page);
  return page;
}

function cognigyConfig(userId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { provider: 'cognigy', server: backend.url('ok'), userId, iceServers: [], ...extra };
}

function sipjsConfig(user: keyof typeof TEST_USERS, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { provider: 'sipjs', server: kamailio.wsUrl, uri: `sip:${user}@${kamailio.domain}`, credentials: { type: 'password', password: TEST_USERS[user] }, iceServers: [], ...extra };
}

type Party = PageClient & { page: LabPage };

/** The whole-call trace every provider is held to (recorded from SIP.js to SIP.js). */
const GOLDEN = JSON.parse(readFileSync(new URL('../../conformance/golden/basic-call.json', import.meta.url), 'utf8')) as { caller: string[]; callee: string[] };

/** Checks what the receiver hears after each step of the basic scenario. */
async function checkAudio(step: ScenarioStep, parties: { caller: PageClient; callee: PageClient }): Promise<void> {
  const caller = parties.caller as Party;
  const callee = parties.callee as Party;
  if (step === 'answer' || step === 'unhold' || step === 'unmute') {
    for (const side of [caller, callee]) {
      const window = await waitForRisingAudio(side.page);
      expect(window.packets, `${side.name} receives packets after ${step}`).toBeGreaterThan(0);
      expect(window.energy, `${side.name} receives sound after ${step}`).toBeGreaterThan(0);
    }
  } else if (step === 'mute') {
    // Bounded: the callee's decoder fades out what was already buffered, then hears nothing.
    await waitForSilence(callee.page);
  } else if (step === 'hold') {
    await Promise.all([waitForSilence(caller.page), waitForSilence(callee.page)]);
  }
}

async function scenario(caller: { name: string; config: Record<string, unknown> }, callee: { name: string; config: Record<string, unknown> }, target: string) {
  const callerPage = await openPage();
  const calleePage = await openPage();
  return runBasicCallScenario({
    caller: { page: callerPage, ...caller },
    callee: { page: calleePage, ...callee },
    target,
    callOptions: { iceServers: [] },
    answerOptions: { iceServers: [] },
    afterStep: (step, outcome, parties) => (outcome === 'ok' ? checkAudio(step, parties) : Promise.resolve()),
  });
}

describe('Cognigy calls with real media (Chromium + Kamailio + lab backend)', () => {
  it('Cognigy calls SIP.js: audio both ways, mute, hold, DTMF, hangup; trace equals the SIP.js provider\'s', async () => {
    // DTMF by SIP INFO: browsers do not surface received RFC 4733 events as digits.
    const cognigy = await scenario({ name: 'visitor', config: cognigyConfig('visitor-out', { dtmfTransport: 'info' }) }, { name: 'bob', config: sipjsConfig('bob') }, `sip:bob@${kamailio.domain}`);
    const golden = await scenario(
      { name: 'alice', config: sipjsConfig('alice', { dtmfTransport: 'info' }) },
      { name: 'bob', config: sipjsConfig('bob') },
      `sip:bob@${kamailio.domain}`,
    );
    expect(cognigy.caller).toEqual(golden.caller);
    expect(cognigy.callee).toEqual(golden.callee);
    expect(cognigy.caller).toEqual(GOLDEN.caller);
    expect(cognigy.callee).toEqual(GOLDEN.callee);
    expect(cognigy.caller).toContain('call#1 ended reason=hangup');
    expect(cognigy.callee).toContain('call#1 ended reason=remoteHangup');
    // The page is on another origin than the endpoint: CORS let it read the config.
    const fetched = backend.requests.at(-1)!;
    expect(fetched.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(fetched.search).toBe('');
  });

  it('SIP.js calls back into the Cognigy client: same trace as SIP.js to SIP.js', async () => {
    // The visitor registered its own AOR: its userId at the Cognigy realm.
    const cognigy = await scenario(
      { name: 'bob', config: sipjsConfig('bob', { dtmfTransport: 'info' }) },
      { name: 'visitor', config: cognigyConfig('visitor-in') },
      `sip:visitor-in@${COGNIGY_REALM}`,
    );
    const golden = await scenario(
      { name: 'bob', config: sipjsConfig('bob', { dtmfTransport: 'info' }) },
      { name: 'carol', config: sipjsConfig('carol') },
      `sip:carol@${kamailio.domain}`,
    );
    expect(cognigy.caller).toEqual(golden.caller);
    expect(cognigy.callee).toEqual(golden.callee);
    expect(cognigy.callee).toEqual(GOLDEN.callee);
    // Two whole call scenarios in one test: a loaded machine took 71–100 s for them.
  }, 180_000);

  it('refreshToken() during a call fetches a fresh config and re-REGISTERs; the call and its audio go on', async () => {
    const visitor = (await PageClient.create(await openPage(), 'visitor', cognigyConfig('visitor-refresh'))) as Party;
    const bob = (await PageClient.create(await openPage(), 'bob', sipjsConfig('bob'))) as Party;
    await visitor.connect();
    await bob.connect();
    expect((await visitor.call(`sip:bob@${kamailio.domain}`, { iceServers: [] })).outcome).toBe('ok');
    await bob.waitForLine('client incomingCall');
    expect((await bob.answer({ iceServers: [] })).outcome).toBe('ok');
    await visitor.waitForLine('call#1 active');
    await waitForRisingAudio(bob.page);

    const before = backend.requests.length;
    const from = await visitor.traceLength();
    await visitor.page.evaluate(() => (window as any).__clients.visitor.client.refreshToken());
    expect(backend.requests.length).toBe(before + 1);
    expect((await visitor.lines()).slice(from)).toEqual(['client tokenRefreshed']);
    for (const side of [visitor, bob]) {
      const window = await waitForRisingAudio(side.page);
      expect(window.energy).toBeGreaterThan(0);
    }
    expect((await visitor.state()).call?.state).toBe('active');
    // Still registered after the refresh: bob can reach the visitor once the first call is over.
    expect((await bob.hangup()).outcome).toBe('ok');
    expect((await visitor.waitForEnd()).reason).toBe('remoteHangup');
    const user = 'visitor-refresh';
    const bobFrom = await bob.traceLength();
    const visitorFrom = await visitor.traceLength();
    expect((await bob.call(`sip:${user}@${COGNIGY_REALM}`, { iceServers: [] })).outcome).toBe('ok');
    await visitor.waitForLine('client incomingCall', { from: visitorFrom });
    expect((await visitor.reject(486)).outcome).toBe('ok');
    expect((await bob.waitForEnd({ from: bobFrom })).reason).toBe('busy');
  });

  it('a call to a user who is not registered ends failed with CALL_FAILED (404)', async () => {
    const visitor = await PageClient.create(await openPage(), 'visitor', cognigyConfig('visitor-404'));
    await visitor.connect();
    expect((await visitor.call(`sip:dave@${kamailio.domain}`)).outcome).toBe('ok');
    expect(await visitor.waitForEnd()).toMatchObject({ reason: 'failed', code: 'CALL_FAILED' });
  });

  it('SIP.js rejects with 603 → the Cognigy caller ends rejected; SIP.js cancels → Cognigy callee ends canceled', async () => {
    const visitor = await PageClient.create(await openPage(), 'visitor', cognigyConfig('visitor-reject'));
    const bob = await PageClient.create(await openPage(), 'bob', sipjsConfig('bob'));
    await visitor.connect();
    await bob.connect();
    expect((await visitor.call(`sip:bob@${kamailio.domain}`)).outcome).toBe('ok');
    await bob.waitForLine('client incomingCall');
    expect((await bob.reject(603)).outcome).toBe('ok');
    expect(await visitor.waitForEnd()).toMatchObject({ reason: 'rejected', code: undefined });

    const bobFrom = await bob.traceLength();
    const visitorFrom = await visitor.traceLength();
    expect((await bob.call(`sip:visitor-reject@${COGNIGY_REALM}`)).outcome).toBe('ok');
    await visitor.waitForLine('client incomingCall', { from: visitorFrom });
    await bob.waitForLine('call#2 ringing', { from: bobFrom });
    expect((await bob.hangup()).outcome).toBe('ok');
    expect((await visitor.waitForEnd({ from: visitorFrom })).reason).toBe('canceled');
  });
});

describe('Cognigy visitor and agent (the lab gateway plays Cognigy Voice Gateway)', () => {
  /** The INVITE's header values by name, case-insensitively, as the agent received them. */
  const header = (invite: { headers: Record<string, string[]> }, name: string) =>
    Object.entries(invite.headers).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];

  it('call() without a target reaches app-<applicationSid>@<realm> with the X- headers; audio both ways; DTMF as INFO dtmf-relay; hangup carries the Reason; one ended each side', async () => {
    const before = await agent.record();
    const visitor = (await PageClient.create(await openPage(), 'visitor', cognigyConfig('visitor-agent'))) as Party;
    await visitor.connect();
    expect((await visitor.op('call', undefined, { iceServers: [] })).outcome).toBe('ok');
    await visitor.waitForLine('call#1 active');
    await agent.waitFor(`agent.invites.length > ${before.invites.length}`);
    const invite = (await agent.record()).invites.at(-1)!;
    expect(invite.requestUri).toBe(`sip:app-${LAB_APPLICATION_SID}@${COGNIGY_REALM}`);
    expect(invite.from).toBe(`sip:visitor-agent@${COGNIGY_REALM}`);
    expect(header(invite, 'X-Source')).toEqual(['webrtc']);
    expect(header(invite, 'X-Organisation-Id')).toEqual([LAB_ORGANISATION_ID]);
    expect(header(invite, 'X-Project-Id')).toEqual([LAB_PROJECT_ID]);
    expect(header(invite, 'X-Endpoint-Id')).toBeUndefined();
    // Audio both ways, each proven by its receiver.
    for (const page of [visitor.page, agent.page]) {
      const window = await waitForRisingAudio(page);
      expect(window.packets).toBeGreaterThan(0);
      expect(window.energy).toBeGreaterThan(0);
    }
    // DTMF by default as SIP INFO, application/dtmf-relay (what Voice Gateway expects).
    expect((await visitor.sendDtmf('19#')).outcome).toBe('ok');
    await agent.waitFor(`agent.dtmf.length >= ${before.dtmf.length + 3}`);
    expect((await agent.record()).dtmf.slice(before.dtmf.length)).toEqual(['1', '9', '#'].map((tone) => ({ tone, contentType: 'application/dtmf-relay' })));
    // An INFO from the gateway (a transcript) is taken in without harm to the call.
    await agent.sendInfo(JSON.stringify({ _transcription: { originator: 'bot', messages: [{ text: 'Hello from the lab agent' }] } }));
    expect((await visitor.hangup()).outcome).toBe('ok');
    expect((await visitor.waitForEnd()).reason).toBe('hangup');
    await agent.waitFor(`agent.ends.length > ${before.ends.length}`);
    const after = await agent.record();
    expect(after.ends.slice(before.ends.length)).toEqual([{ originator: 'remote', cause: 'Terminated', reason: 'SIP ;cause=480; text="Ended by user"', method: 'BYE' }]);
    expect(after.active).toBe(0);
    expect((await visitor.lines()).filter((line) => / ended /.test(line))).toEqual(['call#1 ended reason=hangup']);
  });

  it('a runtime endpoint: no REGISTER, and call() reaches the agent by the endpoint id with X-Endpoint-Id; audio both ways', async () => {
    const before = await agent.record();
    const visitor = (await PageClient.create(await openPage(), 'runtime', { ...cognigyConfig('runtime-visitor'), server: backend.url('runtime') })) as Party;
    await visitor.connect();
    expect(await visitor.lines()).not.toContain('client registered');
    expect(kamailio.logs()).not.toContain('runtime-visitor');
    expect((await visitor.op('call', undefined, { iceServers: [] })).outcome).toBe('ok');
    await visitor.waitForLine('call#1 active');
    await agent.waitFor(`agent.invites.length > ${before.invites.length}`);
    const invite = (await agent.record()).invites.at(-1)!;
    expect(invite.requestUri).toBe(`sip:${LAB_ENDPOINT_ID}@127.0.0.1`);
    expect(invite.from).toBe('sip:runtime-visitor@127.0.0.1');
    expect(header(invite, 'X-Endpoint-Id')).toEqual([LAB_ENDPOINT_ID]);
    expect(header(invite, 'X-Source')).toEqual(['webrtc']);
    expect(header(invite, 'X-Organisation-Id')).toEqual([LAB_ORGANISATION_ID]);
    for (const page of [visitor.page, agent.page]) expect((await waitForRisingAudio(page)).energy).toBeGreaterThan(0);
    // The agent hangs up this time: one ended on the visitor's side, remoteHangup.
    await agent.hangup();
    expect((await visitor.waitForEnd()).reason).toBe('remoteHangup');
    expect((await visitor.lines()).filter((line) => / ended /.test(line))).toEqual(['call#1 ended reason=remoteHangup']);
  });

  it('the gateway admits a runtime call only to the endpoint it declares', async () => {
    // A runtime visitor dialling someone else than its endpoint is refused by the gateway (403).
    const visitor = await PageClient.create(await openPage(), 'stray', { ...cognigyConfig('stray-visitor'), server: backend.url('runtime') });
    await visitor.connect();
    expect((await visitor.call(`sip:bob@${kamailio.domain}`, { iceServers: [] })).outcome).toBe('ok');
    expect(await visitor.waitForEnd()).toMatchObject({ reason: 'failed', code: 'CALL_FAILED' });
  });

  it('what the gateway sends besides media: an INFO is taken in; a REFER is followed (the visitor calls the target, the gateway hears it accepted, the old call ends transferred)', async () => {
    const before = await agent.record();
    const visitor = (await PageClient.create(await openPage(), 'visitor', cognigyConfig('visitor-transfer'))) as Party;
    const bob = (await PageClient.create(await openPage(), 'bob', sipjsConfig('bob'))) as Party;
    await visitor.connect();
    await bob.connect();
    expect((await visitor.op('call', undefined, { iceServers: [] })).outcome).toBe('ok');
    await visitor.waitForLine('call#1 active');
    await agent.waitFor(`agent.invites.length > ${before.invites.length}`);
    await agent.sendInfo('{"not json');
    await agent.sendInfo(JSON.stringify({ _transcription: { originator: 'user', messages: [{ text: 'x'.repeat(10_000) }] } }));
    expect((await visitor.state()).call?.state).toBe('active');
    // The gateway hands the visitor to bob (REFER): JsSIP 202s it, the core follows it.
    const heard = agent.refer(`sip:bob@${kamailio.domain}`, 8_000);
    await bob.waitForLine('client incomingCall');
    expect((await bob.answer({ iceServers: [] })).outcome).toBe('ok');
    expect(await heard).toEqual(['requestSucceeded', 'accepted']);
    await visitor.waitForLine('call#2 active');
    await visitor.waitForLine('call#1 ended reason=transferred');
    expect((await visitor.lines()).filter((line) => / referred /.test(line))).toEqual([`call#1 referred target=sip:bob@${kamailio.domain}`]);
    for (const page of [visitor.page, bob.page]) expect((await waitForRisingAudio(page)).energy).toBeGreaterThan(0);
    // The new call is one of client.calls; the harness's own `hangup` knows only the first.
    expect(await onCall(visitor, 2, 'hangup')).toBe('ok');
    await visitor.waitForLine('call#2 ended reason=hangup');
    expect((await visitor.lines()).filter((line) => / ended /.test(line))).toEqual(['call#1 ended reason=transferred', 'call#2 ended reason=hangup']);
  });

  it('an INVITE with Replaces from the gateway takes the live call\'s place, answered at once; the old call ends transferred, audio goes on', async () => {
    const before = await agent.record();
    const visitor = (await PageClient.create(await openPage(), 'visitor', cognigyConfig('visitor-replaced'))) as Party;
    await visitor.connect();
    expect((await visitor.op('call', undefined, { iceServers: [] })).outcome).toBe('ok');
    await visitor.waitForLine('call#1 active');
    await agent.waitFor(`agent.invites.length > ${before.invites.length}`);
    expect(await agent.inviteReplacing(`sip:visitor-replaced@${COGNIGY_REALM}`, 15_000)).toBe('accepted');
    await visitor.waitForLine('call#2 active');
    await visitor.waitForLine('call#1 ended reason=transferred');
    expect((await visitor.lines()).filter((line) => /client incomingCall/.test(line))).toEqual([]);
    for (const page of [visitor.page, agent.page]) expect((await waitForRisingAudio(page)).energy).toBeGreaterThan(0);
    // The new call is one of client.calls; the harness's own `hangup` knows only the first.
    expect(await onCall(visitor, 2, 'hangup')).toBe('ok');
    await visitor.waitForLine('call#2 ended reason=hangup');
    expect((await visitor.lines()).filter((line) => / ended /.test(line))).toEqual(['call#1 ended reason=transferred', 'call#2 ended reason=hangup']);
  });

  it('Opus stereo=1 in the local SDP (as Firefox offers it) reaches the gateway as stereo=0', async () => {
    const before = await agent.record();
    const page = await openPage();
    // Firefox's offer: Opus with stereo=1; Chromium is made to offer the same.
    await page.evaluate(() => {
      const create = RTCPeerConnection.prototype.createOffer;
      RTCPeerConnection.prototype.createOffer = async function (this: RTCPeerConnection, ...args: any[]) {
        const offer = await (create as any).apply(this, args);
        return { type: offer.type, sdp: offer.sdp.replace(/(a=fmtp:111 [^\r\n]*)/, '$1;stereo=1') };
      } as any;
    });
    const visitor = (await PageClient.create(page, 'visitor', cognigyConfig('visitor-stereo'))) as Party;
    await visitor.connect();
    expect((await visitor.op('call', undefined, { iceServers: [] })).outcome).toBe('ok');
    await visitor.waitForLine('call#1 active');
    await agent.waitFor(`agent.invites.length > ${before.invites.length}`);
    const offer = (await agent.record()).invites.at(-1)!.body;
    expect(await page.evaluate(() => (window as any).__pcs.at(-1).localDescription.sdp.includes('stereo=1'))).toBe(true);
    expect(offer).toMatch(/a=fmtp:111 [^\r\n]*stereo=0/);
    expect(offer).not.toContain('stereo=1');
    expect((await waitForRisingAudio(agent.page)).energy).toBeGreaterThan(0);
    expect((await visitor.hangup()).outcome).toBe('ok');
  });
});
