// A provider of our own whose call's getStats() reads a scripted media path, for the core's
// quality rules apart from any vendor (the real media paths are in the lab tests beside it).
import type { CallSink, ProviderCall, ProviderDefinitionV1 } from '../../src/all.js';

/** The media path the next getStats() reports; tests change it between samples. */
export interface ScriptedPath {
  /** Packets a second each way (50 = 20 ms Opus frames). */
  rate: number;
  lossPct: number;
  rttMs: number;
  jitterMs: number;
  iceState: string;
  inboundFlowing: boolean;
  outboundFlowing: boolean;
  micEnergyPerS: number;
  /** Set by restartMedia(): how many ICE restarts the core asked for. */
  restarts: number;
  /** What restartMedia() does to the path. */
  onRestart?: (path: ScriptedPath) => void;
  sink?: CallSink;
  hangups: number;
}

export function scriptedPath(): ScriptedPath {
  return { rate: 50, lossPct: 0, rttMs: 20, jitterMs: 2, iceState: 'connected', inboundFlowing: true, outboundFlowing: true, micEnergyPerS: 0.2, restarts: 0, hangups: 0 };
}

/** Builds an RTCStatsReport-shaped Map from cumulative counters advanced by one second. */
function reportOf(path: ScriptedPath, totals: { received: number; lost: number; sent: number; energy: number }): RTCStatsReport {
  if (path.inboundFlowing) {
    const lost = Math.round((path.rate * path.lossPct) / 100);
    totals.received += path.rate - lost;
    totals.lost += lost;
  }
  if (path.outboundFlowing) totals.sent += path.rate;
  totals.energy += path.micEnergyPerS;
  const stats: Array<Record<string, unknown>> = [
    { id: 'T', type: 'transport', iceState: path.iceState, selectedCandidatePairId: 'CP' },
    { id: 'CP', type: 'candidate-pair', currentRoundTripTime: path.rttMs / 1000 },
    { id: 'C', type: 'codec', mimeType: 'audio/opus' },
    { id: 'IN', type: 'inbound-rtp', kind: 'audio', codecId: 'C', packetsReceived: totals.received, packetsLost: totals.lost, bytesReceived: totals.received * 80, jitter: path.jitterMs / 1000, audioLevel: 0.1 },
    { id: 'OUT', type: 'outbound-rtp', kind: 'audio', codecId: 'C', packetsSent: totals.sent, bytesSent: totals.sent * 80 },
    { id: 'MS', type: 'media-source', kind: 'audio', audioLevel: 0.05, totalAudioEnergy: totals.energy },
  ];
  return new Map(stats.map((s) => [s.id as string, s])) as unknown as RTCStatsReport;
}

export function statsProvider(path: ScriptedPath, caps: { quality?: boolean; mediaReconnect?: boolean } = {}): ProviderDefinitionV1<null> {
  return {
    specificationVersion: 'v1',
    name: 'statsful',
    parseOptions: () => null,
    defaultCredentials: () => ({ type: 'anonymous' }),
    create: () => ({
      specificationVersion: 'v1',
      name: 'statsful',
      capabilities: { incomingCalls: false, mute: true, hold: true, remoteHold: false, dtmf: false, receiveDtmf: false, tokenRefresh: false, anonymous: true, quality: true, mediaReconnect: true, ...caps },
      init: async () => {},
      authenticate: async () => {},
      connect: async () => ({ registered: true }),
      disconnect: async () => {},
      refreshToken: async () => {},
      call: async (_target, _options, sink): Promise<ProviderCall> => {
        path.sink = sink;
        const totals = { received: 0, lost: 0, sent: 0, energy: 0 };
        return {
          hangup: async () => void path.hangups++,
          mute: async () => {},
          unmute: async () => {},
          hold: async () => {},
          unhold: async () => {},
          getStats: async () => reportOf(path, totals),
          restartMedia: async () => {
            path.restarts++;
            path.onRestart?.(path);
          },
        };
      },
    }),
  };
}
