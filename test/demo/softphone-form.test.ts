// The softphone for a person: a fixed port, and a form for one's own config string and
// credentials, which stay in the page's memory (never in the URL, storage or cookies).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../lab/browser/index.mjs';
import { startKamailio, TEST_USERS, DOMAIN } from '../../lab/kamailio/index.mjs';
import { unusedLoopbackPort } from '../../lab/ports.mjs';
import { startDemoServer } from '../../demo/server.mjs';

let kamailio: any;
let server: any;
let browser: any;
let port: number;
beforeAll(async () => {
  kamailio = await startKamailio();
  port = await unusedLoopbackPort();
  server = await startDemoServer([], { port });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await kamailio?.stop();
});

async function connectWith(password: string) {
  const page = await browser.newPage({ url: `${server.url}demo`, waitFor: 'window.softphone !== undefined' });
  await page.fill('#config', `sipjs:${kamailio.wsUrl}?uri=sip:alice@${DOMAIN}`);
  await page.selectOption('#cred-type', 'password');
  await page.fill('#cred-secret', password);
  await page.click('#connect');
  await page.waitForFunction(() => ['connected', 'disconnected'].includes(document.body.dataset.clientState ?? '') || document.getElementById('last-error')!.textContent !== '', undefined, { timeout: 15_000 });
  return page;
}

describe('softphone form', () => {
  it('serves on the port it is given, so a person gets the same URL every time', () => {
    expect(server.url).toBe(`http://127.0.0.1:${port}/`);
  });

  it("connects with one's own config string and password, keeping the password out of URL, storage, cookies and the log", async () => {
    const password = TEST_USERS.alice as string;
    const page = await connectWith(password);
    expect(await page.evaluate(() => document.body.dataset.clientState)).toBe('connected');
    const leaks = await page.evaluate(
      (secret: string) => ({
        url: location.href.includes(secret),
        local: JSON.stringify({ ...localStorage }).includes(secret),
        session: JSON.stringify({ ...sessionStorage }).includes(secret),
        cookie: document.cookie.includes(secret),
        log: document.getElementById('log')!.textContent!.includes(secret),
        field: (document.getElementById('cred-secret') as HTMLInputElement).value,
      }),
      password,
    );
    expect(leaks).toEqual({ url: false, local: false, session: false, cookie: false, log: false, field: '' });
  });

  it('the typed credentials are the ones used: a wrong password is AUTH_REJECTED', async () => {
    const page = await connectWith('not-the-password');
    await page.waitForFunction(() => document.getElementById('last-error')!.textContent !== '', undefined, { timeout: 15_000 });
    expect(await page.textContent('#last-error')).toBe('AUTH_REJECTED');
  });
});
