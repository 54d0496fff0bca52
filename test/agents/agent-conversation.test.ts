// Conformance scenario "agent conversation": one script, run on every provider that declares the
// agent capabilities, must give the same normalised trace, the same final transcript and the same
// text at the agent. SIP.js talks to a raw sip.js peer speaking Cognigy's INFO bodies through
// Kamailio; Telnyx to the lab's AI assistant (ai_conversation frames). Sendbird declares no agent
// and answers sendText with UNSUPPORTED. All in Chromium with the real vendor SDKs.
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { cellTest } from '../conformance/extra-cells.js';
import { launchBrowser } from '../../lab/browser/index.mjs';
import { startKamailio, TEST_USERS } from '../../lab/kamailio/index.mjs';
import { startTelnyxEmulator, TELNYX_USERS } from '../../lab/telnyx/index.mjs';
import { SENDBIRD_USERS, startSendbirdEmulator } from '../../lab/sendbird/index.mjs';
import { installHarness, tx, until, type TelnyxPage } from '../providers/telnyx/harness.js';
import { agentRecord, finalLines, sendText, watchAgent } from './agent-page.js';
import { agentInfos, agentSendsInfo, startSipAgent, transcriptionBody } from './sip-agent-peer.js';
import { cognigyGateway, cognigyUsers, startCognigyBackend, startLabAgent } from '../../lab/cognigy/index.mjs';

type Browser = { newPage(): Promise<TelnyxPage>; close(): Promise<void> };

/** What differs per provider: how the lab's agent is started, speaks, and is read. */
interface AgentLab {
  /** Starts the lab and connects the app's client `app` in `page`; returns the call target (none: the session's agent). */
  start(browser: Browser, page: TelnyxPage): Promise<string | undefined>;
  agentSays(role: 'agent' | 'user', text: string): Promise<void>;
  /** Texts the agent has received from the app, in order. */
  received(): Promise<string[]>;
  /** The agent answers a received text with "You said: <text>" (Telnyx's lab assistant does it by itself). */
  echo(text: string): Promise<void>;
  stop(): Promise<void>;
}

function sipjsLab(): AgentLab {
  let kamailio: any;
  let agentPage: TelnyxPage;
  return {
    async start(browser, page) {
      kamailio = await startKamailio();
      agentPage = await browser.newPage();
      await startSipAgent(agentPage, { wsUrl: kamailio.wsUrl, uri: `sip:bob@${kamailio.domain}`, user: 'bob', password: TEST_USERS.bob });
      await tx(page).create('app', { provider: 'sipjs', server: kamailio.wsUrl, uri: `sip:alice@${kamailio.domain}`, credentials: { type: 'password', password: TEST_USERS.alice }, iceServers: [] });
      return `sip:bob@${kamailio.domain}`;
    },
    async agentSays(role, text) {
      expect(await agentSendsInfo(agentPage, 'application/json', transcriptionBody(role === 'agent' ? 'bot' : 'user', text))).toBe(200);
    },
    async received() {
      return (await agentInfos(agentPage)).map((i) => (JSON.parse(i.body) as { text: string }).text);
    },
    async echo(text) {
      await this.agentSays('agent', `You said: ${text}`);
    },
    stop: async () => kamailio?.stop(),
  };
}

// The visitor calls with no target: the endpoint's agent, which the lab gateway routes to the lab agent.
function cognigyLab(): AgentLab {
  let kamailio: any;
  let backend: any;
  let agent: Awaited<ReturnType<typeof startLabAgent>>;
  return {
    async start(browser, page) {
      const gateway = cognigyGateway();
      kamailio = await startKamailio({ users: { ...TEST_USERS, ...cognigyUsers(1), ...gateway.users }, agents: gateway.agents });
      backend = await startCognigyBackend({ kamailio });
      agent = await startLabAgent({ browser: browser as any, kamailio });
      await tx(page).create('app', { provider: 'cognigy', server: backend.url('ok'), userId: 'visitor-agent', iceServers: [] });
      return undefined;
    },
    async agentSays(role, text) {
      await agent.sendInfo(transcriptionBody(role === 'agent' ? 'bot' : 'user', text));
    },
    async received() {
      return (await agent.record()).infos.filter((i) => i.contentType === 'application/json').map((i) => (JSON.parse(i.body) as { text: string }).text);
    },
    async echo(text) {
      await this.agentSays('agent', `You said: ${text}`);
    },
    async stop() {
      await agent?.stop();
      await backend?.stop();
      await kamailio?.stop();
    },
  };
}

function telnyxLab(): AgentLab {
  let emulator: any;
  return {
    async start(browser, page) {
      emulator = await startTelnyxEmulator();
      const assistant = await browser.newPage();
      await assistant.evaluate(
        async ({ host, password }) => {
          const { TelnyxRTC } = (await (window as any).rawVendors.telnyx()) as any;
          const client = new TelnyxRTC({ host, login: 'assistant', password, iceServers: [], debug: false });
          client.on('telnyx.notification', (n: any) => n.type === 'callUpdate' && n.call.direction === 'inbound' && n.call.state === 'ringing' && n.call.answer());
          await new Promise<void>((resolve) => {
            client.on('telnyx.ready', () => resolve());
            client.connect();
          });
        },
        { host: emulator.url, password: TELNYX_USERS.assistant },
      );
      await tx(page).create('app', { provider: 'telnyx', server: emulator.url, iceServers: [], credentials: { type: 'anonymous', targetId: 'assistant_conformance' } });
      return 'assistant_conformance';
    },
    async agentSays(role, text) {
      if (role === 'agent') emulator.ai.say(text, { pieces: 3 });
      else emulator.ai.heard(text);
    },
    received: async () => emulator.ai.messages(),
    echo: async () => {},
    stop: async () => emulator?.stop(),
  };
}

const EXPECTED_TRACE = [
  'call#1 active',
  'call#1 transcript final=true role=agent',
  'call#1 transcript final=true role=user',
  'call#1 transcript final=true role=agent',
  'call#1 stateChanged active>ended',
  'call#1 ended reason=hangup',
];
const EXPECTED_TRANSCRIPT = ['agent: Welcome, how can I help?', 'user: I need a hand.', 'agent: You said: hello'];

/** The scenario, the same steps on every provider; returns what is compared. */
async function agentConversation(page: TelnyxPage, lab: AgentLab, target: string | undefined) {
  const app = tx(page);
  expect(await app.connect('app')).toMatchObject({ ok: true });
  const caps = await app.capabilities('app');
  expect(caps).toMatchObject({ agentTranscript: true, agentText: true });
  expect(await app.call('app', 'c', target)).toMatchObject({ ok: true });
  await watchAgent(page, '(w) => w.__calls.c.call', {});
  await until(() => app.callState('c').then((s) => s === 'active'), 'the agent to answer');
  await page.waitForAudio({ minPackets: 20 });
  await lab.agentSays('agent', 'Welcome, how can I help?');
  await lab.agentSays('user', 'I need a hand.');
  await until(async () => (await agentRecord(page)).transcript.some((e) => e.role === 'user'), 'the user line');
  expect(await sendText(page, 'hello', { k: 1 })).toBe('ok');
  await until(async () => (await lab.received()).length === 1, 'the text at the agent');
  await lab.echo('hello');
  await until(async () => (await agentRecord(page)).transcript.some((e) => e.text === 'You said: hello'), 'the echo');
  expect(await app.op('c', 'hangup')).toMatchObject({ ok: true });
  const trace = (await app.record('app')).trace;
  const fromActive = trace.slice(trace.indexOf('call#1 active')).filter((l) => l.startsWith('call#1') && !l.includes('final=false'));
  return { trace: fromActive, transcript: finalLines((await agentRecord(page)).final), received: await lab.received() };
}

const labs: Record<'sipjs' | 'cognigy' | 'telnyx', () => AgentLab> = { sipjs: sipjsLab, cognigy: cognigyLab, telnyx: telnyxLab };

for (const [name, makeLab] of Object.entries(labs)) {
  describe(`agent conversation · ${name}`, () => {
    let browser: Browser;
    let lab: AgentLab;
    let page: TelnyxPage;
    let target: string | undefined;
    beforeAll(async () => {
      browser = await launchBrowser();
      lab = makeLab();
      page = await browser.newPage();
      await installHarness(page);
      target = await lab.start(browser, page);
    }, 60_000);
    afterAll(async () => {
      await tx(page).disconnect('app').catch(() => {});
      await browser?.close();
      await lab?.stop();
    });

    cellTest('the same normalised trace, transcript and text at the agent as every other provider', name, 'agent conversation', async () => {
      const result = await agentConversation(page, lab, target);
      expect(result.trace).toEqual(EXPECTED_TRACE);
      expect(result.transcript).toEqual(EXPECTED_TRANSCRIPT);
      expect(result.received).toEqual(['hello']);
      expect(page.pageErrors).toEqual([]);
    });
  });
}

describe('agent conversation · sendbird (unsupported)', () => {
  let browser: Browser;
  let emulator: any;
  beforeAll(async () => {
    emulator = await startSendbirdEmulator();
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await emulator?.stop();
  });

  cellTest('declares no agent capability; sendText on a live call is UNSUPPORTED; no transcript', 'sendbird', 'agent conversation', async () => {
    const [pa, pb] = await Promise.all([browser.newPage(), browser.newPage()]);
    await Promise.all([installHarness(pa), installHarness(pb)]);
    const user = (userId: keyof typeof SENDBIRD_USERS) => ({
      provider: 'sendbird',
      server: emulator.appId,
      apiHost: emulator.apiHost,
      wsHost: emulator.wsHost,
      credentials: { type: 'accessToken', userId, accessToken: SENDBIRD_USERS[userId] },
      iceServers: [],
    });
    const [alice, bob] = [tx(pa), tx(pb)];
    await alice.create('alice', user('alice'));
    await bob.create('bob', user('bob'));
    expect(await alice.connect('alice')).toMatchObject({ ok: true });
    expect(await bob.connect('bob')).toMatchObject({ ok: true });
    expect(await alice.capabilities('alice')).toMatchObject({ agentTranscript: false, agentText: false, agentTools: false });
    await bob.setAutoAnswer('bob', 'answer');
    expect(await alice.call('alice', 'c', 'bob')).toMatchObject({ ok: true });
    await until(() => alice.callState('c').then((s) => s === 'active'), 'bob to answer', 15_000);
    await watchAgent(pa, '(w) => w.__calls.c.call', {});
    expect(await sendText(pa, 'hello', { k: 1 })).toBe('UNSUPPORTED');
    expect((await agentRecord(pa)).final).toEqual([]);
    expect(await alice.op('c', 'hangup')).toMatchObject({ ok: true });
    await alice.disconnect('alice');
    await bob.disconnect('bob');
    return { unsupported: 'agentTranscript/agentText/agentTools false; sendText on a live call → UNSUPPORTED; no transcript line' };
  });
});
