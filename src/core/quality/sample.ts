/**
 * One normalised quality sample from an RTCStatsReport (webrtc-stats names). A field the report
 * does not carry is absent from the sample, never guessed.
 */
import { estimateMos } from './mos.js';

export interface QualitySample {
  /** Milliseconds since the epoch, when the sample was taken. */
  timestamp: number;
  /** Round-trip time (RTCP `remote-inbound-rtp.roundTripTime`, else the ICE pair's). */
  rttMs?: number;
  /** Receive jitter (`inbound-rtp.jitter`). */
  jitterMs?: number;
  /** Packets lost / expected since the previous sample, in percent. */
  packetLossPct?: number;
  /** Packets lost / expected since the call began, in percent. */
  cumulativePacketLossPct?: number;
  packetsReceived?: number;
  packetsLost?: number;
  packetsSent?: number;
  /** Estimated MOS (1–4.5) from RTT, jitter and interval loss; see mos.ts for the formula. */
  mos?: number;
  /** Microphone level 0–1 (`media-source.audioLevel`). */
  inputLevel?: number;
  /** Received audio level 0–1 (`inbound-rtp.audioLevel`). */
  outputLevel?: number;
  bytesSent?: number;
  bytesReceived?: number;
  /** e.g. `opus`, `PCMU`. */
  codec?: string;
  /** The ICE transport's state, where the report carries it. */
  iceState?: string;
}

/** Cumulative counters kept between samples to compute interval values. */
export interface SampleCounters {
  packetsReceived?: number;
  packetsLost?: number;
  inputEnergy?: number;
}

type Stat = Record<string, unknown> & { type: string; id: string };
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const isAudio = (s: Stat) => (s.kind ?? s.mediaType) === 'audio';

export interface ReadSample {
  sample: QualitySample;
  counters: SampleCounters;
  /** Change of `media-source.totalAudioEnergy` since the previous sample (silent-input). */
  inputEnergyDelta?: number;
  /**
   * How long the selected ICE pair has received nothing at all (RTP, RTCP or STUN), from its
   * `lastPacketReceivedTimestamp`: a far end that stops talking still sends RTCP and consent
   * checks, a lost path sends nothing.
   */
  pathSilentMs?: number;
}

export function readSample(report: RTCStatsReport, previous: SampleCounters | undefined, now = Date.now()): ReadSample {
  const stats: Stat[] = [];
  report.forEach((s: Stat) => stats.push(s));
  const byId = new Map(stats.map((s) => [s.id, s]));
  const inbound = stats.filter((s) => s.type === 'inbound-rtp' && isAudio(s));
  const outbound = stats.filter((s) => s.type === 'outbound-rtp' && isAudio(s));
  const remoteInbound = stats.find((s) => s.type === 'remote-inbound-rtp' && isAudio(s) && num(s.roundTripTime) !== undefined);
  const source = stats.find((s) => s.type === 'media-source' && isAudio(s));
  const transport = stats.find((s) => s.type === 'transport');
  const pair = transport && typeof transport.selectedCandidatePairId === 'string' ? byId.get(transport.selectedCandidatePairId) : stats.find((s) => s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded');

  const sample: QualitySample = { timestamp: now };
  const sum = (list: Stat[], field: string) => {
    const values = list.map((s) => num(s[field])).filter((v): v is number => v !== undefined);
    return values.length ? values.reduce((a, b) => a + b, 0) : undefined;
  };
  const rtt = num(remoteInbound?.roundTripTime) ?? num(pair?.currentRoundTripTime);
  if (rtt !== undefined) sample.rttMs = Math.round(rtt * 1000);
  const jitter = num(inbound[0]?.jitter);
  if (jitter !== undefined) sample.jitterMs = Math.round(jitter * 10000) / 10;
  const received = sum(inbound, 'packetsReceived');
  const lost = sum(inbound, 'packetsLost');
  if (received !== undefined) sample.packetsReceived = received;
  if (lost !== undefined) sample.packetsLost = lost;
  const sent = sum(outbound, 'packetsSent');
  if (sent !== undefined) sample.packetsSent = sent;
  if (received !== undefined && lost !== undefined) {
    sample.cumulativePacketLossPct = percent(lost, received + lost);
    if (previous?.packetsReceived !== undefined && previous.packetsLost !== undefined) {
      const dReceived = Math.max(0, received - previous.packetsReceived);
      const dLost = Math.max(0, lost - previous.packetsLost);
      sample.packetLossPct = percent(dLost, dReceived + dLost);
    }
  }
  const bytesReceived = sum(inbound, 'bytesReceived');
  const bytesSent = sum(outbound, 'bytesSent');
  if (bytesReceived !== undefined) sample.bytesReceived = bytesReceived;
  if (bytesSent !== undefined) sample.bytesSent = bytesSent;
  const inputLevel = num(source?.audioLevel);
  if (inputLevel !== undefined) sample.inputLevel = inputLevel;
  const outputLevel = num(inbound[0]?.audioLevel);
  if (outputLevel !== undefined) sample.outputLevel = outputLevel;
  const codecId = (inbound[0]?.codecId ?? outbound[0]?.codecId) as string | undefined;
  const mime = codecId ? byId.get(codecId)?.mimeType : undefined;
  if (typeof mime === 'string') sample.codec = mime.replace(/^audio\//i, '');
  if (typeof transport?.iceState === 'string') sample.iceState = transport.iceState;
  if (sample.rttMs !== undefined && sample.jitterMs !== undefined) {
    const loss = sample.packetLossPct ?? sample.cumulativePacketLossPct;
    if (loss !== undefined) sample.mos = estimateMos({ rttMs: sample.rttMs, jitterMs: sample.jitterMs, lossPct: loss });
  }

  const inputEnergy = num(source?.totalAudioEnergy);
  const counters: SampleCounters = { packetsReceived: received, packetsLost: lost, inputEnergy };
  const out: ReadSample = { sample, counters };
  if (inputEnergy !== undefined && previous?.inputEnergy !== undefined) out.inputEnergyDelta = inputEnergy - previous.inputEnergy;
  const lastReceived = num(pair?.lastPacketReceivedTimestamp);
  const pairTime = num(pair?.timestamp);
  if (lastReceived !== undefined && pairTime !== undefined) out.pathSilentMs = Math.max(0, pairTime - lastReceived);
  return out;
}

function percent(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 10000) / 100 : 0;
}
