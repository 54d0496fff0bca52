// The sendbird config grammar: checked before any SDK load or request, secrets refused as options.
import { describe, expect, it } from 'vitest';
import { createVoiceClient, VoiceError } from '../../../src/all.js';

async function configError(config: Parameters<typeof createVoiceClient>[0]): Promise<VoiceError> {
  const error = await createVoiceClient(config).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VoiceError);
  return error as VoiceError;
}

describe('sendbird config', () => {
  it('accepts the app id with the lab hosts, or alone (Sendbird\'s own hosts)', async () => {
    const lab = await createVoiceClient('sendbird:POLYPHONE-LAB-APP?apiHost=http%3A%2F%2F127.0.0.1%3A4000&wsHost=ws%3A%2F%2F127.0.0.1%3A4000');
    expect(lab.provider).toBe('sendbird');
    expect(lab.state).toBe('idle');
    const real = await createVoiceClient('sendbird:7E1F0A2B-1234-4C5D-9E8F-ABCDEF012345');
    expect(real.capabilities.dtmf).toBe(false);
  });

  it.each([
    ['sendbird', 'appId'],
    ['sendbird:bad app id', 'appId'],
    ['sendbird:APP?apiHost=ws%3A%2F%2F127.0.0.1%3A1', 'apiHost'],
    ['sendbird:APP?wsHost=http%3A%2F%2F127.0.0.1%3A1', 'wsHost'],
    ['sendbird:APP?wsHost=not-a-url', 'wsHost'],
    ['sendbird:APP?apiHost=http%3A%2F%2F127.0.0.1%3A1%3Fx%3D1', 'apiHost'],
    ['sendbird:APP?loginTimeoutMs=5', 'loginTimeoutMs'],
    ['sendbird:APP?reconnectTimeoutMs=abc', 'reconnectTimeoutMs'],
    ['sendbird:APP?wshost=ws%3A%2F%2F127.0.0.1%3A1', 'wshost'],
  ])('%s → CONFIG_INVALID naming %s', async (config, field) => {
    const error = await configError(config);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.details?.field).toBe(field);
  });

  it('refuses an access token as an option, without echoing it', async () => {
    const error = await configError('sendbird:APP?accessToken=s3cret-token-value');
    expect(error.code).toBe('CONFIG_INVALID');
    expect(JSON.stringify(error)).not.toContain('s3cret-token-value');
  });

  it('refuses credentials of another kind in an object config', async () => {
    const error = await configError({ provider: 'sendbird', server: 'APP', credentials: { type: 'password', password: 'pw-123456' } });
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', details: { field: 'credentials' } });
    expect(JSON.stringify(error)).not.toContain('pw-123456');
  });

  it('in Node (no WebRTC) init fails with WEBRTC_UNSUPPORTED, not a vendor string', async () => {
    const client = await createVoiceClient('sendbird:APP');
    const error = await client.init().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'WEBRTC_UNSUPPORTED', provider: 'sendbird' });
  });
});
