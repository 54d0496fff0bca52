// The softphone demo, clicked through for every provider in real Chromium: buttons, not API calls.
import { existsSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM lab helper without type declarations
import { launchBrowser } from '../../lab/browser/index.mjs';
// @ts-expect-error plain ESM demo module without type declarations
import { PROVIDERS, startDemoLab } from '../../demo/lab.mjs';
// @ts-expect-error plain ESM demo module without type declarations
import { startDemoServer } from '../../demo/server.mjs';
// @ts-expect-error plain ESM demo module without type declarations
import { demoCall } from '../../demo/drive.mjs';

let demoLab: any;
let server: any;
let browser: any;
beforeAll(async () => {
  demoLab = await startDemoLab();
  server = await startDemoServer(demoLab.presets);
  // Pages that play no remote track themselves: what the demo's pages hear is only what polyphone
  // plays into the demo's own <audio id="remote-audio"> (CallOptions.audioElement).
  const lab = await launchBrowser();
  browser = { ...lab, newPage: (options: Record<string, unknown> = {}) => lab.newPage({ ...options, playRemoteAudio: false }) };
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await demoLab?.stop();
});

describe('softphone demo', () => {
  const traces: Record<string, string[]> = {};

  it.each(PROVIDERS as string[])('%s: the buttons drive a call with audio, heard through the demo\'s own audio element; the screenshot is taken while active', async (provider) => {
    const result = await demoCall(browser, server.url, provider);
    expect(result.stateAtScreenshot).toBe('active');
    expect(existsSync(result.screenshot) && statSync(result.screenshot).size).toBeGreaterThan(10_000);
    expect(result.heard.packetsReceived).toBeGreaterThanOrEqual(50);
    expect(result.heard.totalAudioEnergy).toBeGreaterThan(0);
    expect(result.callerHeard.totalAudioEnergy).toBeGreaterThan(0);
    expect(result.trace).toContain('call#1 active');
    expect(result.trace.filter((l: string) => l.startsWith('call#1 ended'))).toEqual(['call#1 ended reason=hangup']);
    traces[provider] = result.trace;
  });

  it('the same clicks give the same trace on every provider', () => {
    expect(Object.keys(traces)).toEqual(PROVIDERS);
    for (const provider of PROVIDERS as string[]) expect(traces[provider]).toEqual(traces.sipjs);
  });
});
