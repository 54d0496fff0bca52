import { describe, expect, it } from 'vitest';
import { createVoiceClient, normalizeTrace, VoiceError, type VoiceClient } from '../../src/all.js';
import { newScript, scriptedProvider } from './scripted-provider.js';

async function rejection(promise: Promise<unknown>): Promise<VoiceError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VoiceError);
  return error as VoiceError;
}

async function connected(script = newScript(), capabilities = {}): Promise<VoiceClient> {
  const client = await createVoiceClient({ provider: scriptedProvider(script, capabilities) });
  await client.connect();
  return client;
}

describe('client state machine', () => {
  it('connect runs init and authenticate, in order, with registered before connected', async () => {
    const client = await connected();
    expect(normalizeTrace(client.trace())).toEqual([
      'client stateChanged idle>initialized',
      'client stateChanged initialized>authenticated',
      'client stateChanged authenticated>connecting',
      'client registered',
      'client stateChanged connecting>connected',
    ]);
    await client.disconnect();
    expect(normalizeTrace(client.trace()).slice(-2)).toEqual(['client unregistered', 'client stateChanged connected>disconnected']);
  });

  it('call before connect is INVALID_STATE and reaches no provider', async () => {
    const script = newScript();
    const client = await createVoiceClient({ provider: scriptedProvider(script) });
    const error = await rejection(client.call('bob'));
    expect(error.code).toBe('INVALID_STATE');
    expect(script.calls).toEqual([]);
  });

  it('connect aborted by the app → ABORTED, provider torn down, client can connect again', async () => {
    const script = newScript();
    script.connect = (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('stopped'))));
    const client = await createVoiceClient({ provider: scriptedProvider(script) });
    const abort = new AbortController();
    const pending = client.connect({ signal: abort.signal });
    setTimeout(() => abort.abort(), 20);
    expect((await rejection(pending)).code).toBe('ABORTED');
    expect(script.disconnects).toBe(1);
    expect(client.state).toBe('disconnected');
    script.connect = undefined;
    await client.connect();
    expect(client.state).toBe('connected');
  });

  it('a silent provider → TIMEOUT at the bound, provider torn down', async () => {
    const script = newScript();
    script.connect = () => new Promise(() => {});
    const client = await createVoiceClient({ provider: scriptedProvider(script), timeouts: { connectMs: 150 } });
    const started = Date.now();
    const error = await rejection(client.connect());
    expect(error.code).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(script.disconnects).toBe(1);
  });

  it('a provider learns when the core stops waiting for authenticate()', async () => {
    const script = newScript();
    let seen: unknown;
    script.authenticate = (_credentials, signal) =>
      new Promise((_, reject) =>
        signal!.addEventListener('abort', () => {
          seen = signal!.reason;
          reject(signal!.reason);
        }),
      );
    const client = await createVoiceClient({ provider: scriptedProvider(script), timeouts: { connectMs: 100 } });
    const error = await rejection(client.authenticate({ type: 'anonymous' }));
    expect(error.code).toBe('TIMEOUT');
    expect((seen as VoiceError).code).toBe('TIMEOUT');
  });

  it('connect twice concurrently: the second is INVALID_STATE', async () => {
    const script = newScript();
    const client = await createVoiceClient({ provider: scriptedProvider(script) });
    const first = client.connect();
    await new Promise((r) => setTimeout(r, 0));
    const second = await rejection(client.connect());
    expect(second.code).toBe('INVALID_STATE');
    await first;
  });

  it('reconnection is reported once each way, registration de-duplicated', async () => {
    const script = newScript();
    const client = await connected(script);
    const sink = script.context!.sink;
    sink.connectionLost();
    sink.connectionLost();
    sink.registered();
    sink.connectionRestored();
    sink.connectionRestored();
    // The registration goes with the connection (issue 16: one reconnection trace on every vendor).
    expect(normalizeTrace(client.trace()).slice(5)).toEqual([
      'client stateChanged connected>reconnecting',
      'client unregistered',
      'client registered',
      'client stateChanged reconnecting>connected',
    ]);
  });

  it('secrets are masked in errors and logs', async () => {
    const script = newScript();
    const logs: string[] = [];
    const client = await createVoiceClient({
      provider: scriptedProvider(script),
      credentials: { type: 'jwt', token: 'jwt-secret-abc123' },
      logger: (entry) => logs.push(JSON.stringify(entry)),
    });
    script.connect = async () => {
      script.context!.sink.log('info', 'login with jwt-secret-abc123');
      throw new VoiceError('AUTH_REJECTED', 'token jwt-secret-abc123 refused', { cause: { message: 'bad jwt-secret-abc123' } });
    };
    const error = await rejection(client.connect());
    expect(error.code).toBe('AUTH_REJECTED');
    const everything = JSON.stringify(error.toJSON()) + String(error.stack) + logs.join('\n') + JSON.stringify(client.trace());
    expect(everything).not.toContain('jwt-secret-abc123');
    expect(logs.join()).toContain('[redacted]');
  });
});

describe('call handle', () => {
  it('exactly one ended, whatever the provider reports', async () => {
    const script = newScript();
    const client = await connected(script);
    const call = await client.call('bob');
    const ended: string[] = [];
    call.on('ended', ({ reason }) => ended.push(reason));
    script.lastCallSink!.ringing();
    script.lastCallSink!.active();
    script.lastCallSink!.ended('remoteHangup');
    script.lastCallSink!.ended('failed');
    await call.hangup();
    expect(ended).toEqual(['remoteHangup']);
    expect(client.currentCall).toBeUndefined();
  });

  it('a local hangup ends with the local reason even when the vendor reports another', async () => {
    const script = newScript();
    const client = await connected(script);
    const call = await client.call('bob');
    script.lastCallSink!.active();
    const sink = script.lastCallSink!;
    const hangup = call.hangup();
    sink.ended('remoteHangup');
    await hangup;
    expect(call.endReason).toBe('hangup');
  });

  it('a call nobody answers ends unanswered at the ring timeout', async () => {
    const script = newScript();
    const client = await connected(script);
    const call = await client.call('bob', { ringTimeoutMs: 100 });
    script.lastCallSink!.ringing();
    expect((await call.ended).reason).toBe('unanswered');
    expect(script.calls).toEqual(['call bob', 'hangup']);
  });

  it('operations check state and capabilities', async () => {
    const script = newScript();
    const client = await connected(script, { dtmf: false });
    const call = await client.call('bob');
    expect((await rejection(call.hold())).code).toBe('INVALID_STATE');
    expect((await rejection(call.answer())).code).toBe('INVALID_STATE');
    script.lastCallSink!.active();
    expect((await rejection(call.sendDtmf('1'))).code).toBe('UNSUPPORTED');
    expect((await rejection(call.sendDtmf('x'))).code).toBe('INVALID_ARGUMENT');
    await Promise.all([call.hold(), call.hold()]);
    await call.unhold();
    await call.mute();
    await call.unmute();
    await call.hangup();
    await call.hangup();
    expect((await rejection(call.mute())).code).toBe('INVALID_STATE');
    expect(normalizeTrace(client.trace()).filter((l) => l.startsWith('call#1'))).toEqual([
      'call#1 stateChanged new>connecting',
      'call#1 stateChanged connecting>active',
      'call#1 active',
      'call#1 stateChanged active>held',
      'call#1 held by=local',
      'call#1 stateChanged held>active',
      'call#1 unheld by=local',
      'call#1 muted',
      'call#1 unmuted',
      'call#1 stateChanged active>ended',
      'call#1 ended reason=hangup',
    ]);
  });

  it('a refused refresh is a typed error without the token', async () => {
    const client = await connected();
    const error = await rejection(client.refreshToken('bad-token-value'));
    expect(error.code).toBe('AUTH_REJECTED');
    expect(error.message).not.toContain('bad-token-value');
  });
});
