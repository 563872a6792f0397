import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ratioOfDifferencesCI } from './ratio';
import { Rng } from '../rng';

describe('ratioOfDifferencesCI (delta method, Welch–Satterthwaite df)', () => {
  it('matches a hand computation', () => {
    // a: mean 0.70, var 1e-4; b: mean 0.76, var 4e-4; c: mean 0.79, var 1e-4; n = 3 each
    const a = [0.69, 0.7, 0.71];
    const b = [0.74, 0.76, 0.78];
    const c = [0.78, 0.79, 0.8];
    const r = ratioOfDifferencesCI(a, b, c);
    const G = 0.09;
    const R = 0.06 / G;
    const w = [(0.76 - 0.79) / G ** 2, 1 / G, -0.06 / G ** 2];
    const v = [(w[0]! ** 2 * 1e-4) / 3, (w[1]! ** 2 * 4e-4) / 3, (w[2]! ** 2 * 1e-4) / 3];
    const se = Math.sqrt(v[0]! + v[1]! + v[2]!);
    const df = (v[0]! + v[1]! + v[2]!) ** 2 / (v[0]! ** 2 / 2 + v[1]! ** 2 / 2 + v[2]! ** 2 / 2);
    expect(r.estimate).toBeCloseTo(R, 12);
    expect(r.se).toBeCloseTo(se, 10);
    expect(r.df).toBeCloseTo(df, 8);
    expect(r.ci[0]).toBeLessThan(R);
    expect(r.ci[1]).toBeGreaterThan(R);
    // the t quantile at that df, from the half-width
    expect((r.ci[1] - r.ci[0]) / 2 / se).toBeGreaterThan(1.96);
  });

  it('is invariant to a common shift and scale of the three groups (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: -5, max: 5, noNaN: true }), fc.double({ min: 0.1, max: 10, noNaN: true }), (shift, k) => {
        const a = [0.1, 0.12, 0.08, 0.11];
        const b = [0.5, 0.55, 0.45, 0.52];
        const c = [0.9, 0.92, 0.88, 0.91];
        const r0 = ratioOfDifferencesCI(a, b, c);
        const t = (xs: number[]) => xs.map((x) => shift + k * x);
        const r1 = ratioOfDifferencesCI(t(a), t(b), t(c));
        expect(r1.estimate).toBeCloseTo(r0.estimate, 8);
        expect(r1.ci[0]).toBeCloseTo(r0.ci[0], 8);
        expect(r1.ci[1]).toBeCloseTo(r0.ci[1], 8);
      }),
      { numRuns: 50 },
    );
  });

  it('covers the true ratio at about its level with 5 seeds per arm when the gain is clear (simulation)', () => {
    // the final-layer claim's situation: gain 10 points, per-arm sd 1.5 points, true ratio 2/3
    const rng = new Rng(20261202);
    const trials = 4000;
    let covered = 0;
    for (let i = 0; i < trials; i++) {
      const a = Array.from({ length: 5 }, () => rng.normal(0.7, 0.015));
      const b = Array.from({ length: 5 }, () => rng.normal(0.7 + 0.1 * (2 / 3), 0.015));
      const c = Array.from({ length: 5 }, () => rng.normal(0.8, 0.015));
      const r = ratioOfDifferencesCI(a, b, c);
      if (r.ci[0] <= 2 / 3 && 2 / 3 <= r.ci[1]) covered++;
    }
    const coverage = covered / trials;
    // binomial sd at 4,000 trials ≈ 0.0035; the delta method's t-interval is close to nominal here
    expect(coverage).toBeGreaterThan(0.93);
    expect(coverage).toBeLessThan(0.97);
  });

  it('refuses a zero denominator and reports how far the denominator is from 0', () => {
    expect(() => ratioOfDifferencesCI([1, 2], [3, 4], [1, 2])).toThrow(/undefined/);
    const r = ratioOfDifferencesCI([0.1, 0.2], [0.3, 0.4], [0.5, 0.6]);
    expect(r.denominatorT).toBeCloseTo(0.4 / Math.sqrt(0.005 / 2 + 0.005 / 2), 8);
  });
});
