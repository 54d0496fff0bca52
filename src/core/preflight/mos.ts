/**
 * The ITU-T G.107 E-model, reduced as is usual for VoIP monitoring (no codec impairment beyond
 * Opus's small Ie): delay and loss lower the R factor, which maps onto a 1..4.5 MOS.
 */
export function estimateMos(input: { rttMs: number; jitterMs: number; lossFraction: number }): number {
  // One-way delay: half the round trip, the jitter buffer (about twice the jitter) and ~10 ms codec.
  const delay = input.rttMs / 2 + 2 * input.jitterMs + 10;
  const delayImpairment = delay < 160 ? delay / 40 : (delay - 120) / 10;
  const lossImpairment = 2.5 * Math.min(100, Math.max(0, input.lossFraction * 100));
  const r = Math.max(0, Math.min(93.2, 93.2 - delayImpairment - lossImpairment));
  const mos = 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r);
  return Math.round(Math.min(4.5, Math.max(1, mos)) * 100) / 100;
}
