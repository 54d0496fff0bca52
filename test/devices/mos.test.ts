// The preflight's MOS estimate (E-model): within 1..4.5, best on a clean path, never better with
// more loss, delay or jitter.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { estimateMos } from '../../src/core/quality/mos.js';

// The one E-model of polyphone (quality samples and preflight), read with a loss fraction here.
const mosOf = (p: { rttMs: number; jitterMs: number; lossFraction: number }) => estimateMos({ rttMs: p.rttMs, jitterMs: p.jitterMs, lossPct: p.lossFraction * 100 });

const path = fc.record({ rttMs: fc.integer({ min: 0, max: 2_000 }), jitterMs: fc.integer({ min: 0, max: 300 }), lossFraction: fc.double({ min: 0, max: 1, noNaN: true }) });

describe('estimateMos', () => {
  it('a clean LAN path scores as toll quality, heavy loss does not', () => {
    expect(mosOf({ rttMs: 1, jitterMs: 0, lossFraction: 0 })).toBeGreaterThan(4.3);
    expect(mosOf({ rttMs: 1, jitterMs: 0, lossFraction: 0.3 })).toBeLessThan(2);
  });

  it('stays within 1..4.5 and never improves when the path gets worse', () => {
    fc.assert(
      fc.property(path, fc.integer({ min: 0, max: 500 }), fc.double({ min: 0, max: 0.5, noNaN: true }), (p, extraMs, extraLoss) => {
        const base = mosOf(p);
        expect(base).toBeGreaterThanOrEqual(1);
        expect(base).toBeLessThanOrEqual(4.5);
        expect(mosOf({ ...p, rttMs: p.rttMs + extraMs })).toBeLessThanOrEqual(base);
        expect(mosOf({ ...p, jitterMs: p.jitterMs + extraMs / 10 })).toBeLessThanOrEqual(base);
        expect(mosOf({ ...p, lossFraction: Math.min(1, p.lossFraction + extraLoss) })).toBeLessThanOrEqual(base);
      }),
    );
  });
});
