/**
 * Estimated MOS from the simplified ITU-T G.107 E-model (Cole & Rosenbluth, 2001), the form most
 * WebRTC quality meters use:
 *
 *   effective one-way delay  d  = RTT / 2 + 2 × jitter + 10 ms (codec/packetisation)
 *   delay impairment         Id = d / 40                 when d < 160 ms
 *                                 (d − 120) / 10          otherwise
 *   loss impairment          Ie = 2.5 × loss (percent)
 *   R = 93.2 − Id − Ie, clamped to 0…100
 *   MOS = 1 + 0.035 R + 7·10⁻⁶ R (R − 60)(100 − R), clamped to 1…4.5
 *
 * A clean loopback call scores ≈ 4.4; 10 % loss ≈ 3.5; 300 ms RTT with no loss ≈ 4.3.
 */
export function estimateMos(input: { rttMs: number; jitterMs: number; lossPct: number }): number {
  const effectiveDelay = input.rttMs / 2 + 2 * input.jitterMs + 10;
  const delayImpairment = effectiveDelay < 160 ? effectiveDelay / 40 : (effectiveDelay - 120) / 10;
  const lossImpairment = 2.5 * input.lossPct;
  const r = Math.min(100, Math.max(0, 93.2 - delayImpairment - lossImpairment));
  const mos = 1 + 0.035 * r + 0.000007 * r * (r - 60) * (100 - r);
  return Math.round(Math.min(4.5, Math.max(1, mos)) * 100) / 100;
}
