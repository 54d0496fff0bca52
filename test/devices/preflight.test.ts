// preflight() in real Chromium against a real Kamailio: `ready` on the clean lab, `blocked` when
// the signalling server is not there, `permission-denied` when the microphone is refused; a
// cancelled preflight rejects ABORTED and, like a finished one, leaves no peer connection open;
// through coturn and a UDP impairment relay (lab/network, copied from the quality work), `ready`
// over the clean relay and `degraded` (high-loss) with 30 % of the packets dropped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellTest } from '../conformance/extra-cells.js';
import type { Page } from 'playwright-core';
import { startKamailio, TEST_USERS } from '../../lab/kamailio/index.mjs';
// @ts-ignore plain ESM lab helper
import { launchBrowser } from '../../lab/browser/index.mjs';
import { closedPort } from '../conformance/lab-kit.js';
// @ts-ignore plain ESM lab helper
import { startTurn } from '../../lab/network/turn.mjs';
// @ts-ignore plain ESM lab helper
import { startRelay } from '../../lab/network/relay.mjs';

type Browser = { newPage(): Promise<Page & { pageErrors: string[] }>; close(): Promise<void> };

let kamailio: Awaited<ReturnType<typeof startKamailio>>;
let browser: Browser;
let denied: Browser;
let sip: (extra?: Record<string, unknown>) => Record<string, unknown>;

beforeAll(async () => {
  kamailio = await startKamailio();
  sip = (extra = {}) => ({
    provider: 'sipjs',
    server: kamailio.wsUrl,
    uri: `sip:alice@${kamailio.domain}`,
    credentials: { type: 'password', password: TEST_USERS.alice },
    iceServers: [],
    ...extra,
  });
  browser = await launchBrowser();
  denied = await launchBrowser({ denyMedia: true });
});

afterAll(async () => {
  await browser?.close();
  await denied?.close();
  await kamailio?.stop();
});

// Runs in the page: the report, or the error code it rejected with; and what is left open.
async function runPreflight(args: { config: unknown; abortAfterMs?: number; forceRelay?: boolean }) {
  const w = window as any;
  const controller = new AbortController();
  if (args.abortAfterMs !== undefined) setTimeout(() => controller.abort(), args.abortAfterMs);
  let outcome: any;
  try {
    outcome = { report: await w.polyphone.preflight(args.config, { signal: controller.signal, mediaTestMs: 2_000, forceRelay: args.forceRelay ?? false }) };
  } catch (error: any) {
    outcome = { error: error?.code ?? String(error) };
  }
  const open = (w.__pcs ?? []).filter((pc: RTCPeerConnection) => pc.signalingState !== 'closed').length;
  return { ...outcome, open };
}

describe('preflight', () => {
  cellTest('ready on the clean lab, with every check measured', 'sipjs', 'preflight: ready on the clean lab', async () => {
    const page = await browser.newPage();
    const { report, error, open } = await page.evaluate(runPreflight, { config: sip() });
    expect(error).toBeUndefined();
    expect(report.verdict).toBe('ready');
    expect(report.reason).toBe('ok');
    expect(report.provider).toBe('sipjs');
    expect(report.microphone.ok).toBe(true);
    expect(report.signalling.ok).toBe(true);
    expect(report.ice.candidates.host).toBeGreaterThan(0);
    // No STUN/TURN configured: nothing to judge the need for TURN by.
    expect(report.ice.turnNeeded).toBeUndefined();
    expect(report.media.connected).toBe(true);
    expect(report.media.packetsReceived).toBeGreaterThan(50);
    expect(report.media.lossFraction).toBeLessThan(0.05);
    expect(report.media.rttMs).toBeGreaterThanOrEqual(0);
    expect(report.media.mos).toBeGreaterThan(4);
    expect(open).toBe(0);
    expect(page.pageErrors).toEqual([]);
    await page.context().close();
  });

  cellTest('blocked when the signalling server is unreachable', 'sipjs', 'preflight: blocked (signalling unreachable)', async () => {
    const page = await browser.newPage();
    const { report, open } = await page.evaluate(runPreflight, { config: sip({ server: `ws://127.0.0.1:${await closedPort()}` }) });
    expect(report.verdict).toBe('blocked');
    expect(report.reason).toBe('signalling-failed');
    expect(report.signalling).toMatchObject({ ok: false, error: 'NETWORK_UNREACHABLE' });
    expect(report.microphone.ok).toBe(true);
    expect(open).toBe(0);
    await page.context().close();
  });

  cellTest('blocked when the credentials are refused', 'sipjs', 'preflight: blocked (credentials refused)', async () => {
    const page = await browser.newPage();
    const { report } = await page.evaluate(runPreflight, { config: sip({ credentials: { type: 'password', password: 'not-alices-pw-5k2' } }) });
    expect(report.verdict).toBe('blocked');
    expect(report.signalling).toMatchObject({ ok: false, error: 'AUTH_REJECTED' });
    expect(JSON.stringify(report)).not.toContain('not-alices-pw-5k2');
    await page.context().close();
  });

  cellTest('permission-denied when the microphone is refused', 'sipjs', 'preflight: permission-denied', async () => {
    const page = await denied.newPage();
    const { report, open } = await page.evaluate(runPreflight, { config: sip() });
    expect(report.verdict).toBe('permission-denied');
    expect(report.reason).toBe('microphone-denied');
    expect(report.microphone).toMatchObject({ ok: false, error: 'MEDIA_DENIED' });
    // The rest is still checked: the server is reachable.
    expect(report.signalling.ok).toBe(true);
    expect(report.media).toBeUndefined();
    expect(open).toBe(0);
    await page.context().close();
  });

  it('cancelled mid-way: rejects ABORTED and leaves nothing open', async () => {
    const page = await browser.newPage();
    // The media test runs 2 s after connect; 1.2 s in, the loopback connections are up.
    const { error, open } = await page.evaluate(runPreflight, { config: sip(), abortAfterMs: 1_200 });
    expect(error).toBe('ABORTED');
    await new Promise((r) => setTimeout(r, 200));
    expect(await page.evaluate(() => ((window as any).__pcs ?? []).filter((pc: RTCPeerConnection) => pc.signalingState !== 'closed').length)).toBe(0);
    expect(open).toBe(0);
    await page.context().close();
  });

  describe('through TURN and an impairment relay', () => {
    let turn: any;
    let relay: any;
    let iceServers: RTCIceServer[];
    beforeAll(async () => {
      turn = await startTurn();
      relay = await startRelay({ targetPort: turn.port });
      iceServers = [{ urls: `turn:127.0.0.1:${relay.port}?transport=udp`, username: turn.username, credential: turn.credential }];
    });
    afterAll(async () => {
      await relay?.stop();
      await turn?.stop();
    });

    it('ready over the clean relay: the media test ran on relayed candidates', async () => {
      const page = await browser.newPage();
      const { report } = await page.evaluate(runPreflight, { config: sip({ iceServers }), forceRelay: true });
      expect(report.ice.candidates.relay).toBeGreaterThan(0);
      expect(report.ice.turnUnreachable).toBe(false);
      expect(report.media.connected).toBe(true);
      console.info(`preflight over the clean relay: ${JSON.stringify({ ice: report.ice, media: report.media, totalMs: report.totalMs })}`);
      expect(report.verdict).toBe('ready');
      expect(relay.state().up.forwarded).toBeGreaterThan(50);
      await page.context().close();
    });

    // Both loopback ends use the one relay, so a packet crosses it twice: ~50 % lost end to end.
    cellTest('degraded under heavy loss (15 % per relay crossing, ~28 % end to end), with the loss and a lower MOS reported', 'sipjs', 'preflight: degraded under heavy loss', async () => {
      // Heavier loss also drops the TURN allocation and ICE checks often enough that the loopback
      // may not connect within the media test at all (then `media-failed`, a different verdict).
      relay.impair({ loss: 0.15 }, 'both');
      const page = await browser.newPage();
      const { report } = await page.evaluate(runPreflight, { config: sip({ iceServers }), forceRelay: true });
      relay.restore();
      console.info(`preflight under 15% loss per crossing: ${JSON.stringify({ verdict: report.verdict, reason: report.reason, media: report.media })}`);
      expect(report.verdict).toBe('degraded');
      expect(report.reason).toBe('high-loss');
      expect(report.media.lossFraction).toBeGreaterThan(0.15);
      expect(report.media.mos).toBeLessThan(3.6);
      expect(JSON.stringify(report)).not.toContain(turn.credential);
      await page.context().close();
    });
  });
});
