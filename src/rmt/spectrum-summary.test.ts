import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fussCatalanCdf, fussCatalanEdge } from './fuss-catalan';
import { finiteNMoments, productSingularValues } from './gaussian-product';
import { spectrumSummary } from './spectrum-summary';
import { oneSampleTTest } from '../stats/t-test';
import { median } from '../stats/moments';

describe('spectra of Gaussian products follow the Fuss–Catalan law', () => {
  it('for random N ≥ 100 and M = 1 … 6: moments, edge, share near 0 and KS distance within their finite-N tolerances', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 160 }), fc.integer({ min: 1, max: 6 }), fc.nat({ max: 1e6 }), (N, M, seed) => {
        const r = spectrumSummary(M, N, seed);
        // First moment: exact finite-N sd from Wick's theorem; 4 sd.
        expect(Math.abs(r.moments[0]!.empirical - 1)).toBeLessThan(4 * finiteNMoments(M, N).m1Sd);
        // Top singular value: Tracy–Widom (β = 1) at the soft-edge scale; P(outside [−7, 5]) < 1e-4.
        expect(r.edgeStatistic).toBeGreaterThan(-7);
        expect(r.edgeStatistic).toBeLessThan(5);
        // Eigenvalue rigidity: counting-function errors O(log N), so D and the share within (1 + ln N)/N.
        const rigid = (1 + Math.log(N)) / N;
        expect(Math.abs(r.shareBelow.empirical - r.shareBelow.theory)).toBeLessThan(rigid);
        expect(r.ks.D).toBeLessThan(rigid);
        expect(r.ks.p).toBeGreaterThan(0.05);
      }),
      { numRuns: 8 },
    );
  });

  it('the second moment averages to its exact finite-N expectation (one-sample t over 10 seeds)', () => {
    const N = 100;
    const M = 3;
    const m2 = Array.from({ length: 10 }, (_, seed) => spectrumSummary(M, N, seed).moments[1]!.empirical);
    expect(oneSampleTTest(m2, { mu: finiteNMoments(M, N).m2 }).p).toBeGreaterThan(0.001);
  });

  it('the top singular value approaches √edge from below: its mean over 12 seeds is under the edge', () => {
    // E[TW1] = −1.21 and sd 1.27, so a mean of 12 lies below 0 with probability ≈ 0.9995.
    for (const M of [1, 3]) {
      const tops = Array.from({ length: 12 }, (_, seed) => productSingularValues(M, 100, seed)[0]!);
      expect(tops.reduce((a, b) => a + b, 0) / tops.length).toBeLessThan(Math.sqrt(fussCatalanEdge(M)));
    }
  });

  it('the share of singular values below ε = 0.05 grows with M, as F(ε²) does', () => {
    const N = 150;
    const shares = [1, 2, 3, 4, 5, 6].map((M) => spectrumSummary(M, N, 42).shareBelow);
    for (let i = 1; i < shares.length; i++) {
      expect(shares[i]!.empirical).toBeGreaterThan(shares[i - 1]!.empirical);
      expect(shares[i]!.theory).toBeGreaterThan(shares[i - 1]!.theory);
    }
    expect(shares[0]!.theory).toBeCloseTo(fussCatalanCdf(1, 0.0025), 14);
  });

  it('the condition number explodes with depth: at N = 100 it grows by ≥ 3 decades from M = 1 to M = 6', () => {
    const logCond = (M: number) => median([0, 1, 2].map((seed) => Math.log10(spectrumSummary(M, 100, seed).conditionNumber)));
    expect(logCond(6) - logCond(1)).toBeGreaterThan(3);
  });

  it('returns what a figure needs and checks eps', () => {
    const r = spectrumSummary(2, 100, 1);
    expect(r.singularValues.length).toBe(100);
    expect(r.singularValues[0]).toBe(r.topSingularValue);
    expect(r.moments.map((m) => m.theory)).toEqual([1, 3, 12, 55]);
    expect(() => spectrumSummary(2, 100, 1, 0)).toThrow(/eps must be a positive/);
  });
});
