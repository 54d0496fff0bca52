// ConformanceTarget.providerModule: a provider polyphone does not ship is bundled into the lab
// page with polyphone and chosen by its name in a plain-data config, and its VoiceErrors keep
// their codes (they are polyphone's own class, not a copy the core would not recognise).
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PageClient } from '../support/browser-clients.js';
import { openConformanceBrowser } from './suite.js';

let lab: Awaited<ReturnType<typeof openConformanceBrowser>>;

beforeAll(async () => {
  lab = await openConformanceBrowser({ name: 'refusing', providerModule: fileURLToPath(new URL('./fixtures/refusing-provider.ts', import.meta.url)) });
});
afterAll(async () => {
  await lab?.close();
});

it('a config naming the module\'s provider gets it; its AUTH_REJECTED arrives as AUTH_REJECTED', async () => {
  const page = await lab.newPage();
  const config = (password: string) => ({ provider: 'refusing', credentials: { type: 'password', password } });
  const refused = await PageClient.create(page, 'refused', config('not-the-password'));
  const result = await refused.op('connect');
  expect(result.outcome).toBe('AUTH_REJECTED');
  expect(result.error?.provider).toBe('refusing');
  const accepted = await PageClient.create(page, 'accepted', config('the-one-password'));
  expect((await accepted.op('connect')).outcome).toBe('ok');
  expect((await accepted.state()).client).toBe('connected');
  expect(await page.evaluate(() => (window as any).__clients.accepted.client.provider)).toBe('refusing');
  // The built-in providers still load by name in the same page.
  const builtIn = await PageClient.create(page, 'builtin', { provider: 'sipjs', server: 'ws://127.0.0.1:1', uri: 'sip:a@b.test', credentials: { type: 'password', password: 'x-pw-1234' } });
  expect((await builtIn.op('connect')).outcome).toBe('NETWORK_UNREACHABLE');
});
