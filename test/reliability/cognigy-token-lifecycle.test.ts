// Cognigy's credential lifecycle as the real endpoint makes it: the reply carries no expiry, so
// the provider declares that it raises no tokenWillExpire (none comes, whatever the reply adds);
// refreshToken() still fetches a fresh config and re-REGISTERs on the same socket
// (`tokenRefreshed`, no reconnect, the registration never lost), and a refused refresh keeps the
// session registered. (Refusals of a refresh are covered in test/providers/cognigy/connect.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVoiceClient, normalizeTrace } from '../../src/all.js';
import { startKamailio } from '../../lab/kamailio/index.mjs';
import { cognigyUsers, startCognigyBackend } from '../../lab/cognigy/index.mjs';

let kamailio: Awaited<ReturnType<typeof startKamailio>>;
let backend: Awaited<ReturnType<typeof startCognigyBackend>>;

beforeAll(async () => {
  kamailio = await startKamailio({ users: cognigyUsers(1) });
  backend = await startCognigyBackend({ kamailio });
});
afterAll(async () => {
  await backend?.stop();
  await kamailio?.stop();
});

describe('cognigy token lifecycle', () => {
  it('no expiry in the reply → no tokenWillExpire; refreshToken() re-REGISTERs in place; a refused refresh keeps the registration', async () => {
    // A reply with an expiry-like field of the invented format, a second ahead: the real format has
    // none, so it must be ignored, not turned into a warning.
    backend.setCustomReply(({ validConfig }) => ({ body: JSON.stringify({ ...validConfig, expiresAt: Date.now() + 1_000 }) }));
    backend.setLiveMode('custom');
    const client = await createVoiceClient({ provider: 'cognigy', server: backend.url('live'), userId: 'lifecycle', signalingOnly: true });
    const warnings: unknown[] = [];
    client.on('tokenWillExpire', (event) => warnings.push(event));
    try {
      await client.connect();
      const refreshed = new Promise<void>((resolve) => client.on('tokenRefreshed', () => resolve()));
      await client.refreshToken();
      await refreshed;
      expect(client.state).toBe('connected');

      backend.setLiveMode('bad-credentials');
      await expect(client.refreshToken()).rejects.toMatchObject({ code: 'AUTH_REJECTED' });
      // Long enough for any warning scheduled from the expiry-like field to have fired.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(client.state).toBe('connected');
      expect(warnings).toEqual([]);
      const trace = normalizeTrace(client.trace());
      expect(trace).not.toContain('client tokenWillExpire');
      expect(trace).not.toContain('client stateChanged connected>reconnecting');
      expect(trace).not.toContain('client unregistered');
      expect(trace.filter((l) => l === 'client tokenRefreshed')).toHaveLength(1);
      // Still registered after the refused refresh: a fresh refresh works on the same session.
      backend.setLiveMode('ok');
      await client.refreshToken();
      expect(normalizeTrace(client.trace()).filter((l) => l === 'client tokenRefreshed')).toHaveLength(2);
    } finally {
      backend.setLiveMode('ok');
      await client.disconnect();
    }
  }, 30_000);
});
