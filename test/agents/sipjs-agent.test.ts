// SIP.js speaking Cognigy's agent INFO bodies (any SIP peer may), in Chromium through the real
// Kamailio lab: polyphone's sipjs client calls a raw sip.js peer acting as the agent. The agent's
// `_transcription` INFOs become transcript events in order with their roles; sendText('hello', {k: 1})
// arrives as the JSON INFO Cognigy's SDK sends; malformed INFO bodies leave the call up with audio.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKamailio, TEST_USERS } from '../../lab/kamailio/index.mjs';
import { launchBrowser } from '../../lab/browser/index.mjs';
import { installHarness, tx, until } from '../providers/telnyx/harness.js';
import { agentRecord, finalLines, sendText, watchAgent } from './agent-page.js';
import { agentInfos, agentSendsInfo, startSipAgent, transcriptionBody } from './sip-agent-peer.js';

type LabPage = import('playwright-core').Page & {
  pageErrors: string[];
  inboundAudio(): Promise<{ packetsReceived: number; totalAudioEnergy: number }>;
  waitForAudio(o?: { minPackets?: number; since?: { packetsReceived: number; totalAudioEnergy: number } }): Promise<{ packetsReceived: number; totalAudioEnergy: number }>;
};

let lab: { wsUrl: string; domain: string; stop(): Promise<void> };
let browser: { newPage(): Promise<LabPage>; close(): Promise<void> };
let callerPage: LabPage;
let agentPage: LabPage;
let caller: ReturnType<typeof tx>;

beforeAll(async () => {
  lab = await startKamailio();
  browser = await launchBrowser();
  [callerPage, agentPage] = await Promise.all([browser.newPage(), browser.newPage()]);
  await startSipAgent(agentPage, { wsUrl: lab.wsUrl, uri: `sip:bob@${lab.domain}`, user: 'bob', password: TEST_USERS.bob });
  // The page harness of the Telnyx tests is provider-neutral and keeps the client's log lines.
  await installHarness(callerPage);
  caller = tx(callerPage);
  await caller.create('alice', {
    provider: 'sipjs',
    server: lab.wsUrl,
    uri: `sip:alice@${lab.domain}`,
    credentials: { type: 'password', password: TEST_USERS.alice },
    iceServers: [],
  });
  expect(await caller.connect('alice')).toMatchObject({ ok: true });
}, 60_000);
afterAll(async () => {
  await caller?.disconnect('alice');
  await browser?.close();
  await lab?.stop();
});

describe('sipjs with an AI agent speaking Cognigy INFO bodies', () => {
  it('declares transcript and text, not tools', async () => {
    expect(await caller.capabilities('alice')).toMatchObject({ agentTranscript: true, agentText: true, agentTools: false });
  });

  it('transcript INFOs in order with roles, sendText as the JSON INFO, malformed bodies dropped, audio throughout', async () => {
    expect(await caller.call('alice', 'c1', `sip:bob@${lab.domain}`)).toMatchObject({ ok: true });
    await watchAgent(callerPage, '(w) => w.__calls.c1.call', {});
    await until(() => caller.callState('c1').then((s) => s === 'active'), 'the agent to answer');
    await callerPage.waitForAudio({ minPackets: 30 });

    expect(await agentSendsInfo(agentPage, 'application/json', transcriptionBody('bot', 'Welcome to the lab.'))).toBe(200);
    expect(await agentSendsInfo(agentPage, 'application/json', transcriptionBody('user', 'I need help.'))).toBe(200);
    expect(await agentSendsInfo(agentPage, 'application/json', transcriptionBody('bot', 'Sure.', 'What is it about?'))).toBe(200);

    expect(await sendText(callerPage, 'hello', { k: 1 })).toBe('ok');
    const infos = await agentInfos(agentPage);
    expect(infos).toEqual([{ contentType: 'application/json', body: '{"text":"hello","data":{"k":1}}' }]);
    expect(await sendText(callerPage, 'no data')).toBe('ok');
    expect((await agentInfos(agentPage))[1]).toEqual({ contentType: 'application/json', body: '{"text":"no data","data":{}}' });

    // Malformed, oversized and unexpected bodies: each INFO accepted (200), nothing reported, a warning logged.
    const before = await callerPage.inboundAudio();
    const bad = [
      '{"_transcription": {"originator": "bot", "messages": [{"text": "secret cut',
      JSON.stringify({ _transcription: { originator: 'robot', messages: [{ text: 'secret words' }] } }),
      JSON.stringify({ _transcription: { originator: 'bot', messages: 'secret' } }),
      JSON.stringify({ _transcription: { originator: 'user', messages: [{ text: 42 }] } }),
      JSON.stringify({ hello: 'secret' }),
      'null',
      JSON.stringify({ _transcription: { originator: 'bot', messages: [{ text: 'x'.repeat(10_000) }] } }),
    ];
    for (const body of bad) expect([bad.indexOf(body), await agentSendsInfo(agentPage, 'application/json', body)]).toEqual([bad.indexOf(body), 200]);
    expect(await agentSendsInfo(agentPage, 'application/json', transcriptionBody('bot', 'Still here.'))).toBe(200);
    await until(async () => (await agentRecord(callerPage)).transcript.some((e) => e.text === 'Still here.'), 'the line after the bad ones');
    expect(await caller.callState('c1')).toBe('active');
    await callerPage.waitForAudio({ since: before, minPackets: 30 });
    const warnings = (await caller.record('alice')).logs.filter((l) => l.includes('agent INFO dropped'));
    expect(warnings).toHaveLength(bad.length);
    expect(warnings.join('\n')).not.toContain('secret');
    expect(warnings.join('\n')).toContain('"level":"warn"');

    expect(await caller.op('c1', 'hangup')).toMatchObject({ ok: true });
    const record = await agentRecord(callerPage);
    expect(finalLines(record.transcript)).toEqual(['agent: Welcome to the lab.', 'user: I need help.', 'agent: Sure.', 'agent: What is it about?', 'agent: Still here.']);
    expect(record.transcript.every((e) => e.final)).toBe(true);
    expect(finalLines(record.final)).toEqual(finalLines(record.transcript));
    expect((await caller.record('alice')).trace.filter((l) => l.includes('transcript'))).toEqual([
      'call#1 transcript final=true role=agent',
      'call#1 transcript final=true role=user',
      'call#1 transcript final=true role=agent',
      'call#1 transcript final=true role=agent',
      'call#1 transcript final=true role=agent',
    ]);
    expect(callerPage.pageErrors).toEqual([]);
  });
});
