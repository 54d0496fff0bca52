import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM lab helper without type declarations
import { launchBrowser } from '../../lab/browser/index.mjs';

type Lab = Awaited<ReturnType<typeof launchBrowser>>;
let lab: Lab;
beforeAll(async () => {
  lab = await launchBrowser();
});
afterAll(async () => lab?.close());

describe('lab/browser: headless Chromium with fake media', () => {
  it('the page loads polyphone and all four raw vendor SDKs', async () => {
    const page = await lab.newPage();
    const loaded = await page.evaluate(async () => {
      const w = window as unknown as { polyphone: Record<string, unknown>; rawVendors: Record<string, () => Promise<Record<string, unknown>>> };
      const sip = await w.rawVendors.sipjs!();
      const jssip = await w.rawVendors.jssip!();
      const telnyx = await w.rawVendors.telnyx!();
      const sendbird = await w.rawVendors.sendbird!();
      const sb = (sendbird.default ?? sendbird) as Record<string, unknown>;
      const js = (jssip.default ?? jssip) as Record<string, unknown>;
      return [typeof w.polyphone.createVoiceClient, typeof sip.UserAgent, typeof js.UA, typeof telnyx.TelnyxRTC, typeof sb.init];
    });
    expect(loaded).toEqual(['function', 'function', 'function', 'function', 'function']);
    expect(page.pageErrors).toEqual([]);
  });

  it('two loopback peer connections carry fake-microphone audio, seen by the receiver getStats()', async () => {
    const page = await lab.newPage();
    const pcs = await page.evaluate(async () => {
      const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
      const a = new RTCPeerConnection({ iceServers: [] });
      const b = new RTCPeerConnection({ iceServers: [] });
      a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
      b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
      mic.getTracks().forEach((t) => a.addTrack(t, mic));
      await a.setLocalDescription();
      await b.setRemoteDescription(a.localDescription!);
      await b.setLocalDescription();
      await a.setRemoteDescription(b.localDescription!);
      return (window as unknown as { __pcs: unknown[] }).__pcs.length;
    });
    expect(pcs).toBe(2);
    const first = await page.waitForAudio({ minPackets: 20 });
    const later = await page.waitForAudio({ minPackets: 20, since: first });
    expect(later.packetsReceived).toBeGreaterThan(first.packetsReceived);
    expect(later.totalAudioEnergy).toBeGreaterThan(first.totalAudioEnergy);
  });

  it('denyMedia makes getUserMedia fail with NotAllowedError', async () => {
    const denied = await launchBrowser({ denyMedia: true });
    try {
      const page = await denied.newPage();
      const result = await page.evaluate(() => navigator.mediaDevices.getUserMedia({ audio: true }).then(() => 'granted', (e: Error) => e.name));
      expect(result).toBe('NotAllowedError');
    } finally {
      await denied.close();
    }
  });
});
