// Two RTCPeerConnections in one lab page, each through its own relay of lab/network, relay-only:
// the smallest real media path the impairment relay can be checked against.
import type { Page } from 'playwright-core';

export interface PeerAudio {
  packetsReceived: number;
  packetsLost: number;
  jitter: number;
  roundTripTime: number | undefined;
  localCandidateType: string | undefined;
}

/** Connects pc `a` (iceServers a) to pc `b` (iceServers b); audio flows a → b and b → a. */
export async function connectTwoPeers(page: Page, a: RTCIceServer[], b: RTCIceServer[]): Promise<void> {
  await page.evaluate(
    async ([iceA, iceB]) => {
      const make = (iceServers: RTCIceServer[]) => new RTCPeerConnection({ iceServers, iceTransportPolicy: 'relay' });
      const pa = make(iceA);
      const pb = make(iceB);
      pa.onicecandidate = (e) => e.candidate && pb.addIceCandidate(e.candidate);
      pb.onicecandidate = (e) => e.candidate && pa.addIceCandidate(e.candidate);
      const play = (e: RTCTrackEvent) => {
        const el = new Audio();
        el.srcObject = new MediaStream([e.track]);
        el.play().catch(() => {});
      };
      pa.ontrack = play;
      pb.ontrack = play;
      for (const pc of [pa, pb]) {
        const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
        stream.getTracks().forEach((t) => pc.addTrack(t, stream));
      }
      await pa.setLocalDescription(await pa.createOffer());
      await pb.setRemoteDescription(pa.localDescription!);
      await pb.setLocalDescription(await pb.createAnswer());
      await pa.setRemoteDescription(pb.localDescription!);
      (window as any).__two = { a: pa, b: pb };
      const started = Date.now();
      while (pa.iceConnectionState !== 'connected' && pa.iceConnectionState !== 'completed') {
        if (Date.now() - started > 15_000) throw new Error(`ICE did not connect: ${pa.iceConnectionState}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    [a, b] as const,
  );
}

/** What pc `which` receives, from its own getStats(). */
export function peerAudio(page: Page, which: 'a' | 'b'): Promise<PeerAudio> {
  return page.evaluate(async (w) => {
    const pc: RTCPeerConnection = (window as any).__two[w];
    const report = await pc.getStats();
    const out: any = { packetsReceived: 0, packetsLost: 0, jitter: 0, roundTripTime: undefined, localCandidateType: undefined };
    report.forEach((s: any) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') {
        out.packetsReceived += s.packetsReceived ?? 0;
        out.packetsLost += s.packetsLost ?? 0;
        out.jitter = s.jitter ?? 0;
      }
      if (s.type === 'transport' && s.selectedCandidatePairId) {
        const pair = report.get(s.selectedCandidatePairId);
        out.roundTripTime = pair?.currentRoundTripTime;
        out.localCandidateType = report.get(pair?.localCandidateId)?.candidateType;
      }
    });
    return out as PeerAudio;
  }, which);
}
