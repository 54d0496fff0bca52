// preflight() gives the same five verdicts on every provider, each a cell of the conformance
// matrix: `ready` on the clean lab, `blocked` with the credentials refused or the signalling server
// not there, `permission-denied` with the microphone refused, `degraded` under heavy loss through
// lab/network's relay. Each provider's lab is its conformance lab (real Kamailio, the Cognigy lab
// endpoint, the real Telnyx and Sendbird SDKs against their emulators).
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { cellTest } from '../conformance/extra-cells.js';
// @ts-ignore plain ESM lab helper
import { launchBrowser } from '../../lab/browser/index.mjs';
import type { ConformanceLab, ConformanceTarget } from '../conformance/suite.js';
import { sipjsTarget } from '../conformance/sipjs.target.js';
import { cognigyTarget } from '../conformance/cognigy.target.js';
import { telnyxTarget } from '../conformance/telnyx.target.js';
import { sendbirdTarget } from '../conformance/sendbird.target.js';
import { HEAVY_LOSS_PER_CROSSING, preflightIn, startLossyNetwork, type LabBrowser, type LossyNetwork } from './preflight-kit.js';

let browser: LabBrowser;
let denied: LabBrowser;
let network: LossyNetwork;

beforeAll(async () => {
  browser = await launchBrowser();
  denied = await launchBrowser({ denyMedia: true });
  network = await startLossyNetwork();
});

afterAll(async () => {
  await browser?.close();
  await denied?.close();
  await network?.stop();
});

/**
 * `turnFromPage`: the vendor's SDK takes its TURN server from the vendor's server, never from the
 * app, so an app has no iceServers to give preflight; the page's network is made relay-only
 * through the lossy relay instead (as the quality scenarios do for it).
 */
const PROVIDERS: Array<{ target: ConformanceTarget; turnFromPage?: boolean }> = [
  { target: sipjsTarget },
  { target: cognigyTarget },
  { target: telnyxTarget },
  { target: sendbirdTarget, turnFromPage: true },
];

describe.each(PROVIDERS)('preflight on $target.name', ({ target, turnFromPage }) => {
  const name = target.name;
  let lab: ConformanceLab;
  beforeAll(async () => {
    lab = await target.startLab();
  });
  afterAll(async () => {
    await lab?.stop();
  });

  cellTest('ready on the clean lab, with every check measured', name, 'preflight: ready on the clean lab', async () => {
    const { report, error, open, pageErrors } = await preflightIn(browser, { config: lab.caller });
    expect(error).toBeUndefined();
    expect(report.provider).toBe(name);
    expect(report.verdict).toBe('ready');
    expect(report.reason).toBe('ok');
    expect(report.microphone.ok).toBe(true);
    expect(report.signalling.ok).toBe(true);
    expect(report.ice.candidates.host).toBeGreaterThan(0);
    // No STUN/TURN configured: nothing to judge the need for TURN by.
    expect(report.ice.turnNeeded).toBeUndefined();
    expect(report.media.connected).toBe(true);
    expect(report.media.packetsReceived).toBeGreaterThan(50);
    expect(report.media.lossFraction).toBeLessThan(0.05);
    expect(report.media.rttMs).toBeGreaterThanOrEqual(0);
    expect(open).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  cellTest('blocked when the credentials are refused', name, 'preflight: blocked (credentials refused)', async () => {
    const { report, open } = await preflightIn(browser, { config: lab.wrongCredentials });
    expect(report.verdict).toBe('blocked');
    expect(report.reason).toBe('signalling-failed');
    expect(report.signalling).toMatchObject({ ok: false, error: 'AUTH_REJECTED' });
    expect(report.media).toBeUndefined();
    const secret = JSON.stringify((lab.wrongCredentials as { credentials?: unknown }).credentials ?? {});
    for (const value of secret.match(/not-alices[\w-]*/g) ?? []) expect(JSON.stringify(report)).not.toContain(value);
    expect(open).toBe(0);
  });

  cellTest('blocked when the signalling server is unreachable', name, 'preflight: blocked (signalling unreachable)', async () => {
    const { report, open } = await preflightIn(browser, { config: lab.unreachable });
    expect(report.verdict).toBe('blocked');
    expect(report.reason).toBe('signalling-failed');
    expect(report.signalling).toMatchObject({ ok: false, error: 'NETWORK_UNREACHABLE' });
    expect(report.microphone.ok).toBe(true);
    expect(report.media).toBeUndefined();
    expect(open).toBe(0);
  });

  cellTest('permission-denied when the microphone is refused', name, 'preflight: permission-denied', async () => {
    const { report, open } = await preflightIn(denied, { config: lab.caller });
    expect(report.verdict).toBe('permission-denied');
    expect(report.reason).toBe('microphone-denied');
    expect(report.microphone).toMatchObject({ ok: false, error: 'MEDIA_DENIED' });
    // The rest is still checked: the server is reachable and the credentials good.
    expect(report.signalling.ok).toBe(true);
    expect(report.media).toBeUndefined();
    expect(open).toBe(0);
  });

  cellTest(
    `degraded under heavy loss (${HEAVY_LOSS_PER_CROSSING * 100} % per relay crossing), with the loss and a lower MOS reported`,
    name,
    'preflight: degraded under heavy loss',
    async () => {
      const config = turnFromPage ? lab.caller : { ...(lab.caller as object), iceServers: network.iceServers };
      const before = network.relay.state().up.forwarded;
      network.relay.impair({ loss: HEAVY_LOSS_PER_CROSSING }, 'both');
      try {
        const { report, open } = await preflightIn(browser, { config, forceRelay: true }, turnFromPage ? (page) => network.relayOnly(page) : undefined);
        console.info(`[preflight-figure] ${name} heavy loss: ${JSON.stringify({ verdict: report.verdict, reason: report.reason, media: report.media })}`);
        expect(report.verdict).toBe('degraded');
        expect(report.reason).toBe('high-loss');
        // ≈ 19 % expected over ~100 packets; well clear of the 5 % limit either way.
        expect(report.media.lossFraction).toBeGreaterThan(0.08);
        expect(report.media.mos).toBeLessThan(3.9);
        expect(JSON.stringify(report)).not.toContain(network.turnCredential);
        expect(open).toBe(0);
      } finally {
        network.relay.restore();
      }
      // The media test's packets crossed the relay (not a host path beside it).
      expect(network.relay.state().up.forwarded - before).toBeGreaterThan(30);
    },
    90_000,
  );
});
