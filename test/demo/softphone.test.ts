// The softphone demo (a React app on polyphone/react), clicked through in real Chromium: buttons,
// not API calls. A basic call on every provider; call waiting, a blind and an attended transfer on sipjs, the
// provider whose capabilities offer them in the lab, with audio proven by getStats().
import { existsSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../lab/browser/index.mjs';
import { PROVIDERS, startDemoLab } from '../../demo/lab.mjs';
import { startDemoServer } from '../../demo/server.mjs';
import { demoAttendedTransfer, demoBlindTransfer, demoCall, demoCallWaiting, endedLines } from '../../demo/drive.mjs';

let demoLab: any;
let server: any;
let browser: any;
beforeAll(async () => {
  demoLab = await startDemoLab();
  server = await startDemoServer(demoLab.presets);
  // Pages that play no remote track themselves: what the demo's pages hear is only what polyphone
  // plays into the demo's own <audio> elements, one per call (CallOptions.audioElement).
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
  }, 120_000);

  it('the same clicks give the same trace on every provider', () => {
    expect(Object.keys(traces)).toEqual(PROVIDERS);
    for (const provider of PROVIDERS as string[]) expect(traces[provider]).toEqual(traces.sipjs);
  });

  it('sipjs: call waiting through the call list — answer-and-hold, switch, hang up either; each side hears only the call that is active', async () => {
    const { steps, traces } = await demoCallWaiting(browser, server.url, 'sipjs');
    expect(steps.listWhileRinging).toEqual(['1 outgoing active', '2 incoming ringing']);
    expect(steps.bobHeard.packets).toBeGreaterThanOrEqual(10);
    expect(steps.carolHeard.energy).toBeGreaterThan(0);
    expect(steps.bobWhileHeld.energy).toBeLessThan(1e-4);
    expect(steps.bobHeardAgain.energy).toBeGreaterThan(0);
    expect(steps.carolWhileHeld.energy).toBeLessThan(1e-4);
    expect(traces.alice).toEqual(expect.arrayContaining(['call#1 held by=local', 'call#2 active', 'call#1 unheld by=local', 'call#2 held by=local']));
    expect(endedLines(traces.alice)).toEqual(['call#1 ended reason=hangup', 'call#2 ended reason=hangup']);
    expect(endedLines(traces.bob)).toEqual(['call#1 ended reason=remoteHangup']);
    expect(endedLines(traces.carol)).toEqual(['call#1 ended reason=remoteHangup']);
  }, 180_000);

  it('sipjs: a blind transfer from the call list — bob follows the REFER to carol, they hear each other, alice\'s call ends transferred', async () => {
    const { steps, traces } = await demoBlindTransfer(browser, server.url, 'sipjs');
    expect(steps.bobCalls).toEqual(['2 outgoing active']);
    expect(steps.carolHeard.energy).toBeGreaterThan(0);
    expect(steps.bobHeardCarol.energy).toBeGreaterThan(0);
    expect(endedLines(traces.alice)).toEqual(['call#1 ended reason=transferred']);
    expect(endedLines(traces.bob)).toEqual(['call#1 ended reason=transferred', 'call#2 ended reason=hangup']);
    expect(endedLines(traces.carol)).toEqual(['call#1 ended reason=remoteHangup']);
  }, 180_000);

  it('sipjs: an attended transfer from the call list — alice consults carol, then connects bob with her; both of alice\'s calls end transferred', async () => {
    const { steps, traces } = await demoAttendedTransfer(browser, server.url, 'sipjs');
    expect(steps.carolHeardAlice.energy).toBeGreaterThan(0);
    // Each side's new call took the old one's place in its list.
    expect(steps.bobCalls).toEqual(['2 outgoing active']);
    expect(steps.carolCalls).toEqual(['2 incoming active']);
    expect(steps.carolHeardBob.energy).toBeGreaterThan(0);
    expect(steps.bobHeardCarol.energy).toBeGreaterThan(0);
    expect(endedLines(traces.alice).sort()).toEqual(['call#1 ended reason=transferred', 'call#2 ended reason=transferred']);
    expect(endedLines(traces.bob)).toEqual(['call#1 ended reason=transferred', 'call#2 ended reason=hangup']);
    expect(endedLines(traces.carol)).toEqual(['call#1 ended reason=transferred', 'call#2 ended reason=remoteHangup']);
  }, 180_000);
});
