import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../lab/browser/index.mjs';
import { startPageServer } from '../../lab/browser/server.mjs';

type Lab = Awaited<ReturnType<typeof launchBrowser>>;
let lab: Lab;
beforeAll(async () => {
  lab = await launchBrowser();
});
afterAll(async () => lab?.close());

// Runs in the page: a sends the fake microphone to b over loopback ICE, offer/answer in-page.
const connectLoopback = async () => {
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
  const recorded = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
  return {
    recorded: recorded.length,
    recordedAreTheSame: recorded[0] === a && recorded[1] === b,
    instanceOf: a instanceof RTCPeerConnection && b instanceof RTCPeerConnection,
    staticsWork: typeof RTCPeerConnection.generateCertificate === 'function',
  };
};

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
    const hook = await page.evaluate(connectLoopback);
    expect(hook).toEqual({ recorded: 2, recordedAreTheSame: true, instanceOf: true, staticsWork: true });
    const first = await page.waitForAudio({ minPackets: 20 });
    expect(first.pcs).toBe(2);
    expect(first.packetsReceived).toBeGreaterThanOrEqual(20);
    expect(first.totalAudioEnergy).toBeGreaterThan(0);
    const later = await page.waitForAudio({ minPackets: 20, since: first });
    expect(later.packetsReceived).toBeGreaterThan(first.packetsReceived);
    expect(later.totalAudioEnergy).toBeGreaterThan(first.totalAudioEnergy);
    // Every packet received was sent. Chromium samples each side's counters on its own clock (a
    // read can be a packet behind), so the sender's count is awaited, not read once.
    await expect.poll(async () => (await page.outboundAudio()).packetsSent, { timeout: 5_000 }).toBeGreaterThanOrEqual(later.packetsReceived);
    expect(page.pageErrors).toEqual([]);
  });

  it('with playRemoteAudio: false packets arrive but no energy is counted until the page plays them', async () => {
    const page = await lab.newPage({ playRemoteAudio: false });
    await page.evaluate(connectLoopback);
    await expect.poll(async () => (await page.inboundAudio()).packetsReceived, { timeout: 10_000 }).toBeGreaterThanOrEqual(40);
    expect((await page.inboundAudio()).totalAudioEnergy).toBe(0);
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

  it('the page server listens on 127.0.0.1 and serves extra routes with extra headers', async () => {
    const server = await startPageServer({
      routes: { '/softphone': (_req: unknown, res: { end(body: string): void }) => res.end('softphone page') },
      headers: { 'x-lab': 'yes' },
    });
    try {
      expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
      const route = await fetch(new URL('/softphone', server.url));
      expect([route.status, route.headers.get('x-lab'), await route.text()]).toEqual([200, 'yes', 'softphone page']);
      const index = await fetch(server.url);
      expect(index.headers.get('x-lab')).toBe('yes');
      expect(await index.text()).toContain("import '/raw-entry.js'");
      const entry = await fetch(new URL('/page-entry.js', server.url));
      expect([entry.status, entry.headers.get('content-type')]).toEqual([200, 'text/javascript']);
      expect((await fetch(new URL('/../../etc/passwd', server.url))).status).toBe(404);
    } finally {
      await server.stop();
    }
  });
});
