// The demo tour in Firefox ESR (what `node demo/run.mjs --browser firefox` does): the softphone's
// buttons drive a call with audio both ways, screenshot while active. One provider: the four
// providers' calls in Firefox are the conformance suite's Firefox columns; this proves the page.
import { existsSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../lab/browser/index.mjs';
import { engineFrom } from '../../lab/browser/engines.mjs';
import { startDemoLab } from '../../demo/lab.mjs';
import { startDemoServer } from '../../demo/server.mjs';
import { demoCall } from '../../demo/drive.mjs';

let lab: any;
let server: any;
let browser: any;
beforeAll(async () => {
  lab = await startDemoLab();
  server = await startDemoServer(lab.presets);
  browser = await launchBrowser({ engine: engineFrom('firefox') });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await lab?.stop();
});

describe('softphone demo in Firefox', () => {
  it('the flag names an engine; an unknown one is refused', () => {
    expect(engineFrom('firefox')).toBe('firefox');
    expect(engineFrom('Chromium')).toBe('chromium');
    expect(engineFrom('')).toBe('chromium');
    expect(() => engineFrom('safari')).toThrow(/unknown browser engine/);
  });

  it('sipjs: the buttons drive a call with audio; the screenshot is taken while active', async () => {
    expect(browser.engine).toBe('firefox');
    const result = await demoCall(browser, server.url, 'sipjs');
    expect(result.stateAtScreenshot).toBe('active');
    expect(existsSync(result.screenshot) && statSync(result.screenshot).size).toBeGreaterThan(10_000);
    expect(result.heard.packetsReceived).toBeGreaterThanOrEqual(50);
    expect(result.heard.totalAudioEnergy).toBeGreaterThan(0);
    expect(result.callerHeard.totalAudioEnergy).toBeGreaterThan(0);
    expect(result.trace).toContain('call#1 active');
    expect(result.trace.filter((l: string) => l.startsWith('call#1 ended'))).toEqual(['call#1 ended reason=hangup']);
  }, 120_000);
});
