// preflight() beyond its verdicts (those are matrix cells for every provider, in
// preflight-providers.test.ts), on SIP.js against a real Kamailio in real Chromium: a cancelled
// preflight rejects ABORTED and leaves no peer connection open; through coturn and lab/network's
// relay, `ready` over the clean relay with the media test on relayed candidates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-ignore plain ESM lab helper
import { launchBrowser } from '../../lab/browser/index.mjs';
import type { ConformanceLab } from '../conformance/suite.js';
import { sipjsTarget } from '../conformance/sipjs.target.js';
import { preflightIn, runPreflight, startLossyNetwork, type LabBrowser, type LossyNetwork } from './preflight-kit.js';

let lab: ConformanceLab;
let browser: LabBrowser;

beforeAll(async () => {
  lab = await sipjsTarget.startLab();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await lab?.stop();
});

describe('preflight', () => {
  it('cancelled mid-way: rejects ABORTED and leaves nothing open', async () => {
    const page = await browser.newPage();
    // The media test runs 2 s after connect; 1.2 s in, the loopback connections are up.
    const { error, open } = await page.evaluate(runPreflight, { config: lab.caller, abortAfterMs: 1_200 });
    expect(error).toBe('ABORTED');
    await new Promise((r) => setTimeout(r, 200));
    expect(await page.evaluate(() => ((window as any).__pcs ?? []).filter((pc: RTCPeerConnection) => pc.signalingState !== 'closed').length)).toBe(0);
    expect(open).toBe(0);
    await page.context().close();
  });

  describe('through TURN and an impairment relay', () => {
    let network: LossyNetwork;
    beforeAll(async () => {
      network = await startLossyNetwork();
    });
    afterAll(async () => {
      await network?.stop();
    });

    it('ready over the clean relay: the media test ran on relayed candidates', async () => {
      const { report } = await preflightIn(browser, { config: { ...(lab.caller as object), iceServers: network.iceServers }, forceRelay: true });
      expect(report.ice.candidates.relay).toBeGreaterThan(0);
      expect(report.ice.turnUnreachable).toBe(false);
      expect(report.media.connected).toBe(true);
      console.info(`preflight over the clean relay: ${JSON.stringify({ ice: report.ice, media: report.media, totalMs: report.totalMs })}`);
      expect(report.verdict).toBe('ready');
      expect(network.relay.state().up.forwarded).toBeGreaterThan(50);
    });
  });
});
