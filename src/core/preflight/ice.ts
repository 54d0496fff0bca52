/** The ICE part of a preflight: which candidates the configured servers give this browser. */
import { raceAbort } from './steps.js';

export interface IceCheck {
  ms: number;
  candidates: { host: number; srflx: number; relay: number };
  /** STUN servers were configured and none answered (no srflx candidate). */
  stunUnreachable: boolean;
  /** TURN servers were configured and none gave a relay candidate. */
  turnUnreachable: boolean;
  /**
   * No public (srflx) address was learnt although STUN was asked: peers outside this network can
   * be reached only through TURN. Undefined when no STUN server was configured (nothing to judge by).
   */
  turnNeeded: boolean | undefined;
}

const hasScheme = (servers: RTCIceServer[], schemes: string[]) =>
  servers.some((s) => (Array.isArray(s.urls) ? s.urls : [s.urls]).some((u) => schemes.some((scheme) => u.startsWith(scheme))));

export async function gatherCandidates(iceServers: RTCIceServer[], boundMs: number, signal: AbortSignal): Promise<IceCheck> {
  const started = Date.now();
  const pc = new RTCPeerConnection({ iceServers });
  const candidates = { host: 0, srflx: 0, relay: 0 };
  try {
    pc.addTransceiver('audio', { direction: 'sendrecv' });
    const complete = new Promise<void>((resolve) => {
      pc.addEventListener('icecandidate', ({ candidate }) => {
        if (!candidate) return resolve();
        const type = candidate.type ?? /typ (\w+)/.exec(candidate.candidate)?.[1];
        if (type === 'host' || type === 'srflx' || type === 'relay') candidates[type]++;
      });
      pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
    });
    await pc.setLocalDescription(await pc.createOffer());
    // An unanswering STUN/TURN server holds gathering for its own timeout: bounded here.
    await raceAbort(Promise.race([complete, new Promise((r) => setTimeout(r, boundMs))]), signal);
  } finally {
    pc.close();
  }
  const stun = hasScheme(iceServers, ['stun:', 'stuns:']);
  const turn = hasScheme(iceServers, ['turn:', 'turns:']);
  return {
    ms: Date.now() - started,
    candidates,
    stunUnreachable: stun && candidates.srflx === 0,
    turnUnreachable: turn && candidates.relay === 0,
    turnNeeded: stun || turn ? candidates.srflx === 0 : undefined,
  };
}
