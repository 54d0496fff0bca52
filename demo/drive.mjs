// Drives the softphone page through its buttons, as a person would: no API calls.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const OUT_DIR = join(import.meta.dirname, 'out');

/**
 * @typedef {import('../lab/browser/lab-page.mjs').LabPage} LabPage
 * @typedef {import('../lab/browser/lab-page.mjs').ChromiumLabPage} ChromiumLabPage
 * @typedef {import('../lab/browser/lab-page.mjs').AudioStats} AudioStats
 * @typedef {{ packets: number, energy: number }} AudioWindow
 */
/**
 * @template {LabPage} P
 * @typedef {import('../lab/browser/lab-page.mjs').LabBrowser<P>} LabBrowser
 */

/**
 * @template {LabPage} P
 * @param {LabBrowser<P>} browser
 * @param {string} url
 * @returns {Promise<P>}
 */
async function openSoftphone(browser, url) {
  return browser.newPage({ url, waitFor: 'window.softphone !== undefined' });
}

const state = (/** @type {LabPage} */ page, /** @type {string} */ kind, /** @type {string} */ value, timeout = 30_000) => page.waitForSelector(`body[data-${kind}-state="${value}"]`, { timeout });

/**
 * Drives one call through the page's buttons; returns what the demo prints. Either engine.
 * @param {LabBrowser<LabPage>} browser
 * @param {string} serverUrl
 * @param {string} provider
 */
export async function demoCall(browser, serverUrl, provider) {
  const caller = await openSoftphone(browser, `${serverUrl}demo?preset=${provider}-caller`);
  const callee = await openSoftphone(browser, `${serverUrl}demo?preset=${provider}-callee`);
  try {
    await callee.click('#connect');
    await state(callee, 'client', 'connected');
    await caller.click('#connect');
    await state(caller, 'client', 'connected');
    await caller.click('#call');
    await callee.waitForSelector('#answer:not([disabled])', { timeout: 15_000 });
    await callee.click('#answer');
    await state(caller, 'call', 'active');
    await state(callee, 'call', 'active');
    const heard = await callee.waitForAudio({ minPackets: 50, timeoutMs: 15_000 });
    const callerHeard = await caller.waitForAudio({ minPackets: 50, timeoutMs: 15_000 });
    await caller.click('#dialpad button:text-is("1")');
    await new Promise((r) => setTimeout(r, 300));
    mkdirSync(OUT_DIR, { recursive: true });
    const screenshot = join(OUT_DIR, `${provider}-call.png`);
    const stateAtScreenshot = await caller.evaluate(() => document.body.dataset.callState);
    await caller.screenshot({ path: screenshot, fullPage: true });
    await caller.click('#hangup');
    await state(callee, 'call', 'ended');
    await caller.click('#disconnect');
    await callee.click('#disconnect');
    await state(caller, 'client', 'disconnected');
    const timings = await caller.evaluate(() => window.softphone.timings);
    const trace = await caller.evaluate(() => window.softphone.trace());
    const errors = [...caller.pageErrors, ...callee.pageErrors];
    if (errors.length) throw new Error(`page errors: ${errors.join('\n')}`);
    return { provider, trace, timings, heard, callerHeard, screenshot, stateAtScreenshot };
  } finally {
    await caller.context().close();
    await callee.context().close();
  }
}


// ---- call waiting and transfer, where the provider can (sipjs in the lab) ----

const row = (/** @type {number} */ id) => `#calls li[data-call="${id}"]`;
const clickRow = (/** @type {LabPage} */ page, /** @type {number} */ id, /** @type {string} */ action) => page.click(`${row(id)} button[data-action="${action}"]`);
/** The new call took the old one's place: one call in the list, active. */
const onlyCallActive = (/** @type {LabPage} */ page) => page.waitForSelector('#calls[data-count="1"] li[data-state="active"]', { timeout: 30_000 });
const rowState = (/** @type {LabPage} */ page, /** @type {number} */ id, /** @type {string} */ value, timeout = 30_000) => page.waitForSelector(`${row(id)}[data-state="${value}"]`, { timeout });

/**
 * Received audio over `ms` (every peer connection of the page): packets and energy added.
 * @param {{ inboundAudio(): Promise<AudioStats> }} page
 * @param {number} ms
 * @returns {Promise<AudioWindow>}
 */
async function audioOver(page, ms) {
  const before = await page.inboundAudio();
  await new Promise((r) => setTimeout(r, ms));
  const after = await page.inboundAudio();
  return { packets: after.packetsReceived - before.packetsReceived, energy: after.totalAudioEnergy - before.totalAudioEnergy };
}

/**
 * Waits (bounded) until sound arrives now: packets and energy both rise over a window.
 * @param {{ inboundAudio(): Promise<AudioStats> }} page
 */
export async function risingAudio(page, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let last = await audioOver(page, 500);
  while (!(last.packets >= 10 && last.energy > 1e-4) && Date.now() < deadline) last = await audioOver(page, 500);
  if (!(last.packets >= 10 && last.energy > 1e-4)) throw new Error(`no rising audio within ${timeoutMs} ms: ${JSON.stringify(last)}`);
  return last;
}

/**
 * Waits (bounded) until a window carries no energy: the far end stopped sending (held).
 * @param {{ inboundAudio(): Promise<AudioStats> }} page
 */
export async function silentAudio(page, timeoutMs = 8_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const window = await audioOver(page, 400);
    if (window.energy < 1e-4) return window;
    if (Date.now() > deadline) throw new Error(`received audio did not stop: ${JSON.stringify(window)}`);
  }
}

/**
 * The softphones of these presets, each connected. Chromium: the tours use Playwright's fill,
 * $$eval and isEnabled, which the Firefox page does not answer.
 * @param {LabBrowser<ChromiumLabPage>} browser
 * @param {string} serverUrl
 * @param {[string, string, string]} presetIds
 * @returns {Promise<[ChromiumLabPage, ChromiumLabPage, ChromiumLabPage]>}
 */
async function connectedPages(browser, serverUrl, presetIds) {
  /** @type {ChromiumLabPage[]} */
  const pages = [];
  for (const id of presetIds) {
    const page = await openSoftphone(browser, `${serverUrl}demo?preset=${id}`);
    pages.push(page);
    await page.click('#connect');
    await state(page, 'client', 'connected');
  }
  return /** @type {[ChromiumLabPage, ChromiumLabPage, ChromiumLabPage]} */ (pages);
}

/**
 * The caller dials its preset's party (the target box is filled once connected); the callee answers.
 * @param {LabPage} caller
 * @param {LabPage} callee
 */
async function callAndAnswer(caller, callee) {
  await caller.waitForFunction(() => /** @type {HTMLInputElement} */ (document.getElementById('target')).value !== '');
  await caller.click('#call');
  await callee.waitForSelector('#answer:not([disabled])', { timeout: 30_000 });
  await callee.click('#answer');
  await state(caller, 'call', 'active');
  await state(callee, 'call', 'active');
}

/** Where the user of a lab preset is reached (its SIP URI). */
const addressOf = (/** @type {LabPage} */ page, /** @type {string} */ presetId) =>
  page.evaluate((id) => /** @type {{ uri: string }} */ (window.DEMO_PRESETS?.find((p) => p.id === id)?.config).uri, presetId);

const traceOf = (/** @type {LabPage} */ page) => page.evaluate(() => window.softphone.trace());
const endedLines = (/** @type {string[]} */ trace) => trace.filter((l) => /^call#\d+ ended/.test(l));

/**
 * Each softphone disconnects (unregisters) before its page goes, so no stale contact outlives a tour.
 * @param {ChromiumLabPage[]} pages
 */
async function closeAll(pages) {
  for (const page of pages) {
    if (!(await page.isEnabled('#disconnect').catch(() => false))) continue;
    await page.click('#disconnect').catch(() => {});
    await state(page, 'client', 'disconnected', 10_000).catch(() => {});
  }
  const errors = pages.flatMap((p) => p.pageErrors);
  await Promise.all(pages.map((p) => p.context().close()));
  if (errors.length) throw new Error(`page errors: ${errors.join('\n')}`);
}

/**
 * Call waiting, clicked through: alice talks to bob; carol calls alice, whose call list shows
 * carol ringing; alice answers her (bob is held first): carol hears alice, bob hears nothing;
 * alice switches back to bob (carol held): bob hears alice, carol nothing; alice hangs up both.
 */
/**
 * @param {LabBrowser<ChromiumLabPage>} browser
 * @param {string} serverUrl
 */
export async function demoCallWaiting(browser, serverUrl, provider = 'sipjs') {
  const pages = await connectedPages(browser, serverUrl, [`${provider}-callee`, `${provider}-caller`, `${provider}-carol`]);
  const [bob, alice, carol] = pages;
  try {
    // Filled step by step; the tour returns only once every step is in.
    const steps = /** @type {{ bobHeard: AudioWindow, listWhileRinging: string[], carolHeard: AudioWindow, bobWhileHeld: AudioWindow, bobHeardAgain: AudioWindow, carolWhileHeld: AudioWindow }} */ ({});
    await callAndAnswer(alice, bob);
    steps.bobHeard = await risingAudio(bob);
    // carol's preset dials alice.
    await carol.waitForFunction(() => /** @type {HTMLInputElement} */ (document.getElementById('target')).value !== '');
    await carol.click('#call');
    await rowState(alice, 2, 'ringing');
    steps.listWhileRinging = await alice.$$eval('#calls li', (items) => items.map((li) => `${/** @type {HTMLElement} */ (li).dataset.call} ${/** @type {HTMLElement} */ (li).dataset.direction} ${/** @type {HTMLElement} */ (li).dataset.state}`));
    await clickRow(alice, 2, 'answer');
    await rowState(alice, 2, 'active');
    await rowState(alice, 1, 'held');
    await state(carol, 'call', 'active');
    steps.carolHeard = await risingAudio(carol);
    steps.bobWhileHeld = await silentAudio(bob);
    await clickRow(alice, 1, 'switch');
    await rowState(alice, 1, 'active');
    await rowState(alice, 2, 'held');
    steps.bobHeardAgain = await risingAudio(bob);
    steps.carolWhileHeld = await silentAudio(carol);
    await clickRow(alice, 1, 'hangup');
    await state(bob, 'call', 'ended');
    await clickRow(alice, 2, 'hangup');
    await state(carol, 'call', 'ended');
    await alice.waitForSelector('#calls[data-count="0"]', { state: 'attached' });
    return { provider, steps, traces: { alice: await traceOf(alice), bob: await traceOf(bob), carol: await traceOf(carol) } };
  } finally {
    await closeAll(pages);
  }
}

/**
 * A blind transfer, clicked through: alice talks to bob and transfers him to carol (the transfer
 * box and the call's Transfer button); bob's softphone follows the REFER and calls carol, who
 * answers; bob and carol hear each other, and alice's call ends `transferred`.
 */
/**
 * @param {LabBrowser<ChromiumLabPage>} browser
 * @param {string} serverUrl
 */
export async function demoBlindTransfer(browser, serverUrl, provider = 'sipjs') {
  const pages = await connectedPages(browser, serverUrl, [`${provider}-callee`, `${provider}-caller`, `${provider}-carol`]);
  const [bob, alice, carol] = pages;
  try {
    // Filled step by step; the tour returns only once every step is in.
    const steps = /** @type {{ bobHeard: AudioWindow, bobCalls: string[], carolHeard: AudioWindow, bobHeardCarol: AudioWindow }} */ ({});
    await callAndAnswer(alice, bob);
    steps.bobHeard = await risingAudio(bob);
    await alice.fill('#transfer-target', await addressOf(alice, `${provider}-carol`));
    await clickRow(alice, 1, 'blind-transfer');
    await carol.waitForSelector('#answer:not([disabled])', { timeout: 30_000 });
    await carol.click('#answer');
    await state(carol, 'call', 'active');
    await state(alice, 'call', 'ended');
    await onlyCallActive(bob);
    steps.bobCalls = await bob.$$eval('#calls li', (items) => items.map((li) => `${/** @type {HTMLElement} */ (li).dataset.call} ${/** @type {HTMLElement} */ (li).dataset.direction} ${/** @type {HTMLElement} */ (li).dataset.state}`));
    steps.carolHeard = await risingAudio(carol);
    steps.bobHeardCarol = await risingAudio(bob);
    await bob.click('#hangup');
    await state(carol, 'call', 'ended');
    return { provider, steps, traces: { alice: await traceOf(alice), bob: await traceOf(bob), carol: await traceOf(carol) } };
  } finally {
    await closeAll(pages);
  }
}

/**
 * An attended transfer, clicked through: alice talks to bob, calls carol from the same softphone
 * (bob is held first) and, once carol answered, connects bob with carol (*Connect with #2* on
 * bob's row: REFER with Replaces); bob and carol hear each other, both of alice's calls end
 * `transferred`.
 */
/**
 * @param {LabBrowser<ChromiumLabPage>} browser
 * @param {string} serverUrl
 */
export async function demoAttendedTransfer(browser, serverUrl, provider = 'sipjs') {
  const pages = await connectedPages(browser, serverUrl, [`${provider}-callee`, `${provider}-caller`, `${provider}-carol`]);
  const [bob, alice, carol] = pages;
  try {
    // Filled step by step; the tour returns only once every step is in.
    const steps = /** @type {{ carolHeardAlice: AudioWindow, bobCalls: string[], carolCalls: string[], carolHeardBob: AudioWindow, bobHeardCarol: AudioWindow }} */ ({});
    await callAndAnswer(alice, bob);
    await alice.fill('#target', await addressOf(alice, `${provider}-carol`));
    await alice.click('#call');
    await carol.waitForSelector('#answer:not([disabled])', { timeout: 30_000 });
    await carol.click('#answer');
    await rowState(alice, 2, 'active');
    await rowState(alice, 1, 'held');
    steps.carolHeardAlice = await risingAudio(carol);
    await clickRow(alice, 1, 'attended-transfer-2');
    await alice.waitForSelector('#calls[data-count="0"]', { state: 'attached', timeout: 30_000 });
    await onlyCallActive(bob);
    await onlyCallActive(carol);
    steps.bobCalls = await bob.$$eval('#calls li', (items) => items.map((li) => `${/** @type {HTMLElement} */ (li).dataset.call} ${/** @type {HTMLElement} */ (li).dataset.direction} ${/** @type {HTMLElement} */ (li).dataset.state}`));
    steps.carolCalls = await carol.$$eval('#calls li', (items) => items.map((li) => `${/** @type {HTMLElement} */ (li).dataset.call} ${/** @type {HTMLElement} */ (li).dataset.direction} ${/** @type {HTMLElement} */ (li).dataset.state}`));
    steps.carolHeardBob = await risingAudio(carol);
    steps.bobHeardCarol = await risingAudio(bob);
    await bob.click('#hangup');
    await state(carol, 'call', 'ended');
    return { provider, steps, traces: { alice: await traceOf(alice), bob: await traceOf(bob), carol: await traceOf(carol) } };
  } finally {
    await closeAll(pages);
  }
}

export { endedLines };
