import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hillDefaultK, hillTailIndex } from './tail';
import { Rng } from './rng';

describe('Hill tail index', () => {
  it('recovers α = 2 from a Pareto(α = 2) sample within 4 standard errors (α/√k)', () => {
    const rng = new Rng(10);
    // Symmetric Pareto: |X| = U^(−1/α) has P(|X| > t) = t^(−α) exactly for t ≥ 1, random sign.
    const xs = Array.from({ length: 20_000 }, () => (rng.uniform() < 0.5 ? -1 : 1) * (1 - rng.uniform()) ** (-1 / 2));
    const h = hillTailIndex(xs, 1000);
    expect(Math.abs(h.alpha - 2)).toBeLessThan(4 * (2 / Math.sqrt(1000)));
    expect(h.alphaSe).toBeCloseTo(h.alpha / Math.sqrt(1000), 12);
  });

  it('gives α ≈ 1 for Cauchy and a much larger α for Gaussian data at the same n and k', () => {
    const rng = new Rng(11);
    const n = 20_000;
    const k = 200;
    const cauchy = Array.from({ length: n }, () => Math.tan(Math.PI * (rng.uniform() - 0.5)));
    const gauss = rng.normals(n);
    const hc = hillTailIndex(cauchy, k);
    expect(Math.abs(hc.alpha - 1)).toBeLessThan(4 / Math.sqrt(k));
    // The Gaussian tail is not Pareto; at the top 1% its local index ≈ t² ≈ 7 (t ≈ 2.6).
    expect(hillTailIndex(gauss, k).alpha).toBeGreaterThan(4);
  });

  it('is invariant to scaling and to flipping signs', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.01, max: 100, noNaN: true }), { minLength: 10, maxLength: 50 }),
        fc.double({ min: 0.001, max: 1000, noNaN: true }),
        (xs, c) => {
          const k = 5;
          const a = hillTailIndex(xs, k).gamma;
          expect(hillTailIndex(xs.map((v) => -c * v), k).gamma).toBeCloseTo(a, 8);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('computes the formula on a tiny example: |x| = 8, 4, 2, 1 with k = 2 → γ = (ln 4 + ln 2)/2', () => {
    const h = hillTailIndex([1, -8, 2, 4], 2);
    expect(h.gamma).toBeCloseTo((Math.log(4) + Math.log(2)) / 2, 14);
    expect(h.threshold).toBe(2);
    expect(hillDefaultK(10_000)).toBe(100);
  });

  it('checks its input', () => {
    expect(() => hillTailIndex([1, 2, 3], 3)).toThrow(/k must be below the sample size 3/);
    expect(() => hillTailIndex([0, 0, 0, 5], 2)).toThrow(/is 0/);
    expect(() => hillTailIndex([1, 2, 3], 1.5)).toThrow(/positive integer/);
  });
});
