// "Call without a target": a session with one natural destination (capabilities.defaultTarget)
// dials it when call() or connectAndCall() gets no target; every other session refuses with
// INVALID_ARGUMENT before the provider is asked anything.
import { describe, expect, it } from 'vitest';
import { createVoiceClient, VoiceError } from '../../src/all.js';
import { newScript, scriptedProvider } from './scripted-provider.js';

async function rejection(promise: Promise<unknown>): Promise<VoiceError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VoiceError);
  return error as VoiceError;
}

describe('call() without a target', () => {
  it('dials the provider with no target where defaultTarget is declared', async () => {
    const script = newScript();
    const client = await createVoiceClient({ provider: scriptedProvider(script, { defaultTarget: true }) });
    await client.connect();
    expect(client.capabilities.defaultTarget).toBe(true);
    const call = await client.call();
    expect(script.calls).toEqual(['call undefined']);
    expect(call.direction).toBe('outgoing');
    await call.hangup();
    // An explicit target still goes through as given.
    await client.call('sip:lab@example.com');
    expect(script.calls.at(-1)).toBe('call sip:lab@example.com');
    await client.disconnect();
  });

  it('connectAndCall() without a target connects, then dials the default destination', async () => {
    const script = newScript();
    const client = await createVoiceClient({ provider: scriptedProvider(script, { defaultTarget: true }) });
    await client.connectAndCall();
    expect(client.state).toBe('connected');
    expect(script.calls).toEqual(['call undefined']);
    await client.disconnect();
  });

  it('is INVALID_ARGUMENT naming the target where the provider declares no default (absent or false)', async () => {
    for (const capabilities of [{}, { defaultTarget: false }]) {
      const script = newScript();
      const client = await createVoiceClient({ provider: scriptedProvider(script, capabilities) });
      await client.connect();
      const error = await rejection(client.call());
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.details?.field).toBe('target');
      expect((await rejection(client.connectAndCall())).code).toBe('INVALID_ARGUMENT');
      expect(script.calls).toEqual([]);
      expect(client.currentCall).toBeUndefined();
      await client.disconnect();
    }
  });

  it('an empty string is not "no target": INVALID_ARGUMENT even with a default destination', async () => {
    const script = newScript();
    const client = await createVoiceClient({ provider: scriptedProvider(script, { defaultTarget: true }) });
    await client.connect();
    expect((await rejection(client.call('  '))).code).toBe('INVALID_ARGUMENT');
    expect(script.calls).toEqual([]);
    await client.disconnect();
  });

  it('the identity a provider reports on connect is readable by the app', async () => {
    const script = newScript();
    script.connect = async () => ({ registered: true, identity: 'sip:generated-7@example.com' });
    const client = await createVoiceClient({ provider: scriptedProvider(script) });
    expect(client.identity).toBeUndefined();
    await client.connect();
    expect(client.identity).toBe('sip:generated-7@example.com');
    await client.disconnect();
  });
});
