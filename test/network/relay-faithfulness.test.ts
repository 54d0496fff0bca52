// lab/network is faithful: what the relay is told to do is what the receiver's getStats() sees.
// Two peer connections in one headless Chromium page, each through its own relay to one coturn.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../lab/browser/index.mjs';
import { startNetworkLab } from '../../lab/network/index.mjs';
import { connectTwoPeers, peerAudio, type PeerAudio } from './two-peers.js';
import { sleep } from '../support/audio.js';

type Relay = {
  iceServers: RTCIceServer[];
  impair(s: { loss?: number; delayMs?: number; jitterMs?: number }, d?: 'up' | 'down' | 'both'): void;
  blackout(ms?: number, d?: 'up' | 'down' | 'both'): void;
  restore(): void;
  state(): { up: { forwarded: number; dropped: number }; down: { forwarded: number; dropped: number } };
};
let net: { relays: Relay[]; turn: { pid: number }; stop(): Promise<void> };
let browser: { newPage(): Promise<Page>; close(): Promise<void> };
let page: Page;

beforeAll(async () => {
  net = await startNetworkLab({ relays: 2 });
  browser = await launchBrowser();
  page = await browser.newPage();
  await connectTwoPeers(page, net.relays[0]!.iceServers, net.relays[1]!.iceServers);
});

afterAll(async () => {
  await browser?.close();
  await net?.stop();
});

/** Loss over a window as the receiver counts it: lost / (lost + received). */
async function lossOver(ms: number): Promise<{ ratio: number; received: number }> {
  const before = await peerAudio(page, 'b');
  await sleep(ms);
  const after = await peerAudio(page, 'b');
  const received = after.packetsReceived - before.packetsReceived;
  const lost = after.packetsLost - before.packetsLost;
  return { ratio: lost / Math.max(1, lost + received), received };
}

describe('lab/network: coturn + impairment relay', () => {
  it('both peers connect through relay candidates only, and every packet crosses the relays', async () => {
    let b: PeerAudio = await peerAudio(page, 'b');
    for (let i = 0; i < 20 && !b.localCandidateType; i++) {
      await sleep(100);
      b = await peerAudio(page, 'b');
    }
    expect(b.localCandidateType).toBe('relay');
    await sleep(1_000);
    const later = await peerAudio(page, 'b');
    expect(later.packetsReceived).toBeGreaterThan(b.packetsReceived + 20);
    const state = net.relays[1]!.state();
    expect(state.up.forwarded).toBeGreaterThan(50);
    expect(state.down.forwarded).toBeGreaterThan(50);
  });

  it('10 % loss set on the receiver\'s downlink → the receiver reports about 10 % loss', async () => {
    const clean = await lossOver(2_000);
    expect(clean.ratio).toBeLessThan(0.02);
    net.relays[1]!.impair({ loss: 0.1 }, 'down');
    try {
      const lossy = await lossOver(8_000);
      console.log(`[network-figure] 10 % downlink loss → receiver reports ${(lossy.ratio * 100).toFixed(1)} % over ${lossy.received} packets`);
      expect(lossy.received).toBeGreaterThan(200);
      expect(lossy.ratio).toBeGreaterThan(0.06);
      expect(lossy.ratio).toBeLessThan(0.14);
    } finally {
      net.relays[1]!.restore();
    }
  });

  it('+300 ms delay on one relay → the ICE round trip exceeds 300 ms; restored, it drops back', async () => {
    net.relays[1]!.impair({ delayMs: 150 }, 'both');
    try {
      let rtt = 0;
      for (let i = 0; i < 20 && rtt < 0.3; i++) {
        await sleep(500);
        rtt = (await peerAudio(page, 'b')).roundTripTime ?? 0;
      }
      expect(rtt, JSON.stringify(net.relays[1]!.state())).toBeGreaterThan(0.28);
    } finally {
      net.relays[1]!.restore();
    }
    let rtt = 1;
    for (let i = 0; i < 20 && rtt > 0.1; i++) {
      await sleep(500);
      rtt = (await peerAudio(page, 'b')).roundTripTime ?? 1;
    }
    expect(rtt).toBeLessThan(0.1);
  });

  it('a 3 s blackout stops packets and they flow again after it; a switch during the call', async () => {
    net.relays[1]!.blackout(3_000);
    await sleep(500);
    const dark = await lossOver(1_500);
    expect(dark.received).toBe(0);
    await sleep(2_000);
    let flowing = 0;
    for (let i = 0; i < 20 && flowing < 20; i++) flowing = (await lossOver(500)).received;
    expect(flowing).toBeGreaterThanOrEqual(20);
  });
});
