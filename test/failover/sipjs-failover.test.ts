// Failover in Node, between two SIP.js configs: one server down, one real Kamailio up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVoiceClient, normalizeTrace, VoiceError } from '../../src/all.js';
import { startKamailio, TEST_USERS, DOMAIN } from '../../lab/kamailio/index.mjs';

let lab: { wsUrl: string; stop(): Promise<void> };
beforeAll(async () => {
  lab = await startKamailio();
});
afterAll(async () => lab?.stop());

const alice = (server: string, password: string = TEST_USERS.alice) => ({
  provider: 'sipjs' as const,
  server,
  uri: `sip:alice@${DOMAIN}`,
  credentials: { type: 'password' as const, password },
});

describe('failover across configs', () => {
  it('primary unreachable → the secondary connects, providerChanged once, UI states unchanged', async () => {
    const client = await createVoiceClient([alice('ws://127.0.0.1:1'), alice(lab.wsUrl)]);
    const changes: unknown[] = [];
    client.on('providerChanged', (e) => changes.push(e));
    await client.connect();
    expect(client.state).toBe('connected');
    expect(changes).toEqual([{ from: 'sipjs', to: 'sipjs' }]);
    expect(normalizeTrace(client.trace())).toEqual([
      'client stateChanged idle>initialized',
      'client stateChanged initialized>authenticated',
      'client stateChanged authenticated>connecting',
      'client providerChanged from=sipjs to=sipjs',
      'client registered',
      'client stateChanged connecting>connected',
    ]);
    await client.disconnect();
  });

  it('primary up → no failover', async () => {
    const client = await createVoiceClient([alice(lab.wsUrl), alice('ws://127.0.0.1:1')]);
    await client.connect();
    expect(normalizeTrace(client.trace())).not.toContain('client providerChanged from=sipjs to=sipjs');
    await client.disconnect();
  });

  it('wrong credentials on the primary are not a reason to fail over', async () => {
    const client = await createVoiceClient([alice(lab.wsUrl, 'not-alices-pw'), alice(lab.wsUrl)]);
    const error = await client.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(VoiceError);
    expect((error as VoiceError).code).toBe('AUTH_REJECTED');
    expect(JSON.stringify(client.trace())).not.toContain('providerChanged');
    expect(JSON.stringify((error as VoiceError).toJSON())).not.toContain('not-alices-pw');
  });

  it('every config unreachable → NETWORK_UNREACHABLE', async () => {
    const client = await createVoiceClient([alice('ws://127.0.0.1:1'), alice('ws://127.0.0.1:2')]);
    const error = (await client.connect().catch((e: unknown) => e)) as VoiceError;
    expect(error.code).toBe('NETWORK_UNREACHABLE');
    expect(client.state).toBe('disconnected');
  });

  it('a bad member config fails at creation', async () => {
    const error = (await createVoiceClient([alice(lab.wsUrl), 'sipjs:nope']).catch((e: unknown) => e)) as VoiceError;
    expect(error.code).toBe('CONFIG_INVALID');
    expect(((await createVoiceClient([]).catch((e: unknown) => e)) as VoiceError).code).toBe('CONFIG_INVALID');
  });
});
