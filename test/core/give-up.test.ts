// When a provider gives up its connection (connectionFailed), the core tears it down — awaits its
// disconnect(), bounded — and only then reports: an app that reconnects from its `disconnected`
// handler must not have its new session stopped by the old one's teardown. One path in the core,
// instead of each provider tearing itself down before it reports.
import { describe, expect, it } from 'vitest';
import { createVoiceClient, VoiceError, type ProviderDefinitionV1, type VoiceProviderV1 } from '../../src/all.js';
import { newScript, scriptedProvider, type Script } from './scripted-provider.js';

function withDisconnect(script: Script, disconnect: VoiceProviderV1['disconnect']): ProviderDefinitionV1<null> {
  const base = scriptedProvider(script);
  return { ...base, create: (options, context) => ({ ...base.create(options, context), disconnect }) };
}

describe('the core tears a provider down when it gives up', () => {
  it('awaits the provider teardown, then ends the calls, reports the error and disconnected; a reconnect from the handler gets a fresh session', async () => {
    const script = newScript();
    const order: string[] = [];
    let releaseTeardown!: () => void;
    const client = await createVoiceClient({
      provider: withDisconnect(script, async () => {
        order.push('provider disconnect started');
        await new Promise<void>((resolve) => (releaseTeardown = resolve));
        order.push('provider disconnect done');
      }),
    });
    script.connect = async () => {
      order.push('provider connect');
      return { registered: true };
    };
    await client.connect();
    const call = await client.call('bob');
    script.lastCallSink!.active();
    call.on('ended', ({ reason, error }) => order.push(`call ended ${reason} ${error?.code}`));
    client.on('error', ({ error }) => order.push(`error ${error.code}`));
    let reconnected: Promise<void> | undefined;
    client.on('stateChanged', ({ to }) => {
      if (to !== 'disconnected') return;
      order.push('disconnected');
      reconnected = client.connect();
    });
    order.length = 0;

    script.context!.sink.connectionLost();
    script.context!.sink.connectionFailed(new VoiceError('NETWORK_UNREACHABLE', 'gone'));
    // A second give-up while the first is being torn down changes nothing.
    script.context!.sink.connectionFailed(new VoiceError('NETWORK_UNREACHABLE', 'gone again'));
    await Promise.resolve();
    expect(order).toEqual(['provider disconnect started']);
    expect(client.state).toBe('reconnecting');

    releaseTeardown();
    await new Promise((resolve) => setTimeout(resolve, 0));
    await reconnected;
    expect(order).toEqual([
      'provider disconnect started',
      'provider disconnect done',
      'call ended failed NETWORK_UNREACHABLE',
      'error NETWORK_UNREACHABLE',
      'disconnected',
      'provider connect',
    ]);
    expect(client.state).toBe('connected');
  });

  it('a teardown that never finishes does not hold the report (bounded)', async () => {
    const script = newScript();
    const client = await createVoiceClient({ provider: withDisconnect(script, () => new Promise<void>(() => {})) });
    await client.connect();
    const states: string[] = [];
    client.on('stateChanged', ({ to }) => states.push(to));
    script.context!.sink.connectionFailed(new VoiceError('NETWORK_UNREACHABLE', 'gone'));
    await expect.poll(() => client.state, { timeout: 10_000, interval: 50 }).toBe('disconnected');
    expect(states).toEqual(['disconnected']);
  });

  it('a disconnect() by the app while the provider is torn down ends the session once, its own way', async () => {
    const script = newScript();
    let teardowns = 0;
    let release!: () => void;
    const client = await createVoiceClient({
      provider: withDisconnect(script, async () => {
        teardowns++;
        if (teardowns === 1) await new Promise<void>((resolve) => (release = resolve));
      }),
    });
    await client.connect();
    const errors: string[] = [];
    const states: string[] = [];
    client.on('error', ({ error }) => errors.push(error.code));
    client.on('stateChanged', ({ to }) => states.push(to));
    script.context!.sink.connectionFailed(new VoiceError('NETWORK_UNREACHABLE', 'gone'));
    await client.disconnect();
    release();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(states).toEqual(['disconnected']);
    expect(errors).toEqual([]);
  });
});
