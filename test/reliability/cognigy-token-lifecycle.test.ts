// Cognigy's credential lifecycle through its own mechanism: the endpoint's `expiresAt` brings a
// `tokenWillExpire` 60 s ahead; refreshToken() fetches a fresh config and re-REGISTERs on the same
// socket (`tokenRefreshed`, no reconnect), and the next warning follows the new expiry; a refused
// refresh keeps the session registered and warns no more. (The refresh itself and its refusals
// are covered in test/providers/cognigy/connect.test.ts; this is the expiry half.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVoiceClient, normalizeTrace } from '../../src/all.js';
import { startKamailio } from '../../lab/kamailio/index.mjs';
import { cognigyUsers, startCognigyBackend } from '../../lab/cognigy/index.mjs';

let kamailio: Awaited<ReturnType<typeof startKamailio>>;
let backend: Awaited<ReturnType<typeof startCognigyBackend>>;
// The provider warns 60 s before expiry: a 61.5 s lifetime brings the warning 1.5 s after connect.
const LIFETIME_MS = 61_500;

beforeAll(async () => {
  kamailio = await startKamailio({ users: cognigyUsers(1) });
  backend = await startCognigyBackend({ kamailio, credentialLifetimeMs: LIFETIME_MS });
});
afterAll(async () => {
  await backend?.stop();
  await kamailio?.stop();
});

function nextWarning(client: Awaited<ReturnType<typeof createVoiceClient>>, timeoutMs: number): Promise<{ expiresAt: number | undefined; at: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no tokenWillExpire within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = client.on('tokenWillExpire', ({ expiresAt }) => {
      clearTimeout(timer);
      off();
      resolve({ expiresAt, at: Date.now() });
    });
  });
}

describe('cognigy token lifecycle', () => {
  it('expiresAt → tokenWillExpire → refreshToken() → tokenRefreshed on the same socket, and the next warning follows the new expiry', async () => {
    const client = await createVoiceClient({ provider: 'cognigy', server: backend.url('live'), userId: 'expiry', signalingOnly: true });
    backend.setLiveMode('ok');
    try {
      const connectedAt = Date.now();
      const firstWarning = nextWarning(client, 5_000);
      await client.connect();
      const first = await firstWarning;
      // The warning comes a minute ahead of the expiry the endpoint gave.
      expect(first.expiresAt).toBeGreaterThan(connectedAt + LIFETIME_MS - 1_000);
      expect(first.expiresAt! - first.at).toBeGreaterThan(59_000);
      expect(first.expiresAt! - first.at).toBeLessThanOrEqual(60_500);

      const refreshed = new Promise<void>((resolve) => client.on('tokenRefreshed', () => resolve()));
      const secondWarning = nextWarning(client, 5_000);
      await client.refreshToken();
      await refreshed;
      const second = await secondWarning;
      expect(second.expiresAt).toBeGreaterThan(first.expiresAt!);
      expect(client.state).toBe('connected');
      // Refreshed in place: never reconnecting, never unregistered.
      const trace = normalizeTrace(client.trace());
      expect(trace).not.toContain('client stateChanged connected>reconnecting');
      expect(trace).not.toContain('client unregistered');
      expect(trace.filter((l) => l === 'client tokenWillExpire')).toHaveLength(2);
      expect(trace).toContain('client tokenRefreshed');

      // A refused refresh keeps the registration and schedules no warning of its own.
      backend.setLiveMode('bad-credentials');
      await expect(client.refreshToken()).rejects.toMatchObject({ code: 'AUTH_REJECTED' });
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(client.state).toBe('connected');
      const after = normalizeTrace(client.trace());
      expect(after.filter((l) => l === 'client tokenWillExpire')).toHaveLength(2);
      expect(after).not.toContain('client unregistered');
    } finally {
      backend.setLiveMode('ok');
      await client.disconnect();
    }
  }, 30_000);
});
