/** The defaults of the quality warnings' thresholds (the rules that use them are in warnings.ts). */
export interface QualityThresholds {
  /** high-rtt when RTT exceeds this (ms). Default 400. */
  rttMs: number;
  /** high-jitter when receive jitter exceeds this (ms). Default 30. */
  jitterMs: number;
  /** high-packet-loss when a second's loss exceeds this (percent). Default 1. */
  packetLossPct: number;
  /** low-mos when the estimated MOS falls below this. Default 3.5. */
  mos: number;
  /** no-inbound-audio / no-outbound-audio after this many samples without a byte. Default 3. */
  noAudioSamples: number;
  /** silent-input after this many samples with no microphone energy. Default 10. */
  silentInputSamples: number;
}

export const DEFAULT_THRESHOLDS: Readonly<QualityThresholds> = /* @__PURE__ */ Object.freeze({
  rttMs: 400,
  jitterMs: 30,
  packetLossPct: 1,
  mos: 3.5,
  noAudioSamples: 3,
  silentInputSamples: 10,
});
