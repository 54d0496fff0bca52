import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createVoiceClient, VoiceError } from '../../src/all.js';

// Bad configs must fail before anything touches the network: every socket and fetch is counted.
let opened: string[] = [];
const realWebSocket = globalThis.WebSocket;
const realFetch = globalThis.fetch;
beforeEach(() => {
  opened = [];
  (globalThis as { WebSocket: unknown }).WebSocket = class {
    constructor(url: string) {
      opened.push(`ws ${url}`);
      throw new Error('no network in config tests');
    }
  };
  globalThis.fetch = (async (url: unknown) => {
    opened.push(`fetch ${String(url)}`);
    throw new Error('no network in config tests');
  }) as typeof fetch;
});
afterEach(() => {
  (globalThis as { WebSocket: unknown }).WebSocket = realWebSocket;
  globalThis.fetch = realFetch;
});

async function failure(config: Parameters<typeof createVoiceClient>[0]): Promise<VoiceError> {
  const error = await createVoiceClient(config).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VoiceError);
  return error as VoiceError;
}

describe('config strings', () => {
  it.each([
    ['', 'CONFIG_INVALID', 'provider'],
    ['SIPJS:wss://x', 'CONFIG_INVALID', 'provider'],
    ['://nothing', 'CONFIG_INVALID', 'provider'],
    ['sipjs', 'CONFIG_INVALID', 'server'],
    ['sipjs:not a url', 'CONFIG_INVALID', 'server'],
    ['sipjs:https://pbx.example.com', 'CONFIG_INVALID', 'server'],
    ['sipjs:wss://', 'CONFIG_INVALID', 'server'],
    ['sipjs:wss://pbx.example.com?uri=alice', 'CONFIG_INVALID', 'uri'],
    ['sipjs:wss://pbx.example.com?authorizationUsername=alice', 'CONFIG_INVALID', 'uri'],
    ['sipjs:wss://pbx.example.com?uri=sip:a@b&colour=blue', 'CONFIG_INVALID', 'colour'],
    ['sipjs:wss://pbx.example.com?uri=sip:a@b&uri=sip:c@d', 'CONFIG_INVALID', 'uri'],
    ['sipjs:wss://pbx.example.com?uri=sip:a@b&password=hunter22', 'CONFIG_INVALID', 'password'],
    ['sipjs:wss://pbx.example.com?dtmfTransport=smoke', 'CONFIG_INVALID', 'dtmfTransport'],
    ['sipjs:wss://pbx.example.com?registerExpires=-5', 'CONFIG_INVALID', 'registerExpires'],
  ])('%j → %s naming %s', async (config, code, field) => {
    const error = await failure(config);
    expect(error.code).toBe(code);
    expect(error.details?.field).toBe(field);
    expect(opened).toEqual([]);
  });

  it('an unknown provider is PROVIDER_UNKNOWN', async () => {
    const error = await failure('twilio:wss://example.com');
    expect(error.code).toBe('PROVIDER_UNKNOWN');
    expect(error.message).toContain('sipjs');
    expect(opened).toEqual([]);
  });

  it('a secret in a rejected option never appears in the error', async () => {
    const error = await failure('sipjs:wss://pbx.example.com?uri=sip:a@b&password=hunter22-secret');
    expect(JSON.stringify(error.toJSON()) + error.message + error.stack).not.toContain('hunter22-secret');
  });

  it('a valid string creates an idle client without any network traffic', async () => {
    const client = await createVoiceClient('sipjs:wss://pbx.example.com:8443/ws?uri=sip:alice@example.com');
    expect(client.state).toBe('idle');
    expect(client.provider).toBe('sipjs');
    const anonymous = await createVoiceClient('sipjs:wss://pbx.example.com/ws');
    expect(anonymous.state).toBe('idle');
    expect(opened).toEqual([]);
  });
});

describe('config objects', () => {
  it('authenticated without uri → CONFIG_INVALID naming uri, never the password', async () => {
    const error = await failure({ provider: 'sipjs', server: 'wss://pbx.example.com', credentials: { type: 'password', password: 'p4ss-word-x' } });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.details?.field).toBe('uri');
    expect(JSON.stringify(error.toJSON())).not.toContain('p4ss-word-x');
  });

  it('rejects wrong types with the field named', async () => {
    expect((await failure({ provider: 'sipjs', server: 42 as unknown as string })).details?.field).toBe('server');
    expect((await failure({ provider: 'sipjs', server: 'wss://x.example', timeouts: { connectMs: -1 } })).details?.field).toBe('timeouts.connectMs');
    expect((await failure({ provider: 'sipjs', server: 'wss://x.example', timeouts: { soon: 1 } as never })).details?.field).toBe('timeouts.soon');
    expect((await failure({ provider: 'sipjs', server: 'wss://x.example', credentials: 'secret' as never })).details?.field).toBe('credentials');
    expect((await failure(null as never)).code).toBe('CONFIG_INVALID');
    expect((await failure(42 as never)).code).toBe('CONFIG_INVALID');
    expect((await failure({ provider: 'Not A Name' })).details?.field).toBe('provider');
    expect((await failure({ provider: 'nope' })).code).toBe('PROVIDER_UNKNOWN');
    expect(opened).toEqual([]);
  });
});
