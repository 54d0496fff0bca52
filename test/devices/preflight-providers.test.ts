// preflight() is the same for every provider: `ready` against the Telnyx and Sendbird emulators
// (the real vendor SDKs) and the Cognigy lab endpoint, `blocked` with wrong credentials.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellTest } from '../conformance/extra-cells.js';
import type { Page } from 'playwright-core';
// @ts-ignore plain ESM lab helper
import { launchBrowser } from '../../lab/browser/index.mjs';
import { startTelnyxEmulator } from '../../lab/telnyx/index.mjs';
import { SENDBIRD_USERS, startSendbirdEmulator } from '../../lab/sendbird/index.mjs';
import { cognigyLab } from '../conformance/lab-kit.js';

type Browser = { newPage(): Promise<Page>; close(): Promise<void> };

let browser: Browser;
const stops: Array<() => Promise<void>> = [];
const configs: Record<string, { good: unknown; bad: unknown }> = {};

beforeAll(async () => {
  browser = await launchBrowser();
  const telnyx = await startTelnyxEmulator();
  stops.push(() => telnyx.stop());
  const tx = (credentials: unknown) => ({ provider: 'telnyx', server: telnyx.url, credentials, iceServers: [] });
  configs.telnyx = { good: tx({ type: 'jwt', token: telnyx.issueJwt('alice') }), bad: tx({ type: 'password', login: 'alice', password: 'not-alices-tx-pw' }) };
  const sendbird = await startSendbirdEmulator();
  stops.push(() => sendbird.stop());
  const sb = (accessToken: string) => ({
    provider: 'sendbird',
    server: sendbird.appId,
    apiHost: sendbird.apiHost,
    wsHost: sendbird.wsHost,
    credentials: { type: 'accessToken', userId: 'alice', accessToken },
    iceServers: [],
  });
  configs.sendbird = { good: sb(SENDBIRD_USERS.alice!), bad: sb('not-alices-sb-token') };
  const cognigy = await cognigyLab();
  stops.push(() => cognigy.stop());
  configs.cognigy = { good: cognigy.caller, bad: cognigy.wrongCredentials };
}, 60_000);

afterAll(async () => {
  await browser?.close();
  for (const stop of stops) await stop();
});

const run = (config: unknown) =>
  browser.newPage().then(async (page) => {
    const report = await page.evaluate((c) => (window as any).polyphone.preflight(c, { mediaTestMs: 1_500 }), config);
    const open = await page.evaluate(() => ((window as any).__pcs ?? []).filter((pc: RTCPeerConnection) => pc.signalingState !== 'closed').length);
    await page.context().close();
    return { report, open };
  });

describe.each(['telnyx', 'sendbird', 'cognigy'])('preflight on %s', (name) => {
  cellTest('ready against the lab', name, 'preflight: ready on the clean lab', async () => {
    const { report, open } = await run(configs[name]!.good);
    expect(report.provider).toBe(name);
    expect(report.signalling.ok).toBe(true);
    expect(report.media.connected).toBe(true);
    expect(report.verdict).toBe('ready');
    expect(open).toBe(0);
  });

  cellTest('blocked when the credentials are refused', name, 'preflight: blocked (credentials refused)', async () => {
    const { report, open } = await run(configs[name]!.bad);
    expect(report.verdict).toBe('blocked');
    expect(report.reason).toBe('signalling-failed');
    expect(report.signalling.ok).toBe(false);
    expect(open).toBe(0);
  });
});
