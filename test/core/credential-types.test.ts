// A provider definition declares the credential types it takes; the core refuses any other
// (UNSUPPORTED) before the provider sees them, so before anything reaches the network.
import { describe, expect, it } from 'vitest';
import { cognigy, createVoiceClient, sendbird, sipjs, telnyx, type ProviderDefinitionV1 } from '../../src/all.js';
import { newScript, scriptedProvider, type Script } from './scripted-provider.js';

function takingPasswords(script: Script): ProviderDefinitionV1<null> {
  return { ...scriptedProvider(script), credentialTypes: ['password'] };
}

describe('credential types', () => {
  it('credentials of another type: UNSUPPORTED from authenticate(), the provider never asked', async () => {
    const script = newScript();
    const asked: string[] = [];
    script.authenticate = async (credentials) => void asked.push(credentials.type);
    const client = await createVoiceClient({ provider: takingPasswords(script) });
    await expect(client.authenticate({ type: 'jwt', token: 'header.payload.signature' })).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      details: { field: 'credentials' },
      message: 'The scripted provider takes "password" credentials, not "jwt".',
    });
    expect(asked).toEqual([]);
    await client.authenticate({ type: 'password', password: 'secret-password' });
    expect(asked).toEqual(['password']);
  });

  it('config credentials of another type: connect() refuses them before the provider connects', async () => {
    const script = newScript();
    let connects = 0;
    script.connect = async () => (connects++, { registered: true });
    const client = await createVoiceClient({ provider: takingPasswords(script), credentials: { type: 'accessToken', userId: 'u', accessToken: 'a-token-value' } });
    await expect(client.connect()).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    expect(connects).toBe(0);
  });

  it('failover checks each member against its own definition', async () => {
    const first = newScript();
    const second = newScript();
    first.connect = async () => {
      throw new (await import('../../src/all.js')).VoiceError('NETWORK_UNREACHABLE', 'down');
    };
    let secondConnects = 0;
    second.connect = async () => (secondConnects++, { registered: true });
    const client = await createVoiceClient([
      { provider: scriptedProvider(first) },
      { provider: takingPasswords(second), credentials: { type: 'jwt', token: 'header.payload.signature' } },
    ]);
    await expect(client.connect()).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    expect(secondConnects).toBe(0);
  });

  it('refreshToken() with credentials of another type: UNSUPPORTED, the provider never asked', async () => {
    const script = newScript();
    const client = await createVoiceClient({ provider: takingPasswords(script), credentials: { type: 'password', password: 'secret-password' } });
    await client.connect();
    const refreshed: string[] = [];
    client.on('tokenRefreshed', () => refreshed.push('refreshed'));
    await expect(client.refreshToken({ type: 'jwt', token: 'header.payload.signature' })).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      message: 'The scripted provider takes "password" credentials, not "jwt".',
    });
    await client.refreshToken({ type: 'password', password: 'next-password' });
    expect(refreshed).toEqual(['refreshed']);
  });

  it('the four providers declare what they take', () => {
    expect(sipjs.credentialTypes).toEqual(['password', 'anonymous']);
    expect(cognigy.credentialTypes).toEqual(['anonymous']);
    expect(telnyx.credentialTypes).toEqual(['jwt', 'password', 'anonymous']);
    expect(sendbird.credentialTypes).toEqual(['accessToken']);
  });
});
