// Telnyx AI assistant through polyphone, in Chromium with the real @telnyx/webrtc: an anonymous
// visitor calls the lab's assistant (a raw SDK page answering, audio both ways) while the emulator
// pushes ai_conversation frames as Telnyx does. Transcript events, sendText, a tool call answered,
// and malformed frames that leave the call up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../lab/browser/index.mjs';
import { startTelnyxEmulator, TELNYX_USERS } from '../../lab/telnyx/index.mjs';
import { installHarness, tx, until, type TelnyxPage } from '../providers/telnyx/harness.js';
import { agentRecord, finalLines, sendText, watchAgent } from './agent-page.js';

let emulator: any;
let lab: { newPage(): Promise<TelnyxPage>; close(): Promise<void> };
let visitorPage: TelnyxPage;
let assistantPage: TelnyxPage;
let visitor: ReturnType<typeof tx>;

beforeAll(async () => {
  emulator = await startTelnyxEmulator();
  lab = await launchBrowser();
  [visitorPage, assistantPage] = await Promise.all([lab.newPage(), lab.newPage()]);
  // The assistant's media leg: a raw SDK page logged in as the assistant, answering every call.
  await assistantPage.evaluate(
    async ({ host, password }) => {
      const { TelnyxRTC } = (await (window as any).rawVendors.telnyx()) as any;
      const client = new TelnyxRTC({ host, login: 'assistant', password, iceServers: [], debug: false });
      client.on('telnyx.notification', (n: any) => {
        if (n.type === 'callUpdate' && n.call.direction === 'inbound' && n.call.state === 'ringing') n.call.answer();
      });
      await new Promise<void>((resolve) => {
        client.on('telnyx.ready', () => resolve());
        client.connect();
      });
    },
    { host: emulator.url, password: TELNYX_USERS.assistant },
  );
  await installHarness(visitorPage);
  visitor = tx(visitorPage);
  await visitor.create('visitor', {
    provider: 'telnyx',
    server: emulator.url,
    iceServers: [],
    credentials: { type: 'anonymous', targetType: 'ai_assistant', targetId: 'assistant_agent1' },
  });
  expect(await visitor.connect('visitor')).toMatchObject({ ok: true });
});
afterAll(async () => {
  await lab?.close();
  await emulator?.stop();
});

const clientFrames = () =>
  emulator.frames.filter((f: any) => f.dir === 'in' && f.msg?.method === 'ai_conversation').map((f: any) => f.msg);

describe('telnyx AI assistant', () => {
  it('declares the agent capabilities for an anonymous assistant session, and none for a user session', async () => {
    expect(await visitor.capabilities('visitor')).toMatchObject({ agentTranscript: true, agentText: true, agentTools: true });
    await visitor.create('user', { provider: 'telnyx', server: emulator.url, iceServers: [], credentials: { type: 'jwt', token: emulator.issueJwt('alice') } });
    expect(await visitor.connect('user')).toMatchObject({ ok: true });
    expect(await visitor.capabilities('user')).toMatchObject({ agentTranscript: false, agentText: false, agentTools: false });
    await visitor.disconnect('user');
  });

  it('transcript in order, sendText as the SDK frame, a tool call answered, malformed frames dropped, audio throughout', async () => {
    expect(await visitor.call('visitor', 'v1', 'assistant_agent1')).toMatchObject({ ok: true });
    await watchAgent(visitorPage, '(w) => w.__calls.v1.call', { status: 'shipped' });
    await until(() => visitor.callState('v1').then((s) => s === 'active'), 'the assistant to answer');
    await visitorPage.waitForAudio({ minPackets: 30 });

    emulator.ai.say('Hello, how can I help?', { pieces: 3 });
    emulator.ai.heard('Where is my order?');
    await until(async () => (await agentRecord(visitorPage)).transcript.some((e) => e.role === 'user'), 'the user line');

    // A tool call: the page answers, the answer reaches the assistant as function_call_output.
    const callId = emulator.ai.callTool('lookup_order', { order: 'A-7' });
    await until(async () => emulator.ai.outputsFor(callId).length > 0, 'the tool answer at the assistant');
    expect(emulator.ai.outputsFor(callId)).toEqual([JSON.stringify({ status: 'shipped', for: { order: 'A-7' } })]);
    const answerFrame = clientFrames().find((m: any) => m.params?.item?.type === 'function_call_output');
    expect(answerFrame).toEqual({
      jsonrpc: '2.0',
      method: 'ai_conversation',
      params: { type: 'conversation.item.create', item: { type: 'function_call_output', call_id: callId, output: JSON.stringify({ status: 'shipped', for: { order: 'A-7' } }) } },
    });

    // Typed text goes out as the SDK's own conversation.item.create (a request with an id).
    expect(await sendText(visitorPage, 'hello', { k: 1 })).toBe('ok');
    expect(emulator.ai.messages()).toEqual(['hello']);
    const textFrame = clientFrames().find((m: any) => m.params?.item?.type === 'message');
    expect(textFrame).toMatchObject({
      method: 'ai_conversation',
      params: { type: 'conversation.item.create', previous_item_id: null, item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello' }] } },
    });
    expect(typeof textFrame.id).toBe('string');
    // The assistant's echo arrives as its next utterance.
    await until(async () => (await agentRecord(visitorPage)).transcript.some((e) => e.text === 'You said: hello'), 'the echo');

    // Malformed frames: dropped with a warning, the call stays up with its audio.
    const before = await visitorPage.inboundAudio();
    emulator.ai.push({ type: 'response.text.delta', item_id: 42, delta: 'secret words' });
    emulator.ai.push({ type: 'conversation.item.created', item: { type: 'function_call', call_id: 'c-bad', name: 'x', arguments: '{not json secret' } });
    emulator.ai.push({ type: 'conversation.item.created', item: { id: 'u-bad', role: 'user', status: 'completed', content: [42] } });
    emulator.ai.push({ type: 'response.text.delta', item_id: 'big', delta: 'x'.repeat(20_000) });
    emulator.ai.push({ nothing: true });
    emulator.pushRaw({ jsonrpc: '2.0', id: 99_001, method: 'ai_conversation', params: 'not an object' });
    emulator.pushRaw({ jsonrpc: '2.0', id: 99_002, method: 'ai_conversation' });
    emulator.ai.say('Still here.', { pieces: 2 });
    await until(async () => (await agentRecord(visitorPage)).transcript.some((e) => e.text === 'Still here.'), 'a valid frame after the bad ones');
    expect(await visitor.callState('v1')).toBe('active');
    await visitorPage.waitForAudio({ since: before, minPackets: 30 });
    const logs = (await visitor.record('visitor')).logs.filter((l) => l.includes('ai_conversation frame dropped'));
    expect(logs.length).toBeGreaterThanOrEqual(5);
    expect(logs.join('\n')).not.toContain('secret');

    expect(await visitor.op('v1', 'hangup')).toMatchObject({ ok: true });
    const record = await agentRecord(visitorPage);
    expect(record.answers).toEqual(['ok']);
    expect(record.tools).toEqual([{ id: callId, name: 'lookup_order', arguments: { order: 'A-7' } }]);
    // Partial updates of one utterance share its id and grow; then one final.
    const greeting = record.transcript.filter((e) => e.role === 'agent' && e.text.startsWith('Hel'));
    expect(greeting.map((e) => e.final)).toEqual([false, false, false, true]);
    expect(new Set(greeting.map((e) => e.id)).size).toBe(1);
    expect(finalLines(record.transcript)).toEqual([
      'agent: Hello, how can I help?',
      'user: Where is my order?',
      'agent: You said: hello',
      'agent: Still here.',
    ]);
    expect(finalLines(record.final)).toEqual(finalLines(record.transcript));
    const trace = (await visitor.record('visitor')).trace.filter((l) => /transcript final=true|agentToolCall/.test(l));
    expect(trace).toEqual([
      'call#1 transcript final=true role=agent',
      'call#1 transcript final=true role=user',
      'call#1 agentToolCall name=lookup_order',
      'call#1 transcript final=true role=agent',
      'call#1 transcript final=true role=agent',
    ]);
    expect(visitorPage.pageErrors).toEqual([]);
  });
});
