// The telnyx config grammar: checked before anything loads or connects.
import { describe, expect, it } from 'vitest';
import { createVoiceClient, VoiceError } from '../../../src/all.js';
import { provider } from '../../../src/providers/telnyx/index.js';

const parse = (locator: string | undefined, params: Record<string, unknown> = {}) =>
  provider.parseOptions({ locator, params, fromString: false, credentials: undefined });

describe('telnyx options', () => {
  it('defaults to the Telnyx production host; a config string names another', async () => {
    expect(parse(undefined)).toMatchObject({ host: 'wss://rtc.telnyx.com' });
    // The reconnection limit is the client's `reconnect` policy now; the old name still works (deprecated).
    const client = await createVoiceClient('telnyx:ws://127.0.0.1:9?reconnectAttempts=2');
    expect(client.provider).toBe('telnyx');
    expect(await createVoiceClient('telnyx:ws://127.0.0.1:9?reconnect.attempts=2')).toBeDefined();
    expect(parse('ws://127.0.0.1:9')).toMatchObject({ host: 'ws://127.0.0.1:9' });
  });

  it('keepAliveIntervalMs: 15 000 by default, 0 turns the keep-alive off, 1 000 … 600 000 otherwise', () => {
    expect(parse(undefined).keepAliveIntervalMs).toBe(15_000);
    expect(parse(undefined, { keepAliveIntervalMs: 0 }).keepAliveIntervalMs).toBe(0);
    expect(parse('ws://127.0.0.1:9', { keepAliveIntervalMs: '1000' }).keepAliveIntervalMs).toBe(1_000);
  });

  it.each([
    ['http://example.com', {}, 'server'],
    ['not a url', {}, 'server'],
    ['wss://user:pw@rtc.example.com', {}, 'server'],
    [undefined, { password: 'x-secret-1' }, 'password'],
    [undefined, { login_token: 'x.y.z' }, 'login_token'],
    [undefined, { reconnectAttempts: '0' }, 'reconnectAttempts'],
    [undefined, { region: 'eu' }, 'region'],
    [undefined, { keepAliveIntervalMs: '500' }, 'keepAliveIntervalMs'],
    [undefined, { keepAliveIntervalMs: 600_001 }, 'keepAliveIntervalMs'],
  ])('%s %j → CONFIG_INVALID naming %s, without echoing a secret', (locator, params, field) => {
    let error: unknown;
    try {
      parse(locator, params);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(VoiceError);
    expect((error as VoiceError).code).toBe('CONFIG_INVALID');
    expect((error as VoiceError).details).toMatchObject({ field });
    expect(JSON.stringify((error as VoiceError).toJSON())).not.toContain('x-secret-1');
  });

  it('credentials of the wrong kind are refused before any network', async () => {
    // @ts-expect-error telnyx takes no accessToken credentials: the types refuse them, and so must the runtime check for untyped callers
    const client = await createVoiceClient({ provider: 'telnyx', server: 'ws://127.0.0.1:9', credentials: { type: 'accessToken', userId: 'u', accessToken: 'tok-123456' } });
    await expect(client.connect()).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    const noLogin = await createVoiceClient({ provider: 'telnyx', server: 'ws://127.0.0.1:9', credentials: { type: 'password', password: 'pw-123456' } });
    await expect(noLogin.connect()).rejects.toMatchObject({ code: 'CONFIG_INVALID', details: { field: 'credentials.login' } });
  });
});
