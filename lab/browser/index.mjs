// Headless Debian Chromium for calls with real media: fake microphone, loopback ICE, one browser
// context per user, and the receiver's getStats() to prove audio.
import { chromium } from 'playwright-core';
import { existsSync } from 'node:fs';
import { startPageServer } from './server.mjs';
import { waitForAudio } from './engines.mjs';

export const CHROMIUM_PATH = '/usr/bin/chromium';
const BASE_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--autoplay-policy=no-user-gesture-required',
];

// Every RTCPeerConnection any vendor SDK makes is kept in window.__pcs, so a test reads the
// receiver's stats whatever the SDK. A subclass keeps `instanceof` and statics working.
// Chromium decodes received audio (and counts totalAudioEnergy) only when something plays it, as
// a user's speaker would: every remote track is played by a muted-to-nobody <audio> element.
// A page opened with playRemoteAudio: false skips that, so energy > 0 then proves the code under
// test plays the remote audio itself.
export const INIT_SCRIPT = `(() => {
  const Native = window.RTCPeerConnection;
  if (!Native || window.__pcs) return;
  window.__pcs = [];
  window.__speakers = [];
  const play = (event) => {
    if (event.track.kind !== 'audio' || window.__playRemoteAudio === false) return;
    const speaker = new Audio();
    speaker.srcObject = new MediaStream([event.track]);
    speaker.play().catch(() => {});
    window.__speakers.push(speaker);
  };
  class Recorded extends Native {
    constructor(...args) { super(...args); window.__pcs.push(this); this.addEventListener('track', play); }
  }
  window.RTCPeerConnection = Recorded;
  window.webkitRTCPeerConnection = Recorded;
})();`;

/** @type {Set<import('playwright-core').Browser>} */
const browsers = new Set();
/** @type {Set<{ stop(): Promise<void> }>} */
const servers = new Set();
/** Loaded only when a Firefox is asked for. @type {Promise<typeof import('./firefox.mjs')> | undefined} */
let firefox;

/**
 * @typedef {import('./lab-page.mjs').ChromiumLabPage} PolyPage
 * @typedef {import('./lab-page.mjs').AudioStats} AudioStats
 * @typedef {import('./lab-page.mjs').LabPage} LabPage
 * @typedef {import('./lab-page.mjs').PageOptions} PageOptions
 * @typedef {{ denyMedia?: boolean, pageUrl?: string, engine?: import('./engines.mjs').Engine, autoplayPolicy?: string }} LaunchOptions
 */
/**
 * @template {LabPage} P
 * @typedef {import('./lab-page.mjs').LabBrowser<P>} LabBrowser
 */

// Runs in the page, so it must not close over anything from Node.
/**
 * @param {'inbound-rtp' | 'outbound-rtp'} direction
 * @returns {Promise<AudioStats>}
 */
async function pageAudioStats(direction) {
  const pcs = (window.__pcs ?? []).filter((pc) => pc.connectionState !== 'closed' && pc.signalingState !== 'closed');
  const out = { packetsReceived: 0, packetsSent: 0, totalAudioEnergy: 0, bytesReceived: 0, bytesSent: 0, pcs: pcs.length };
  for (const pc of pcs) {
    const report = await pc.getStats();
    report.forEach((s) => {
      if (s.type !== direction || (s.kind ?? s.mediaType) !== 'audio') return;
      out.packetsReceived += s.packetsReceived ?? 0;
      out.packetsSent += s.packetsSent ?? 0;
      out.totalAudioEnergy += s.totalAudioEnergy ?? 0;
      out.bytesReceived += s.bytesReceived ?? 0;
      out.bytesSent += s.bytesSent ?? 0;
    });
  }
  return out;
}

/**
 * `engine: 'firefox'` gives Firefox ESR (firefox.mjs) behind the same interface; default Chromium.
 * Its pages are full Playwright pages only when the engine is known to be Chromium (no engine
 * given, or 'chromium'); an engine chosen at run time gives pages both engines answer.
 * @overload
 * @param {LaunchOptions & { engine: import('./engines.mjs').Engine }} options
 * @returns {Promise<LabBrowser<LabPage>>}
 */
/**
 * @overload
 * @param {LaunchOptions & { engine?: 'chromium' }} [options]
 * @returns {Promise<LabBrowser<PolyPage> & { engine: 'chromium', browser: import('playwright-core').Browser }>}
 */
/**
 * @param {LaunchOptions} [options]
 * @returns {Promise<LabBrowser<LabPage> & { browser: import('playwright-core').Browser | import('puppeteer-core').Browser }>}
 */
export async function launchBrowser(options = {}) {
  if (options.engine === 'firefox') return (await (firefox ??= import('./firefox.mjs'))).launchFirefox(options);
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing: run node scripts/setup.mjs (apt-get install chromium)`);
  // Without the fake UI flag, a headless page's getUserMedia is refused (NotAllowedError).
  // `autoplayPolicy` replaces the lab's default (play without a gesture), e.g. with Chromium's
  // 'document-user-activation-required' to test what a page does when audio is refused.
  const base = options.autoplayPolicy ? [...BASE_ARGS.filter((a) => !a.startsWith('--autoplay-policy=')), `--autoplay-policy=${options.autoplayPolicy}`] : BASE_ARGS;
  const args = options.denyMedia ? base : [...base, '--use-fake-ui-for-media-stream'];
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args });
  browsers.add(browser);
  /** @type {{ url: string, stop(): Promise<void> } | undefined} */
  let server;
  const pageUrl = async () => {
    if (options.pageUrl) return options.pageUrl;
    server ??= await startPageServer();
    servers.add(server);
    return server.url;
  };
  return {
    engine: /** @type {const} */ ('chromium'),
    browser,
    /**
     * A new user: its own context and page, loaded and ready.
     * @param {PageOptions} [pageOptions]
     * @returns {Promise<PolyPage>}
     */
    async newPage(pageOptions = {}) {
      const context = await browser.newContext();
      if (pageOptions.playRemoteAudio === false) await context.addInitScript('window.__playRemoteAudio = false;');
      await context.addInitScript(INIT_SCRIPT);
      const page = /** @type {PolyPage} */ (await context.newPage());
      // Playwright's Page has a pageErrors() method of its own: the lab's array replaces it.
      Object.assign(page, { consoleLines: [], pageErrors: [] });
      page.on('console', (m) => page.consoleLines.push(m.text()));
      page.on('pageerror', (e) => page.pageErrors.push(String(e?.stack ?? e)));
      page.inboundAudio = () => page.evaluate(pageAudioStats, /** @type {const} */ ('inbound-rtp'));
      page.outboundAudio = () => page.evaluate(pageAudioStats, /** @type {const} */ ('outbound-rtp'));
      page.waitForAudio = (options) => waitForAudio(page, options);
      await page.goto(pageOptions.url ?? (await pageUrl()));
      await page.waitForFunction(pageOptions.waitFor ?? 'window.pageReady === true', undefined, { timeout: 20_000 });
      return page;
    },
    async close() {
      browsers.delete(browser);
      await browser.close().catch(() => {});
      if (server) {
        servers.delete(server);
        await server.stop();
      }
    },
  };
}

/** Closes every browser and page server this process launched. */
export async function closeAll() {
  if (firefox) await (await firefox).closeAllFirefox();
  await Promise.all([...browsers].map((b) => b.close().catch(() => {})));
  browsers.clear();
  await Promise.all([...servers].map((s) => s.stop().catch(() => {})));
  servers.clear();
}

// No exit hook of our own: a launched Browser has no handle on its process, and playwright-core
// already kills every Chromium it launched on exit, SIGINT, SIGTERM and SIGHUP.
