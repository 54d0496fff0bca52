/**
 * The media part of a preflight: a short loopback call between two RTCPeerConnections of this
 * page through the configured ICE servers (only relayed candidates with `forceRelay`), the
 * microphone's track sent one way; the receiver's stats give loss and jitter, the selected
 * candidate pair the round trip.
 */
import { estimateMos } from '../quality/mos.js';
import { raceAbort } from './steps.js';

export interface MediaCheck {
  ms: number;
  connected: boolean;
  packetsReceived: number;
  packetsLost: number;
  /** 0..1 */
  lossFraction: number;
  rttMs: number | undefined;
  jitterMs: number | undefined;
  mos: number | undefined;
}

type Stats = Record<string, any>;

function read(report: RTCStatsReport, type: string, pick: (s: Stats) => boolean = () => true): Stats | undefined {
  let found: Stats | undefined;
  report.forEach((s: Stats) => {
    if (!found && s.type === type && pick(s)) found = s;
  });
  return found;
}

export async function loopbackMedia(
  track: MediaStreamTrack,
  iceServers: RTCIceServer[],
  options: { durationMs: number; connectMs: number; forceRelay: boolean },
  signal: AbortSignal,
): Promise<MediaCheck> {
  const started = Date.now();
  const config: RTCConfiguration = { iceServers, iceTransportPolicy: options.forceRelay ? 'relay' : 'all' };
  const sender = new RTCPeerConnection(config);
  const receiver = new RTCPeerConnection(config);
  const result: MediaCheck = { ms: 0, connected: false, packetsReceived: 0, packetsLost: 0, lossFraction: 0, rttMs: undefined, jitterMs: undefined, mos: undefined };
  try {
    sender.addEventListener('icecandidate', ({ candidate }) => candidate && receiver.addIceCandidate(candidate).catch(() => {}));
    receiver.addEventListener('icecandidate', ({ candidate }) => candidate && sender.addIceCandidate(candidate).catch(() => {}));
    sender.addTrack(track, new MediaStream([track]));
    const connected = new Promise<boolean>((resolve) => {
      const check = () => {
        if (receiver.connectionState === 'connected') resolve(true);
        if (receiver.connectionState === 'failed') resolve(false);
      };
      receiver.addEventListener('connectionstatechange', check);
      setTimeout(() => resolve(false), options.connectMs);
    });
    await raceAbort(
      (async () => {
        await sender.setLocalDescription(await sender.createOffer());
        await receiver.setRemoteDescription(sender.localDescription!);
        await receiver.setLocalDescription(await receiver.createAnswer());
        await sender.setRemoteDescription(receiver.localDescription!);
      })(),
      signal,
    );
    result.connected = await raceAbort(connected, signal);
    if (!result.connected) return result;
    await raceAbort(new Promise((r) => setTimeout(r, options.durationMs)), signal);
    const [sent, received] = await raceAbort(Promise.all([sender.getStats(), receiver.getStats()]), signal);
    const inbound = read(received, 'inbound-rtp', (s) => (s.kind ?? s.mediaType) === 'audio');
    const pair = read(sent, 'candidate-pair', (s) => s.nominated === true && s.state === 'succeeded') ?? read(sent, 'candidate-pair', (s) => s.state === 'succeeded');
    result.packetsReceived = inbound?.packetsReceived ?? 0;
    result.packetsLost = Math.max(0, inbound?.packetsLost ?? 0);
    const expected = result.packetsReceived + result.packetsLost;
    result.lossFraction = expected > 0 ? result.packetsLost / expected : 1;
    if (typeof pair?.currentRoundTripTime === 'number') result.rttMs = Math.round(pair.currentRoundTripTime * 1000);
    if (typeof inbound?.jitter === 'number') result.jitterMs = Math.round(inbound.jitter * 1000);
    result.mos = estimateMos({ rttMs: result.rttMs ?? 0, jitterMs: result.jitterMs ?? 0, lossPct: result.lossFraction * 100 });
    return result;
  } finally {
    result.ms = Date.now() - started;
    sender.close();
    receiver.close();
  }
}
