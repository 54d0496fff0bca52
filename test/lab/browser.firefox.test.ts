// lab/browser's second engine: headless Firefox ESR over WebDriver BiDi behind the same interface
// as Chromium (newPage, evaluate, waitForFunction, inboundAudio/outboundAudio/waitForAudio,
// console lines and page errors, denyMedia), and its audio proof from the receiver's getStats().
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../lab/browser/index.mjs';
import type { LabBrowser } from '../../lab/browser/lab-page.mjs';
import { audioOver, SILENT_ENERGY, waitForRisingAudio, waitForSilence } from '../support/audio.js';

type Lab = LabBrowser;
let lab: Lab;
beforeAll(async () => {
  lab = await launchBrowser({ engine: 'firefox' });
});
afterAll(async () => lab?.close());

// Runs in the page: a sends the fake microphone to b over loopback ICE, offer/answer in-page.
const connectLoopback = async () => {
  const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
  (window as unknown as { __mic: MediaStream }).__mic = mic;
  const a = new RTCPeerConnection({ iceServers: [] });
  const b = new RTCPeerConnection({ iceServers: [] });
  a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
  b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
  mic.getTracks().forEach((t) => a.addTrack(t, mic));
  await a.setLocalDescription();
  await b.setRemoteDescription(a.localDescription!);
  await b.setLocalDescription();
  await a.setRemoteDescription(b.localDescription!);
  const recorded = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
  return {
    engine: /Firefox\//.test(navigator.userAgent) ? 'firefox' : navigator.userAgent,
    recorded: recorded.length,
    recordedAreTheSame: recorded[0] === a && recorded[1] === b,
    instanceOf: a instanceof RTCPeerConnection && b instanceof RTCPeerConnection,
  };
};
const setMicEnabled = (enabled: boolean) => {
  (window as unknown as { __mic: MediaStream }).__mic.getTracks().forEach((t) => (t.enabled = enabled));
};

describe('lab/browser: headless Firefox ESR with fake media', () => {
  it('is Firefox, and the page loads polyphone and all four raw vendor SDKs', async () => {
    expect(lab.engine).toBe('firefox');
    const page = await lab.newPage();
    const loaded = await page.evaluate(async () => {
      const w = window as unknown as { polyphone: Record<string, unknown>; rawVendors: Record<string, () => Promise<Record<string, unknown>>> };
      const sip = await w.rawVendors.sipjs!();
      const jssip = await w.rawVendors.jssip!();
      const telnyx = await w.rawVendors.telnyx!();
      const sendbird = await w.rawVendors.sendbird!();
      const sb = (sendbird.default ?? sendbird) as Record<string, unknown>;
      const js = (jssip.default ?? jssip) as Record<string, unknown>;
      return [navigator.userAgent.includes('Firefox/'), isSecureContext, typeof w.polyphone.createVoiceClient, typeof sip.UserAgent, typeof js.UA, typeof telnyx.TelnyxRTC, typeof sb.init];
    });
    expect(loaded).toEqual([true, true, 'function', 'function', 'function', 'function', 'function']);
    expect(page.pageErrors).toEqual([]);
    await page.context().close();
  });

  it('two loopback peer connections carry fake-microphone audio, seen by the receiver getStats()', async () => {
    const page = await lab.newPage();
    expect(await page.evaluate(connectLoopback)).toEqual({ engine: 'firefox', recorded: 2, recordedAreTheSame: true, instanceOf: true });
    const first = await page.waitForAudio({ minPackets: 20 });
    expect(first.pcs).toBe(2);
    expect(first.totalAudioEnergy).toBeGreaterThan(0);
    const later = await page.waitForAudio({ minPackets: 20, since: first });
    expect(later.packetsReceived).toBeGreaterThan(first.packetsReceived);
    expect(later.bytesReceived).toBeGreaterThan(first.bytesReceived);
    expect((await page.outboundAudio()).packetsSent).toBeGreaterThanOrEqual(later.packetsReceived);
    expect(page.pageErrors).toEqual([]);
    await page.context().close();
  });

  it('the energy measure: > 0 while the sender sends sound, ~0 while it sends silence, > 0 again after', async () => {
    const page = await lab.newPage();
    await page.evaluate(connectLoopback);
    const sound = await waitForRisingAudio(page, { timeoutMs: 10_000 });
    expect(sound.packets).toBeGreaterThanOrEqual(10);
    expect(sound.energy).toBeGreaterThan(SILENT_ENERGY);
    await page.evaluate(setMicEnabled, false);
    await waitForSilence(page, { timeoutMs: 5_000 });
    // Silence still travels: packets keep coming, only their energy is gone.
    const quiet = await audioOver(page, 500);
    expect(quiet.packets).toBeGreaterThan(0);
    expect(quiet.energy).toBeLessThan(SILENT_ENERGY);
    await page.evaluate(setMicEnabled, true);
    const again = await waitForRisingAudio(page, { timeoutMs: 10_000 });
    expect(again.energy).toBeGreaterThan(SILENT_ENERGY);
    await page.context().close();
  });

  it('engine difference: a received track the page disables is silence to the energy measure, as it is to a listener', async () => {
    // Firefox's getStats() counts energy where audio is decoded, so a disabled remote track (which
    // renders silence: how a held call stops playing) would still "sound"; the lab counts it as 0.
    const page = await lab.newPage();
    await page.evaluate(connectLoopback);
    await waitForRisingAudio(page, { timeoutMs: 10_000 });
    const setReceiverEnabled = (enabled: boolean) =>
      (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs[1]!.getReceivers().forEach((r) => (r.track.enabled = enabled));
    await page.evaluate(setReceiverEnabled, false);
    await waitForSilence(page, { timeoutMs: 5_000 });
    const quiet = await audioOver(page, 600);
    expect(quiet.packets, 'packets still arrive').toBeGreaterThan(0);
    expect(quiet.energy).toBeLessThan(SILENT_ENERGY);
    await page.evaluate(setReceiverEnabled, true);
    const again = await waitForRisingAudio(page, { timeoutMs: 10_000 });
    expect(again.energy).toBeGreaterThan(SILENT_ENERGY);
    expect(again.after.totalAudioEnergy, 'the total never goes down').toBeGreaterThanOrEqual(quiet.after.totalAudioEnergy);
    await page.context().close();
  });

  it('engine difference: Firefox decodes (and counts energy of) received audio nothing plays', async () => {
    // In Chromium playRemoteAudio: false leaves energy at 0 until the page plays the track; in
    // Firefox getStats() counts decoded audio either way, so there energy proves arrival, not playback.
    const page = await lab.newPage({ playRemoteAudio: false });
    await page.evaluate(connectLoopback);
    expect(await page.evaluate(() => (window as unknown as { __speakers: unknown[] }).__speakers.length)).toBe(0);
    const heard = await page.waitForAudio({ minPackets: 20 });
    expect(heard.totalAudioEnergy).toBeGreaterThan(0);
    await page.context().close();
  });

  it('collects console lines and uncaught page errors', async () => {
    const page = await lab.newPage();
    await page.evaluate(() => {
      console.log('lab-marker-console');
      setTimeout(() => {
        throw new Error('lab-marker-uncaught');
      });
    });
    await expect.poll(() => page.pageErrors.length).toBe(1);
    expect(page.pageErrors[0]).toContain('lab-marker-uncaught');
    expect(page.consoleLines).toContain('lab-marker-console');
    // Objects are spelled out (over BiDi they would read JSHandle@…), so a secret in one is seen.
    await page.evaluate(() => {
      console.warn('lab-marker-warn', new Error('lab-marker-error-message'));
      console.log({ token: 'lab-marker-object-field' });
    });
    await expect.poll(() => page.consoleLines.join('\n')).toContain('lab-marker-error-message');
    await expect.poll(() => page.consoleLines.join('\n')).toContain('lab-marker-object-field');
    await page.context().close();
  });

  it('waitForFunction and waitForSelector take Playwright\'s arguments; click finds :text-is()', async () => {
    const page = await lab.newPage();
    await page.evaluate(() => {
      document.body.insertAdjacentHTML('beforeend', '<div id="pad"><button>12</button><button>1</button></div>');
      document.querySelectorAll('#pad button').forEach((b) => b.addEventListener('click', () => (document.body.dataset.clicked = b.textContent!)));
      setTimeout(() => ((window as unknown as { later: number }).later = 7), 200);
    });
    expect(await (await page.waitForFunction((n: number) => (window as unknown as { later?: number }).later === n, 7, { timeout: 5_000 })).jsonValue()).toBe(true);
    await page.click('#pad button:text-is("1")');
    await page.waitForSelector('body[data-clicked="1"]', { timeout: 5_000 });
    await page.context().close();
  });

  it('a page without the focus still enumerates its devices, as each user\'s own browser would', async () => {
    // Lab users share one browser, where only the newest page has the focus; Firefox would hold
    // enumerateDevices() back in the others (and an SDK waiting on it would never open the mic).
    const first = await lab.newPage();
    const second = await lab.newPage();
    const enumerate = () =>
      Promise.race([
        navigator.mediaDevices.enumerateDevices().then((devices) => devices.filter((d) => d.kind === 'audioinput').length),
        new Promise((resolve) => setTimeout(() => resolve('held back'), 3_000)),
      ]);
    expect(await first.evaluate(() => document.hasFocus())).toBe(false);
    expect(await first.evaluate(enumerate)).toBeGreaterThan(0);
    expect(await second.evaluate(enumerate)).toBeGreaterThan(0);
    await first.context().close();
    await second.context().close();
  });

  it('denyMedia makes getUserMedia fail with NotAllowedError', async () => {
    const denied = await launchBrowser({ engine: 'firefox', denyMedia: true });
    try {
      const page = await denied.newPage();
      const result = await page.evaluate(() => navigator.mediaDevices.getUserMedia({ audio: true }).then(() => 'granted', (e: Error) => e.name));
      expect(result).toBe('NotAllowedError');
    } finally {
      await denied.close();
    }
  });
});
