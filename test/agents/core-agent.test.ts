// The core's agent rules, apart from any vendor: partial updates fold into their utterance, a final
// utterance is closed, what is still partial at the end becomes final, tool calls are answered once,
// and an operation a provider does not declare is UNSUPPORTED.
import { describe, expect, it } from 'vitest';
import {
  createVoiceClient,
  normalizeTrace,
  VoiceError,
  type AgentToolCall,
  type CallSink,
  type ProviderCall,
  type ProviderCapabilities,
  type ProviderDefinitionV1,
  type TranscriptEntry,
} from '../../src/all.js';

interface Agent {
  sink?: CallSink;
  sent: Array<[string, unknown]>;
  answers: Array<[string, string]>;
}

function agentProvider(agent: Agent, capabilities: Partial<ProviderCapabilities>, withMethods = true): ProviderDefinitionV1<null> {
  return {
    specificationVersion: 'v1',
    name: 'scripted-agent',
    parseOptions: () => null,
    defaultCredentials: () => ({ type: 'anonymous' }),
    create: () => ({
      specificationVersion: 'v1',
      name: 'scripted-agent',
      capabilities: { incomingCalls: false, mute: true, hold: true, remoteHold: false, dtmf: false, receiveDtmf: false, tokenRefresh: false, anonymous: true, ...capabilities },
      init: async () => {},
      authenticate: async () => {},
      connect: async () => ({ registered: true }),
      disconnect: async () => {},
      refreshToken: async () => {},
      call: async (_target, _options, sink): Promise<ProviderCall> => {
        agent.sink = sink;
        const call: ProviderCall = { hangup: async () => {} };
        if (withMethods) {
          call.sendText = async (text, data) => void agent.sent.push([text, data]);
          call.respondToolCall = async (id, output) => void agent.answers.push([id, output]);
        }
        return call;
      },
    }),
  };
}

const ALL = { agentTranscript: true, agentText: true, agentTools: true };

async function activeCall(capabilities: Partial<ProviderCapabilities> = ALL, withMethods = true) {
  const agent: Agent = { sent: [], answers: [] };
  const client = await createVoiceClient({ provider: agentProvider(agent, capabilities, withMethods) });
  await client.connect();
  const call = await client.call('agent');
  agent.sink!.active();
  return { agent, client, call, sink: agent.sink! };
}

async function rejection(promise: Promise<unknown>): Promise<VoiceError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VoiceError);
  return error as VoiceError;
}

describe('agent conversation in the core', () => {
  it('partial updates share an id and fold into one utterance; a final one is closed; the rest is final at the end', async () => {
    const { call, sink, client } = await activeCall();
    const events: TranscriptEntry[] = [];
    call.on('transcript', (e) => events.push(e));
    sink.transcript!({ id: 'a1', role: 'agent', text: 'Hel', final: false });
    sink.transcript!({ id: 'a1', role: 'agent', text: 'Hello', final: false });
    sink.transcript!({ id: 'a1', role: 'agent', text: 'Hello', final: false }); // repeated: nothing new
    sink.transcript!({ id: 'a1', role: 'agent', text: 'Hello there', final: true });
    sink.transcript!({ id: 'a1', role: 'agent', text: 'Hello there, again', final: false }); // closed: dropped
    sink.transcript!({ id: 'u1', role: 'user', text: 'Hi', final: true });
    sink.transcript!({ id: 'u1', role: 'agent', text: 'reused id, other role', final: true }); // dropped
    sink.transcript!({ id: '', role: 'agent', text: 'no id', final: true }); // dropped
    sink.transcript!({ id: 'x', role: 'bot' as never, text: 'bad role', final: true }); // dropped
    sink.transcript!({ id: 'a2', role: 'agent', text: 'Bye', final: false });
    expect(call.transcript).toEqual([
      { id: 'a1', role: 'agent', text: 'Hello there', final: true },
      { id: 'u1', role: 'user', text: 'Hi', final: true },
      { id: 'a2', role: 'agent', text: 'Bye', final: false },
    ]);
    await call.hangup();
    sink.transcript!({ id: 'a3', role: 'agent', text: 'after the end', final: true });
    expect(events.map((e) => `${e.id} ${e.role} ${e.final} ${e.text}`)).toEqual([
      'a1 agent false Hel',
      'a1 agent false Hello',
      'a1 agent true Hello there',
      'u1 user true Hi',
      'a2 agent false Bye',
      'a2 agent true Bye',
    ]);
    // The trace keeps final utterances only, naming who spoke, never the words; the last one is
    // closed before the end.
    const lines = normalizeTrace(client.trace()).filter((l) => l.startsWith('call#1') && !l.startsWith('call#1 stateChanged new'));
    expect(lines).toEqual([
      'call#1 stateChanged connecting>active',
      'call#1 active',
      'call#1 transcript final=true role=agent',
      'call#1 transcript final=true role=user',
      'call#1 transcript final=true role=agent',
      'call#1 stateChanged active>ended',
      'call#1 ended reason=hangup',
    ]);
    expect(JSON.stringify(client.trace())).not.toContain('Hello');
    // The transcript handed out is a copy.
    (call.transcript as TranscriptEntry[])[0]!.text = 'changed';
    expect(call.transcript[0]!.text).toBe('Hello there');
  });

  it('sendText reaches the provider; bad arguments are INVALID_ARGUMENT before the wire', async () => {
    const { call, agent } = await activeCall();
    await call.sendText('hello', { k: 1 });
    await call.sendText('plain');
    expect(agent.sent).toEqual([
      ['hello', { k: 1 }],
      ['plain', undefined],
    ]);
    expect((await rejection(call.sendText(''))).code).toBe('INVALID_ARGUMENT');
    expect((await rejection(call.sendText(42 as never))).code).toBe('INVALID_ARGUMENT');
    expect((await rejection(call.sendText('x'.repeat(5_000)))).code).toBe('INVALID_ARGUMENT');
    expect((await rejection(call.sendText('x', [] as never))).code).toBe('INVALID_ARGUMENT');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect((await rejection(call.sendText('x', cyclic))).code).toBe('INVALID_ARGUMENT');
    expect(agent.sent).toHaveLength(2);
    await call.hangup();
    expect((await rejection(call.sendText('late'))).code).toBe('INVALID_STATE');
  });

  it('a tool call is one event, answered once; text or JSON; a second answer is INVALID_STATE', async () => {
    const { call, sink, agent, client } = await activeCall();
    const calls: AgentToolCall[] = [];
    call.on('agentToolCall', (e) => calls.push(e));
    sink.toolCall!({ id: 'c1', name: 'lookup_order', arguments: { order: 'A-7' } });
    sink.toolCall!({ id: 'c2', name: 'weather', arguments: {} });
    expect(calls.map((c) => [c.id, c.name, c.arguments])).toEqual([
      ['c1', 'lookup_order', { order: 'A-7' }],
      ['c2', 'weather', {}],
    ]);
    await calls[0]!.respond({ status: 'shipped' });
    await calls[1]!.respond('sunny');
    expect(agent.answers).toEqual([
      ['c1', '{"status":"shipped"}'],
      ['c2', 'sunny'],
    ]);
    expect((await rejection(calls[0]!.respond('again'))).code).toBe('INVALID_STATE');
    expect(normalizeTrace(client.trace()).filter((l) => l.includes('agentToolCall'))).toEqual([
      'call#1 agentToolCall name=lookup_order',
      'call#1 agentToolCall name=weather',
    ]);
    sink.toolCall!({ id: 'c3', name: 'late', arguments: {} });
    await call.hangup();
    expect((await rejection(calls[2]!.respond('x'))).code).toBe('INVALID_STATE');
  });

  it('a provider that declares no agent capability: UNSUPPORTED, and capabilities say false', async () => {
    const { call, client } = await activeCall({}, false);
    expect(client.capabilities).toMatchObject({ agentTranscript: false, agentText: false, agentTools: false });
    const error = await rejection(call.sendText('hello'));
    expect(error.code).toBe('UNSUPPORTED');
    expect(error.details).toMatchObject({ operation: 'sendText' });
  });

  it('tools declared but the call cannot answer: respond is UNSUPPORTED', async () => {
    const { call, sink } = await activeCall({ agentTools: true }, false);
    let tool: AgentToolCall | undefined;
    call.on('agentToolCall', (e) => (tool = e));
    sink.toolCall!({ id: 'c1', name: 'x', arguments: {} });
    expect((await rejection(tool!.respond('y'))).code).toBe('UNSUPPORTED');
  });

  it('declared false wins even where the call has the method, and the events of an undeclared capability do not come', async () => {
    const { call, sink, agent } = await activeCall({ agentText: false, agentTools: false, agentTranscript: false });
    const heard: unknown[] = [];
    call.on('transcript', (e) => heard.push(e));
    sink.transcript!({ id: 'a1', role: 'agent', text: 'not declared', final: true });
    expect(heard).toEqual([]);
    expect(call.transcript).toEqual([]);
    expect((await rejection(call.sendText('hello'))).code).toBe('UNSUPPORTED');
    let tool: AgentToolCall | undefined;
    call.on('agentToolCall', (e) => (tool = e));
    sink.toolCall!({ id: 'c1', name: 'x', arguments: {} });
    expect(tool).toBeUndefined();
    expect(agent.sent).toEqual([]);
    expect(agent.answers).toEqual([]);
  });
});
