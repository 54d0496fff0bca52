// A UI follows client events alone: `callStarted` fires for outgoing and incoming calls alike.
import { describe, expect, it } from 'vitest';
import { createVoiceClient, type Call } from '../../src/index.js';
import { newScript, scriptedProvider } from './scripted-provider.js';

describe('callStarted', () => {
  it('fires for an outgoing call, before call() resolves, and for an incoming call before incomingCall', async () => {
    const script = newScript();
    const client = await createVoiceClient({ provider: scriptedProvider(script) });
    const seen: string[] = [];
    const started: Call[] = [];
    client.on('callStarted', ({ call, direction }) => {
      started.push(call);
      seen.push(`callStarted ${direction} ${call.state}`);
    });
    client.on('incomingCall', () => seen.push('incomingCall'));
    await client.connect();

    const outgoing = await client.call('sip:bob@example.com');
    expect(started[0]).toBe(outgoing);
    await outgoing.hangup();

    script.context!.sink.incomingCall({ from: 'sip:carol@example.com' }, () => ({ hangup: async () => {}, answer: async () => {}, reject: async () => {} }));
    expect(started[1]?.direction).toBe('incoming');
    expect(seen).toEqual(['callStarted outgoing connecting', 'callStarted incoming ringing', 'incomingCall']);
  });

  it('stays out of the trace, which already starts each call with its first state', async () => {
    const client = await createVoiceClient({ provider: scriptedProvider(newScript()) });
    await client.connect();
    await client.call('sip:bob@example.com');
    expect(client.trace().map((e) => e.event)).not.toContain('callStarted');
  });
});
