// Headless Debian Firefox ESR for calls with real media, driven by puppeteer-core over WebDriver
// BiDi (Playwright needs its own patched Firefox, which cannot be downloaded here). Each page is
// wrapped so it answers the few Playwright Page calls the tests and the conformance suite make
// (evaluate, waitForFunction, waitForSelector, click, addScriptTag, screenshot, context().close()),
// plus the lab's own inboundAudio()/outboundAudio()/waitForAudio().
import puppeteer from 'puppeteer-core';
import { existsSync } from 'node:fs';
import { startPageServer } from './server.mjs';
import { INIT_SCRIPT } from './index.mjs';
import { waitForAudio } from './engines.mjs';

export const FIREFOX_PATH = '/usr/bin/firefox-esr';

const BASE_PREFS = {
  // A fake microphone (a steady tone) instead of a device.
  'media.navigator.streams.fake': true,
  // Remote audio plays without a user gesture, as Chromium's --autoplay-policy flag allows.
  'media.autoplay.default': 0,
  'media.autoplay.block-webaudio': false,
  // Loopback ICE: Firefox leaves 127.0.0.1 out of its candidates unless told, and would hide host
  // addresses behind mDNS names another page cannot resolve.
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  // Every lab page is a user in a browser of its own, whose page has the focus; here they share
  // one browser where only one page can. Firefox holds enumerateDevices() back in an unfocused
  // document (sendbird-calls' caller then never opens its microphone and sends silence).
  'media.devices.unfocused.enabled': true,
  // No background traffic leaving the machine.
  'app.update.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'extensions.update.enabled': false,
};
// getUserMedia granted without a prompt, or refused (NotAllowedError) for denyMedia.
const GRANT = { 'media.navigator.permission.disabled': true };
const DENY = { 'media.navigator.permission.disabled': false, 'permissions.default.microphone': 2, 'permissions.default.camera': 2 };

/**
 * The summed audio stats of every peer connection in the page, as Chromium's lab counts them, but
 * for what a person would hear. Firefox computes inbound-rtp totalAudioEnergy where audio is
 * decoded, before the track: it goes on counting a received track the page disabled, which renders
 * silence. (Chromium measures at playout, where a disabled track adds 0.) A Web Audio analyser on
 * the track would measure the rendered sound, but headless Firefox here has no audio device and its
 * AudioContext never leaves `suspended`. So a track's energy between two readings counts only if
 * the track is enabled at the later one (the total stays monotonic); packets and bytes count
 * always. Runs in the page: it must not close over anything from Node.
 * @param {'inbound-rtp' | 'outbound-rtp'} direction
 * @returns {Promise<import('./lab-page.mjs').AudioStats>}
 */
async function firefoxAudioStats(direction) {
  const pcs = (window.__pcs ?? []).filter((pc) => pc.connectionState !== 'closed' && pc.signalingState !== 'closed');
  const out = { packetsReceived: 0, packetsSent: 0, totalAudioEnergy: 0, bytesReceived: 0, bytesSent: 0, pcs: pcs.length };
  // stats id → { raw: the decoder's total at the last reading, heard: what was counted of it }
  const heard = (window.__heardEnergy ??= new Map());
  for (const pc of pcs) {
    const silenced = new Set(pc.getReceivers().flatMap((r) => (r.track && !r.track.enabled ? [r.track.id] : [])));
    const report = await pc.getStats();
    report.forEach((s) => {
      if (s.type !== direction || (s.kind ?? s.mediaType) !== 'audio') return;
      out.packetsReceived += s.packetsReceived ?? 0;
      out.packetsSent += s.packetsSent ?? 0;
      if (s.totalAudioEnergy !== undefined) {
        const key = `${(window.__pcs ?? []).indexOf(pc)}:${s.id}`;
        const seen = heard.get(key) ?? { raw: 0, heard: 0 };
        if (!silenced.has(s.trackIdentifier)) seen.heard += Math.max(0, s.totalAudioEnergy - seen.raw);
        seen.raw = s.totalAudioEnergy;
        heard.set(key, seen);
        out.totalAudioEnergy += seen.heard;
      }
      out.bytesReceived += s.bytesReceived ?? 0;
      out.bytesSent += s.bytesSent ?? 0;
    });
  }
  return out;
}

/** @type {Set<import('puppeteer-core').Browser>} */
const browsers = new Set();
/** @type {Set<{ stop(): Promise<void> }>} */
const servers = new Set();

// Playwright's `:text-is("x")` (the demo's dialpad keys): the element of `base` whose text is x.
const TEXT_IS = /^(.*):text-is\("((?:[^"\\]|\\.)*)"\)$/;

// Over BiDi a console argument that is an object arrives as `JSHandle@error` / `JSHandle@object`
// with nothing inside (Chromium gives a preview), so what a page logged could not be read, nor
// scanned for secrets: the page's console spells objects out as text before logging them.
const CONSOLE_SCRIPT = `(() => {
  const spell = (v) => {
    if (v instanceof Error) return v.name + ': ' + v.message + (v.stack ? '\\n' + v.stack : '');
    if (typeof v !== 'object' || v === null) return v;
    try { return JSON.stringify(v); } catch { return String(v); }
  };
  for (const level of ['log', 'info', 'warn', 'error', 'debug', 'trace']) {
    const native = console[level];
    if (typeof native === 'function') console[level] = function (...args) { return native.apply(this, args.map(spell)); };
  }
})();`;

/**
 * The Playwright-shaped page the lab hands out, over a puppeteer page of its own browser context.
 * @param {import('puppeteer-core').Page} page
 * @param {import('puppeteer-core').BrowserContext} context
 * @returns {import('./lab-page.mjs').LabPage & { engine: 'firefox', raw: import('puppeteer-core').Page }}
 */
function labPage(page, context) {
  /** @type {import('./lab-page.mjs').LabPage & { engine: 'firefox', raw: import('puppeteer-core').Page }} */
  const lab = {
    engine: /** @type {const} */ ('firefox'),
    /** The puppeteer page, for what this wrapper does not cover. */
    raw: page,
    /** @type {string[]} */ consoleLines: [],
    /** @type {string[]} */ pageErrors: [],
    goto: (/** @type {string} */ url) => page.goto(url),
    /** Playwright's form: one argument after the function (or an expression string). */
    evaluate: (/** @type {any} */ fn, /** @type {unknown} */ arg = undefined) => (arg === undefined ? page.evaluate(fn) : page.evaluate(fn, arg)),
    /** Playwright's form: (fn, arg, { timeout }); polled, as requestAnimationFrame may not run headless. */
    waitForFunction: (/** @type {any} */ fn, /** @type {unknown} */ arg = undefined, /** @type {{ timeout?: number }} */ options = {}) =>
      page.waitForFunction(fn, { timeout: options.timeout ?? 30_000, polling: 50 }, ...(arg === undefined ? [] : [arg])),
    waitForSelector: (/** @type {string} */ selector, /** @type {{ timeout?: number }} */ options = {}) => page.waitForSelector(selector, { timeout: options.timeout ?? 30_000 }),
    async click(/** @type {string} */ selector) {
      const textIs = TEXT_IS.exec(selector);
      if (!textIs) return page.click(selector);
      const [, base, text] = textIs;
      const handle = await page.evaluateHandle(
        (b, t) => [...document.querySelectorAll(b)].find((e) => e.textContent?.trim() === t),
        /** @type {string} */ (base),
        JSON.parse(`"${text}"`),
      );
      const element = handle.asElement();
      if (!element) throw new Error(`no element matches ${selector}`);
      await /** @type {import('puppeteer-core').ElementHandle<Element>} */ (element).click();
    },
    addScriptTag: (/** @type {{ url?: string, content?: string, type?: string }} */ options) => page.addScriptTag(options),
    screenshot: (/** @type {{ path?: string, fullPage?: boolean }} */ options) => page.screenshot(options),
    isClosed: () => page.isClosed(),
    close: () => context.close(),
    /** Closes the user (its browser context), as Playwright's page.context().close() does. */
    context: () => ({ close: () => context.close() }),
    inboundAudio: () => page.evaluate(firefoxAudioStats, /** @type {const} */ ('inbound-rtp')),
    outboundAudio: () => page.evaluate(firefoxAudioStats, /** @type {const} */ ('outbound-rtp')),
    waitForAudio: (/** @type {Parameters<typeof waitForAudio>[1]} */ options) => waitForAudio(lab, options),
  };
  page.on('console', (m) => lab.consoleLines.push(m.text()));
  page.on('pageerror', (e) => lab.pageErrors.push(String(/** @type {any} */ (e)?.stack ?? e)));
  return lab;
}

/**
 * Same shape as launchBrowser() for Chromium: { engine, browser, newPage(), close() }.
 * @param {{ denyMedia?: boolean, pageUrl?: string }} [options]
 */
export async function launchFirefox(options = {}) {
  if (!existsSync(FIREFOX_PATH)) throw new Error(`${FIREFOX_PATH} is missing: run node scripts/setup.mjs (apt-get install firefox-esr)`);
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: true,
    extraPrefsFirefox: { ...BASE_PREFS, ...(options.denyMedia ? DENY : GRANT) },
  });
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
    engine: /** @type {const} */ ('firefox'),
    browser,
    /**
     * A new user: its own browser context and page, loaded and ready. Pages must come from
     * http://127.0.0.1 (a secure context): on about:blank Firefox has no navigator.mediaDevices.
     * @param {{ url?: string, waitFor?: string, playRemoteAudio?: boolean }} [pageOptions]
     */
    async newPage(pageOptions = {}) {
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      if (pageOptions.playRemoteAudio === false) await page.evaluateOnNewDocument('window.__playRemoteAudio = false;');
      await page.evaluateOnNewDocument(INIT_SCRIPT);
      await page.evaluateOnNewDocument(CONSOLE_SCRIPT);
      const lab = labPage(page, context);
      await page.goto(pageOptions.url ?? (await pageUrl()));
      await lab.waitForFunction(pageOptions.waitFor ?? 'window.pageReady === true', undefined, { timeout: 20_000 });
      return lab;
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

/** Closes every Firefox and page server this module launched. */
export async function closeAllFirefox() {
  await Promise.all([...browsers].map((b) => b.close().catch(() => {})));
  browsers.clear();
  await Promise.all([...servers].map((s) => s.stop().catch(() => {})));
  servers.clear();
}
