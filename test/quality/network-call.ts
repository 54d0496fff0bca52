// A polyphone call between two lab pages whose every media packet crosses lab/network: each page
// relay-only, each through its own impairment relay to one coturn. Provider-neutral: the caller
// gives the two configs; helpers read the quality a call reports and cut a page's sent audio.
import type { Page } from 'playwright-core';
import { makeRelayOnly } from '../../lab/network/index.mjs';
import { PageClient } from '../support/browser-clients.js';

export type LabPage = Page & { inboundAudio(): Promise<{ packetsReceived: number; totalAudioEnergy: number }> };
export type Relay = {
  iceServers: RTCIceServer[];
  impair(s: { loss?: number; delayMs?: number; jitterMs?: number }, d?: 'up' | 'down' | 'both'): void;
  blackout(ms?: number, d?: 'up' | 'down' | 'both'): void;
  restore(): void;
};

export async function relayOnlyPage(newPage: () => Promise<LabPage>, iceServers?: RTCIceServer[]): Promise<LabPage> {
  const page = await newPage();
  await makeRelayOnly(page, { iceServers });
  return page;
}

/** The latest quality sample of the page client's current call (call.quality). */
export function latestSample(client: PageClient): Promise<Record<string, unknown> | undefined> {
  return client.page.evaluate((n) => {
    const call = (window as any).__clients[n]?.call;
    return call?.quality ? { ...call.quality } : undefined;
  }, client.name);
}

/** Collects every `quality` sample of the current call in the page, from now on. */
export async function recordSamples(client: PageClient): Promise<void> {
  await client.page.evaluate((n) => {
    const entry = (window as any).__clients[n];
    entry.samples = [];
    entry.call.on('quality', (s: unknown) => entry.samples.push(s));
  }, client.name);
}

export function recordedSamples(client: PageClient): Promise<Array<Record<string, any>>> {
  return client.page.evaluate((n) => (window as any).__clients[n].samples ?? [], client.name);
}

/** The page stops sending audio (its senders carry no track): the far end receives nothing. */
export function cutSentAudio(page: Page, cut: boolean): Promise<void> {
  return page.evaluate(async (off) => {
    const w = window as any;
    w.__cutTracks ??= new Map();
    for (const pc of w.__pcs as RTCPeerConnection[]) {
      if (pc.connectionState === 'closed') continue;
      for (const sender of pc.getSenders()) {
        if (off && sender.track?.kind === 'audio') {
          w.__cutTracks.set(sender, sender.track);
          await sender.replaceTrack(null);
        } else if (!off && w.__cutTracks.has(sender)) {
          await sender.replaceTrack(w.__cutTracks.get(sender));
          w.__cutTracks.delete(sender);
        }
      }
    }
  }, cut);
}

/** The ICE username fragment of each live peer connection's local description (changes on an ICE restart). */
export function localUfrags(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    ((window as any).__pcs as RTCPeerConnection[])
      .filter((pc) => pc.connectionState !== 'closed')
      .map((pc) => /a=ice-ufrag:(\S+)/.exec(pc.localDescription?.sdp ?? '')?.[1] ?? ''),
  );
}

/** The local candidate type of each live peer connection's selected pair in the page. */
export function selectedCandidateTypes(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const out: string[] = [];
    for (const pc of (window as any).__pcs as RTCPeerConnection[]) {
      if (pc.connectionState === 'closed') continue;
      const report = await pc.getStats();
      report.forEach((s: any) => {
        if (s.type === 'transport' && s.selectedCandidatePairId) {
          const pair = report.get(s.selectedCandidatePairId);
          out.push(report.get(pair?.localCandidateId)?.candidateType ?? 'unknown');
        }
      });
    }
    return out;
  });
}
