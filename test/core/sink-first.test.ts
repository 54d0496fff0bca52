// The core binds a call's sink before the provider can report anything (contract.ts): an outgoing
// call's sink is handed to call(), an incoming call's to the provider's `create`. No provider keeps
// a replay buffer, so what it reports at once must reach the call at once, in order.
import { describe, expect, it } from 'vitest';
import { createVoiceClient, VoiceError, type Call, type CallEvents, type CallSink, type ProviderCall, type ProviderDefinitionV1, type VoiceProviderV1 } from '../../src/all.js';
import { newScript, scriptedProvider, type Script } from './scripted-provider.js';

/** The scripted provider with `call` replaced. */
function placing(script: Script, call: VoiceProviderV1['call']): ProviderDefinitionV1<null> {
  const base = scriptedProvider(script);
  return { ...base, create: (options, context) => ({ ...base.create(options, context), call }) };
}

function endsOf(call: Call): Array<CallEvents['ended']> {
  const ends: Array<CallEvents['ended']> = [];
  call.on('ended', (event) => ends.push(event));
  return ends;
}

describe('the sink is bound before the provider reports', () => {
  it('a report made inside call() reaches the call at once (a fast 180)', async () => {
    const script = newScript();
    let stateSeen: string | undefined;
    let handle: Call | undefined;
    const client = await createVoiceClient({
      provider: placing(script, async (_target, _options, sink) => {
        sink.ringing();
        stateSeen = handle?.state;
        return { hangup: async () => {} };
      }),
    });
    client.on('callStarted', ({ call }) => (handle = call));
    await client.connect();
    const call = await client.call('bob');
    expect(stateSeen).toBe('ringing');
    expect(call.state).toBe('ringing');
  });

  it('an end reported while call() is placing waits: call() failing ends the call with its own error, once', async () => {
    const script = newScript();
    let ends: Array<CallEvents['ended']> = [];
    const client = await createVoiceClient({
      provider: placing(script, async (_target, _options, sink) => {
        // sip.js ends the session itself when the microphone is refused, before invite() rejects.
        sink.ended('failed', new VoiceError('CALL_FAILED', 'The call ended unexpectedly.'));
        throw new VoiceError('MEDIA_DENIED', 'The microphone was refused.');
      }),
    });
    client.on('callStarted', ({ call }) => (ends = endsOf(call)));
    await client.connect();
    const error = await client.call('bob').catch((e: unknown) => e);
    expect((error as VoiceError).code).toBe('MEDIA_DENIED');
    expect(ends.map((e) => [e.reason, e.error?.code])).toEqual([['failed', 'MEDIA_DENIED']]);
  });

  it('an end reported while call() is placing goes on once call() succeeds', async () => {
    const script = newScript();
    const client = await createVoiceClient({
      provider: placing(script, async (_target, _options, sink) => {
        sink.ringing();
        sink.ended('busy');
        return { hangup: async () => {} };
      }),
    });
    await client.connect();
    const call = await client.call('bob');
    expect(call.state).toBe('ended');
    expect(call.endReason).toBe('busy');
  });

  it('an incoming call: create() gets the sink of a ringing handle before the app hears of the call', async () => {
    const script = newScript();
    const client = await createVoiceClient({ provider: scriptedProvider(script) });
    const seen: string[] = [];
    let handle: Call | undefined;
    client.on('callStarted', ({ call }) => {
      handle = call;
      seen.push(`callStarted ${call.state}`);
    });
    client.on('incomingCall', () => seen.push('incomingCall'));
    await client.connect();
    const providerCall: ProviderCall = { hangup: async () => {}, answer: async () => {}, reject: async () => {} };
    let bound: CallSink | undefined;
    const returned = script.context!.sink.incomingCall({ from: 'sip:carol@example.com' }, (sink) => {
      seen.push('create');
      bound = sink;
      return providerCall;
    });
    expect(returned).toBe(providerCall);
    expect(seen).toEqual(['create', 'callStarted ringing', 'incomingCall']);
    bound!.ended('canceled');
    expect(handle!.endReason).toBe('canceled');
  });

  it('an incoming call with no room is still created, then rejected busy', async () => {
    const script = newScript();
    const client = await createVoiceClient({ provider: scriptedProvider(script), maxCalls: 1 });
    const refused: string[] = [];
    client.on('callRefused', ({ reason }) => refused.push(reason));
    await client.connect();
    await client.call('bob');
    const asked: string[] = [];
    let created = 0;
    script.context!.sink.incomingCall({ from: 'sip:carol@example.com' }, (sink) => {
      created++;
      sink.ringing();
      return { hangup: async () => {}, reject: async ({ status }) => void asked.push(`reject ${status}`) };
    });
    await Promise.resolve();
    expect(created).toBe(1);
    expect(asked).toEqual(['reject 486']);
    expect(refused).toEqual(['busy']);
    expect(client.calls.length).toBe(1);
  });
});
