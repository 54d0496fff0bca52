// Quality and media-resilience scenarios over lab/network, the same for every provider: a real
// call between two Chromium pages whose every media packet crosses an impairment relay, and what
// polyphone reports checked against the impairment set and the receiver's own getStats().
// Each provider's file gives its lab (two party configs and a target), as the conformance suite does.
import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import { cpus, loadavg } from 'node:os';
import { launchBrowser } from '../../lab/browser/index.mjs';
import { startNetworkLab } from '../../lab/network/index.mjs';
import { PageClient, closePage, endedLines } from '../support/browser-clients.js';
import { cellTest } from '../conformance/extra-cells.js';
import { sleep, waitForRisingAudio } from '../support/audio.js';
import { cutSentAudio, latestSample, localUfrags, recordSamples, recordedSamples, relayOnlyPage, selectedCandidateTypes, type LabPage, type Relay } from './network-call.js';

type Config = Record<string, unknown>;
type User = 'alice' | 'bob';

export interface NetworkLab {
  /** The caller's and callee's configs; the scenarios add `iceServers` (the relay) and `quality`. */
  caller: Config;
  callee: Config;
  target: string;
  stop(): Promise<void>;
}

export interface NetworkScenarioOptions {
  name: string;
  startLab(): Promise<NetworkLab>;
  /**
   * The vendor's SDK takes its TURN server from its own server, not from the app: the page's
   * network gives it the relay instead (see lab/network relayOnlyInitScript).
   */
  turnFromPage?: boolean;
  /**
   * Where the call cannot come back from a blackout in this lab, why (a declared, checked
   * `unsupported`): the scenario then checks that the call ends once, `failed`, MEDIA_LOST.
   */
  blackoutRecoveryUnsupported?: string;
}

export function defineNetworkScenarios(options: NetworkScenarioOptions): void {
let lab: NetworkLab;
let net: { relays: Relay[]; stop(): Promise<void> };
let browser: { newPage(): Promise<LabPage>; close(): Promise<void> };
let pages: LabPage[] = [];

beforeAll(async () => {
  lab = await options.startLab();
  net = await startNetworkLab({ relays: 2 });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await net?.stop();
  await lab?.stop();
});
afterEach(async () => {
  for (const relay of net.relays) relay.restore();
  const opened = pages;
  pages = [];
  await Promise.all(opened.map((p) => closePage(p)));
  expect(opened.flatMap((p) => (p as any).pageErrors as string[])).toEqual([]);
});

const relayOf = (user: User) => net.relays[user === 'alice' ? 0 : 1]!;

async function connected(user: User, quality?: Config): Promise<PageClient & { page: LabPage }> {
  const iceServers = relayOf(user).iceServers;
  const page = await relayOnlyPage(() => browser.newPage(), options.turnFromPage ? iceServers : undefined);
  pages.push(page);
  const config = { ...(user === 'alice' ? lab.caller : lab.callee), iceServers, ...(quality ? { quality } : {}) };
  const client = await PageClient.create(page, user, config);
  await client.connect();
  return client as PageClient & { page: LabPage };
}

/** alice calls bob over the relays; audio proven both ways before it returns. */
async function callOverNetwork(quality?: Config, bobQuality = quality) {
  const alice = await connected('alice', quality);
  const bob = await connected('bob', bobQuality);
  expect((await alice.call(lab.target)).outcome).toBe('ok');
  await bob.waitForLine('client incomingCall');
  expect((await bob.answer()).outcome).toBe('ok');
  await alice.waitForLine('call#1 active');
  await bob.waitForLine('call#1 active');
  for (const side of [alice, bob]) expect((await waitForRisingAudio(side.page)).packets).toBeGreaterThan(0);
  return { alice, bob };
}

/** Figures for the closing note (what each vendor reported); printed, never asserted as timings. */
const figure = (scenario: string, values: Record<string, unknown>) => console.log(`[quality-figure] ${options.name} ${scenario} ${JSON.stringify(values)}`);
const since = (t: number) => Date.now() - t;

// Two browsers, a SIP or vendor server and coturn on two shared cores: setting a call up alone can
// take 30 s when the machine is busy, so each scenario gets more than vitest's default.
const SCENARIO_TIMEOUT_MS = 150_000;

/**
 * One scenario: one vitest test and one cell of the conformance matrix (row `network: <title>`),
 * `unsupported` where the scenario returns a declared reason (checked by the scenario itself).
 */
function scenario(title: string, run: () => Promise<void | { unsupported: string }>, timeoutMs = SCENARIO_TIMEOUT_MS): void {
  cellTest(title, options.name, `network: ${title}`, run, timeoutMs);
}

/**
 * A starved machine (the lab shares two cores with other work) delays every packet on loopback
 * too: RTT and jitter then rise for real, and the delay-class warnings are right to fire. The
 * scenarios judge delay figures only on a machine that is not starved (load per core under 4).
 */
const starved = () => loadavg()[0]! / cpus().length > 4;
const DELAY_CLASS = /name=(high-rtt|high-jitter|low-mos)$/;

const mediaReconnect = async (client: PageClient) => (await client.state()).capabilities.mediaReconnect === true;

const warningLines = (lines: string[]) => lines.filter((l) => /qualityWarning/.test(l));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

describe(`${options.name}: call quality over lab/network`, () => {
  scenario('samples: relay path, every field present and plausible on a clean path', async () => {
    const { alice } = await callOverNetwork();
    expect(await selectedCandidateTypes(alice.page)).toEqual(['relay']);
    await sleep(3_000);
    const s = (await latestSample(alice))!;
    figure('clean', { fields: Object.keys(s).sort().join(','), rttMs: s.rttMs, jitterMs: s.jitterMs, mos: s.mos, loss: s.cumulativePacketLossPct });
    expect(s).toMatchObject({ codec: 'opus', iceState: 'connected' });
    for (const field of ['rttMs', 'jitterMs', 'packetLossPct', 'cumulativePacketLossPct', 'mos', 'inputLevel', 'outputLevel', 'bytesSent', 'bytesReceived', 'packetsReceived']) {
      expect(typeof s[field], field).toBe('number');
    }
    // Well under the +300 ms scenario's figure, where the machine lets loopback be loopback.
    if (!starved()) {
      expect(s.rttMs as number).toBeLessThan(250);
      expect(s.mos as number).toBeGreaterThan(4);
    }
    expect(s.cumulativePacketLossPct as number).toBeLessThan(1);
  });

  scenario('10 % loss → reported loss 5–15 %, high-packet-loss within 10 s, cleared within 10 s of its end', async () => {
    const { alice } = await callOverNetwork();
    await recordSamples(alice);
    const from = await alice.traceLength();
    relayOf('alice').impair({ loss: 0.1 }, 'down');
    const lossStarted = Date.now();
    await alice.waitForLine('call#1 qualityWarning name=high-packet-loss', { from, timeoutMs: 10_000 });
    const raisedAfter = since(lossStarted);
    await sleep(6_000);
    const lossy = (await recordedSamples(alice)).slice(-8).map((s) => s.packetLossPct as number);
    figure('loss10', { meanLossPct: Math.round(mean(lossy) * 10) / 10, mos: (await latestSample(alice))?.mos, raisedAfterMs: raisedAfter });
    expect(mean(lossy)).toBeGreaterThan(5);
    expect(mean(lossy)).toBeLessThan(15);
    const stopped = await alice.traceLength();
    relayOf('alice').restore();
    const restored = Date.now();
    await alice.waitForLine('call#1 qualityWarningCleared name=high-packet-loss', { from: stopped, timeoutMs: 10_000 });
    figure('loss10-cleared', { clearedAfterMs: since(restored) });
    const lines = await alice.lines();
    expect(lines.filter((l) => /name=high-packet-loss/.test(l))).toEqual([
      'call#1 qualityWarning name=high-packet-loss',
      'call#1 qualityWarningCleared name=high-packet-loss',
    ]);
  });

  scenario('+300 ms delay → RTT > 250 ms in the samples', async () => {
    const { alice } = await callOverNetwork();
    relayOf('alice').impair({ delayMs: 150 }, 'both');
    let rtt = 0;
    for (let i = 0; i < 24 && rtt <= 250; i++) {
      await sleep(500);
      rtt = ((await latestSample(alice))?.rttMs as number) ?? 0;
    }
    figure('delay300', { rttMs: rtt });
    expect(rtt).toBeGreaterThan(250);
  });

  scenario('the far end stops sending audio → no-inbound-audio, cleared when its audio is back', async () => {
    const { alice, bob } = await callOverNetwork();
    const from = await alice.traceLength();
    await cutSentAudio(bob.page, true);
    const cut = Date.now();
    await alice.waitForLine('call#1 qualityWarning name=no-inbound-audio', { from, timeoutMs: 8_000 });
    figure('far-audio-cut', { raisedAfterMs: since(cut) });
    await cutSentAudio(bob.page, false);
    await alice.waitForLine('call#1 qualityWarningCleared name=no-inbound-audio', { from, timeoutMs: 8_000 });
    expect((await waitForRisingAudio(alice.page)).packets).toBeGreaterThan(0);
  });

  scenario('a 6 s blackout → reconnecting → reconnected, audio packets growing again, call still active', async () => {
    const { alice, bob } = await callOverNetwork();
    const from = await alice.traceLength();
    const ufrags = await localUfrags(alice.page);
    const dark = Date.now();
    // Where the lab cannot answer the vendor's own recovery, the path stays dark until the vendor
    // has tried it: its ICE restart fires about 6 s in, so a 6 s blackout would race it (a loaded
    // machine let the path come back first, and the call then never ended).
    relayOf('alice').blackout(options.blackoutRecoveryUnsupported ? 20_000 : 6_000, 'both');
    await alice.waitForLine('call#1 reconnecting', { from, timeoutMs: 10_000 });
    const reconnectingAfter = since(dark);
    if (options.blackoutRecoveryUnsupported) {
      const end = await alice.waitForEnd({ from, timeoutMs: 30_000 });
      figure('blackout6', { reconnectingAfterMs: reconnectingAfter, endedAfterMs: since(dark), end });
      expect(end).toMatchObject({ reason: 'failed', code: 'MEDIA_LOST' });
      expect(endedLines(await alice.lines())).toHaveLength(1);
      return { unsupported: options.blackoutRecoveryUnsupported };
    }
    await alice.waitForLine('call#1 reconnected', { from, timeoutMs: 20_000 });
    figure('blackout6', { reconnectingAfterMs: reconnectingAfter, reconnectedAfterMs: since(dark) });
    for (const side of [alice, bob]) {
      const window = await waitForRisingAudio(side.page);
      expect(window.packets, `${side.name} receives packets again`).toBeGreaterThan(10);
    }
    const lines = (await alice.lines()).slice(from);
    expect(lines).toEqual(expect.arrayContaining(['call#1 stateChanged active>reconnecting', 'call#1 stateChanged reconnecting>active']));
    expect(endedLines(lines)).toEqual([]);
    expect((await alice.state()).call?.state).toBe('active');
    // Where polyphone restarts ICE (re-INVITE with a fresh offer), the ICE credentials are new.
    if (await mediaReconnect(alice)) expect(await localUfrags(alice.page)).not.toEqual(ufrags);
  });

  scenario('a permanent blackout → one ended failed MEDIA_LOST within the bound; the far end ends once', async () => {
    const boundMs = 8_000;
    // Both ends lose the path; bob's longer bound (a per-client setting) makes alice the one to give up.
    const { alice, bob } = await callOverNetwork({ mediaReconnectMs: boundMs }, { mediaReconnectMs: 60_000 });
    const bobFrom = await bob.traceLength();
    const from = await alice.traceLength();
    const started = Date.now();
    relayOf('alice').blackout(undefined, 'both');
    const end = await alice.waitForEnd({ from, timeoutMs: 30_000 });
    // Detection (3 s of a silent path, longer when Chromium's timers are starved) + the bound + a sample.
    expect(Date.now() - started).toBeLessThan(boundMs + 20_000);
    figure('blackout-permanent', { endedAfterMs: Date.now() - started, end });
    expect(end).toMatchObject({ reason: 'failed', code: 'MEDIA_LOST' });
    await sleep(1_000);
    const lines = await alice.lines();
    expect(endedLines(lines)).toHaveLength(1);
    expect(lines.slice(from)).toContain('call#1 reconnecting');
    // The far end ends once too: told by alice's hangup, or (where its SDK gives up on the media
    // by itself, as @telnyx/webrtc does) with MEDIA_LOST of its own.
    const bobEnd = await bob.waitForEnd({ from: bobFrom, timeoutMs: 8_000 });
    expect([{ reason: 'remoteHangup', code: undefined }, { reason: 'failed', code: 'MEDIA_LOST' }]).toContainEqual({ reason: bobEnd.reason, code: bobEnd.code });
    expect(endedLines(await bob.lines())).toHaveLength(1);
  });

  scenario('a clean 60 s call raises no warning on either side', async () => {
    const { alice, bob } = await callOverNetwork();
    const wasStarved: boolean[] = [];
    for (let i = 0; i < 12; i++) {
      await sleep(5_000);
      wasStarved.push(starved());
    }
    for (const side of [alice, bob]) {
      const warnings = warningLines(await side.lines());
      figure('clean60', { side: side.name, warnings, starved: wasStarved.some(Boolean) });
      // Loss, missing audio, a silent microphone or a reconnection are never the machine's doing.
      if (wasStarved.some(Boolean)) expect(warnings.filter((l) => !DELAY_CLASS.test(l)), `${side.name} (machine starved: delay warnings allowed)`).toEqual([]);
      else expect(warnings, side.name).toEqual([]);
      expect((await side.lines()).filter((l) => /reconnecting|ended/.test(l))).toEqual([]);
    }
    expect((await alice.state()).call?.state).toBe('active');
  }, SCENARIO_TIMEOUT_MS + 60_000);
});
}
