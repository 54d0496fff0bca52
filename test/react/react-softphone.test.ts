// polyphone/react in a real React 19 app (development build, so StrictMode really mounts twice),
// bundled by esbuild, in headless Chromium, calling through a real Kamailio: connect, call, mute,
// hold, call waiting and hangup are clicked in the UI, and what the UI shows comes from the hooks.
// Audio is proven by getStats(); the other parties are plain lab pages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startKamailio, TEST_USERS } from '../../lab/kamailio/index.mjs';
import { launchBrowser } from '../../lab/browser/index.mjs';
import { startPageServer } from '../../lab/browser/server.mjs';
import { PageClient, closePage } from '../support/browser-clients.js';
import { waitForRisingAudio, waitForSilence, type AudioStats } from '../support/audio.js';

type LabPage = Page & { pageErrors: string[]; inboundAudio(): Promise<AudioStats & Record<string, number>> };
type Lab = { wsUrl: string; domain: string; stop(): Promise<void> };

let lab: Lab;
let browser: { newPage(options?: { url?: string; waitFor?: string }): Promise<LabPage>; close(): Promise<void> };
let server: { url: string; stop(): Promise<void> };
let scratch: string;

const APP_HTML = `<!doctype html><html><head><meta charset="utf-8"><title>polyphone react</title></head><body><div id="root"></div>
<script type="module" src="/react-app.js"></script></body></html>`;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'polyphone-react-'));
  // Development React: StrictMode's double mount happens only there.
  await build({
    entryPoints: { 'react-app': join(import.meta.dirname, 'softphone-app.ts') },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    outdir: scratch,
    logLevel: 'silent',
    define: { global: 'globalThis', 'process.env.NODE_ENV': '"development"' },
  });
  const script = readFileSync(join(scratch, 'react-app.js'));
  server = await startPageServer({
    routes: {
      '/react.html': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(APP_HTML);
      },
      '/react-app.js': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/javascript' });
        res.end(script);
      },
    },
  });
  lab = await startKamailio();
  browser = await launchBrowser({ pageUrl: server.url });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await lab?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const sipConfig = (user: 'alice' | 'bob' | 'carol', extra: Record<string, unknown> = {}) => ({
  provider: 'sipjs',
  server: lab.wsUrl,
  uri: `sip:${user}@${lab.domain}`,
  credentials: { type: 'password', password: (TEST_USERS as Record<string, string>)[user] },
  iceServers: [],
  ...extra,
});

const app = (page: Page) => page.evaluate(() => {
  const a = (window as any).__app;
  return { creations: a.creations as number, effectRuns: a.effectRuns as number, liveHandlers: a.liveHandlers as number, listenerCount: a.listenerCount() as number, errors: a.errors as string[], clientState: a.client?.state as string | undefined };
});

/** The call rows as the UI renders them from useCalls(). */
const rows = (page: Page) =>
  page.$$eval('#calls li', (items) => items.map((li) => ({ id: Number(li.getAttribute('data-call')), state: li.getAttribute('data-state'), muted: li.getAttribute('data-muted'), held: li.getAttribute('data-held'), direction: li.getAttribute('data-direction') })));

const row = (id: number) => `#calls li[data-call="${id}"]`;
const click = (page: Page, id: number, action: string) => page.click(`${row(id)} button[data-action="${action}"]`);
const rowState = (page: Page, id: number, state: string) => page.waitForSelector(`${row(id)}[data-state="${state}"]`, { timeout: 30_000 });

// Bound per test: on a machine shared with other browsers a call scenario can take minutes.
const SLOW_TEST_MS = 180_000;

describe('polyphone/react in a React 19 app (Chromium + Kamailio)', () => {
  it('StrictMode makes one client; connect, call, mute, hold, call waiting and hangup through the UI; unmount leaves no listener', async () => {
    const bobPage = await browser.newPage();
    const carolPage = await browser.newPage();
    const alicePage = await browser.newPage({ url: `${server.url}react.html`, waitFor: 'window.appReady === true' });
    try {
      const bob = await PageClient.create(bobPage, 'bob', sipConfig('bob'));
      const carol = await PageClient.create(carolPage, 'carol', sipConfig('carol'));
      await bob.connect();
      await carol.connect();

      await alicePage.evaluate((config) => (window as any).__mount(config), sipConfig('alice', { maxCalls: 2 }));
      await alicePage.waitForSelector('#client-state[data-state="idle"]');
      // StrictMode ran the effects twice (a development build), yet one client was made.
      await alicePage.waitForFunction(() => (window as any).__app.effectRuns === 2);
      expect((await app(alicePage)).creations).toBe(1);

      await alicePage.click('#connect');
      await alicePage.waitForSelector('#client-state[data-state="connected"]', { timeout: 30_000 });

      await alicePage.fill('#target', `sip:bob@${lab.domain}`);
      await alicePage.click('#call');
      await bob.waitForLine('client incomingCall');
      await bob.must('answer');
      await rowState(alicePage, 1, 'active');
      // Sound from bob reaches alice (receiver getStats in alice's page).
      const heard = await waitForRisingAudio(alicePage as never);
      expect(heard.packets).toBeGreaterThan(0);
      expect(heard.energy).toBeGreaterThan(0);

      await click(alicePage, 1, 'mute');
      await alicePage.waitForSelector(`${row(1)}[data-muted="true"]`);
      await waitForSilence(bobPage as never); // alice muted: bob hears nothing
      await click(alicePage, 1, 'unmute');
      await alicePage.waitForSelector(`${row(1)}[data-muted="false"]`);

      await click(alicePage, 1, 'hold');
      await rowState(alicePage, 1, 'held');
      await bob.waitForLine('call#1 held by=remote');
      await click(alicePage, 1, 'unhold');
      await rowState(alicePage, 1, 'active');
      await bob.waitForLine('call#1 unheld by=remote');

      // Call waiting: carol calls while bob is on; the UI offers her, answering holds bob.
      expect((await carol.call(`sip:alice@${lab.domain}`)).outcome).toBe('ok');
      await rowState(alicePage, 2, 'ringing');
      expect(await rows(alicePage)).toEqual([
        { id: 1, state: 'active', muted: 'false', held: 'false', direction: 'outgoing' },
        { id: 2, state: 'ringing', muted: 'false', held: 'false', direction: 'incoming' },
      ]);
      await click(alicePage, 2, 'answer');
      await rowState(alicePage, 2, 'active');
      await rowState(alicePage, 1, 'held');
      await bob.waitForLine('call#1 held by=remote');
      await carol.waitForLine('call#1 active');
      const carolHears = await waitForRisingAudio(carolPage as never);
      expect(carolHears.energy).toBeGreaterThan(0);

      await click(alicePage, 2, 'hangup');
      await carol.waitForLine('call#1 ended reason=remoteHangup');
      await alicePage.waitForSelector(row(2), { state: 'detached' });
      await click(alicePage, 1, 'hangup');
      await bob.waitForLine('call#1 ended reason=remoteHangup');
      await alicePage.waitForSelector('#calls[data-count="0"]', { state: 'attached' });

      const mounted = await app(alicePage);
      expect(mounted.errors).toEqual([]);
      expect(mounted.liveHandlers).toBeGreaterThan(0);
      expect(mounted.listenerCount).toBeGreaterThan(0);

      // Unmount: the store lets go of every handler and the provider disconnects its client.
      await alicePage.evaluate(() => (window as any).__unmount());
      await alicePage.waitForFunction(() => (window as any).__app.client.state === 'disconnected', undefined, { timeout: 30_000 });
      const after = await app(alicePage);
      expect(after).toMatchObject({ creations: 1, liveHandlers: 0, listenerCount: 0, clientState: 'disconnected' });
      expect(alicePage.pageErrors).toEqual([]);
    } finally {
      await closePage(bobPage);
      await closePage(carolPage);
      await alicePage.context().close();
    }
  }, SLOW_TEST_MS);
});
