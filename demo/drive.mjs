// Drives the softphone page through its buttons, as a person would: no API calls.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const OUT_DIR = join(import.meta.dirname, 'out');

async function openSoftphone(browser, url) {
  return browser.newPage({ url, waitFor: 'window.softphone !== undefined' });
}

const state = (page, kind, value, timeout = 15_000) => page.waitForSelector(`body[data-${kind}-state="${value}"]`, { timeout });

/** Drives one call through the page's buttons; returns what the demo prints. */
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

