// Config and arguments from a careless or hostile app (issue 15, items 4, 5, 7, 8): timeouts a
// timer cannot honour, keys that reach Object.prototype, SIP addresses sip.js would not parse,
// credentials inside URLs, and text that would add lines to a SIP header. Each is refused with a
// typed error naming the field, never echoing a secret, before any socket opens.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createVoiceClient, VoiceError } from '../../src/all.js';

let opened: string[] = [];
const realWebSocket = globalThis.WebSocket;
beforeEach(() => {
  opened = [];
  (globalThis as { WebSocket: unknown }).WebSocket = class {
    constructor(url: string) {
      opened.push(`ws ${url}`);
      throw new Error('no network in config tests');
    }
  };
});
afterEach(() => {
  (globalThis as { WebSocket: unknown }).WebSocket = realWebSocket;
});

async function failure(work: () => Promise<unknown>): Promise<VoiceError> {
  const error = await work().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VoiceError);
  return error as VoiceError;
}
const create = (config: unknown) => failure(() => createVoiceClient(config as never));
const BASE = { provider: 'sipjs' as const, server: 'wss://pbx.example.com/ws', uri: 'sip:alice@example.com' };
const everything = (e: VoiceError) => JSON.stringify(e.toJSON()) + e.message + (e.stack ?? '');

describe('timeouts (item 7)', () => {
  it.each([
    ['connectMs', 3e9],
    ['connectMs', Number.NaN],
    ['ringMs', Number.POSITIVE_INFINITY],
    ['operationMs', 0],
    ['operationMs', 0.5],
    ['ringMs', '5000'],
  ])('timeouts.%s = %s → CONFIG_INVALID naming it', async (key, value) => {
    const error = await create({ ...BASE, timeouts: { [key]: value } });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.details?.field).toBe(`timeouts.${key}`);
  });

  it('a key of Object.prototype is an unknown timeout', async () => {
    const error = await create({ ...BASE, timeouts: { toString: 5 } });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.details?.field).toBe('timeouts.toString');
  });

  it.each([Number.NaN, -1, 0, 3e9, '5000', Number.POSITIVE_INFINITY])('connect({ timeoutMs: %s }) and call({ ringTimeoutMs }) → INVALID_ARGUMENT naming it', async (value) => {
    const client = await createVoiceClient(BASE);
    const connectError = await failure(() => client.connect({ timeoutMs: value as number }));
    expect(connectError.code).toBe('INVALID_ARGUMENT');
    expect(connectError.details?.field).toBe('timeoutMs');
    const callError = await failure(() => client.call('bob', { ringTimeoutMs: value as number }));
    expect(callError.code).toBe('INVALID_ARGUMENT');
    expect(callError.details?.field).toBe('ringTimeoutMs');
    expect(client.state).toBe('idle');
    expect(opened).toEqual([]);
  });

  it('2^31−1 ms is the largest timeout accepted', async () => {
    const client = await createVoiceClient({ ...BASE, timeouts: { connectMs: 2 ** 31 - 1 } });
    expect(client.state).toBe('idle');
    expect((await create({ ...BASE, timeouts: { connectMs: 2 ** 31 } })).details?.field).toBe('timeouts.connectMs');
  });
});

describe('parsing (item 8)', () => {
  it.each(['constructor'])('provider "%s" (a key of Object.prototype) is PROVIDER_UNKNOWN, in a string and in an object', async (name) => {
    expect((await create(`${name}:wss://x.example`)).code).toBe('PROVIDER_UNKNOWN');
    expect((await create({ provider: name })).code).toBe('PROVIDER_UNKNOWN');
  });

  it('?__proto__= is an unknown option, named', async () => {
    const error = await create('sipjs:wss://pbx.example.com/ws?__proto__=x');
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.details?.field).toBe('__proto__');
    expect(error.message).toContain('Unknown option');
  });

  it('a "__proto__" key of a JSON config is an unknown option, not a prototype', async () => {
    const error = await create(JSON.parse('{"provider":"sipjs","server":"wss://pbx.example.com/ws","__proto__":{"password":"x","uri":"sip:a@b.example"}}'));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.details?.field).toBe('__proto__');
  });

  it('fields inherited through an object literal’s __proto__ are refused, not read', async () => {
    const config = { provider: 'sipjs', __proto__: { server: 'wss://pbx.example.com/ws', credentials: { type: 'password', password: 'inherited-pw' } } };
    const error = await create(config);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.details?.field).toBe('config');
    expect(everything(error)).not.toContain('inherited-pw');
  });

  it.each(['sip:alice@example.com>', 'sip:alice@exa mple.com', 'sip:alice@@example.com', 'sip:alice@example.com?X-Evil=1', 'sip:<alice>@example.com'])(
    'uri=%s (not a SIP address sip.js parses as such) → CONFIG_INVALID naming uri',
    async (uri) => {
      const error = await create({ ...BASE, uri });
      expect(error.code).toBe('CONFIG_INVALID');
      expect(error.details?.field).toBe('uri');
    },
  );
});

describe('credentials in URLs and SIP addresses (item 5)', () => {
  it.each([
    ['sipjs:ws://alice:secret-in-url@pbx.example.com/ws', 'server'],
    ['sipjs:wss://pbx.example.com/ws?uri=sip:alice:secret-in-url@example.com', 'uri'],
  ])('%s → CONFIG_INVALID naming %s, the secret never echoed', async (config, field) => {
    const error = await create(config);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.details?.field).toBe(field);
    expect(everything(error)).not.toContain('secret-in-url');
  });
});

describe('text that reaches a SIP header (item 4)', () => {
  const bad = {
    CRLF: 'Alice\r\nX-Forged: yes',
    LF: 'Alice\nContact: <sip:evil@x>',
    NUL: 'Alice\u0000',
    'bidi override': 'Alice\u202Eecila',
    '70 KB': 'A'.repeat(70_000),
  };
  it.each(Object.entries(bad))('displayName with %s → CONFIG_INVALID naming displayName', async (_what, displayName) => {
    const error = await create({ ...BASE, displayName });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.details?.field).toBe('displayName');
    expect(error.message.length).toBeLessThan(300);
  });

  it.each(['alice\r\nX-Forged: yes', 'al"ice', 'alice\u0000'])('authorizationUsername %j → CONFIG_INVALID', async (authorizationUsername) => {
    const error = await create({ ...BASE, authorizationUsername });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.details?.field).toBe('authorizationUsername');
  });

  it('credentials.username with CRLF → CONFIG_INVALID naming it, before any socket', async () => {
    const client = await createVoiceClient(BASE);
    const error = await failure(() => client.authenticate({ type: 'password', username: 'alice\r\nX-Forged: yes', password: 'pw-12345' }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.details?.field).toBe('credentials.username');
    expect(opened).toEqual([]);
  });
});
