import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spearman } from './correlation';
import { Rng } from '../rng';

// R ?cor.test example (Hollander & Wolfe): cor.test(x, y, method = "spearman") gives
// S = 48, p = 0.0968, rho = 0.6 (exact, n = 9).
const x = [44.4, 45.9, 41.9, 53.3, 44.7, 44.1, 50.7, 45.2, 60.1];
const y = [2.6, 3.1, 2.5, 5.0, 3.6, 4.0, 5.2, 2.8, 3.8];

describe('correlation', () => {
  it('Spearman on the R cor.test example: ρ = 0.6, exact p = 0.0968', () => {
    const r = spearman(x, y);
    expect(r.statistic).toBeCloseTo(0.6, 12);
    expect(r.p).toBeCloseTo(0.0968, 4);
    expect(r.test).toMatch(/exact/);
  });

  it('Spearman t approximation on the same data: t = 0.6·√(7/0.64) on 7 df', () => {
    const r = spearman(x, y, { exact: false });
    expect(r.df).toBe(7);
    // 2·pt(−1.984313, 7) = 0.08762 (R).
    expect(r.p).toBeCloseTo(0.08762, 4);
  });

  it('ρ of a strictly monotone transform is exactly 1, of a decreasing one −1', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: -1000, max: 1000 }), { minLength: 3, maxLength: 40 }), (xs) => {
        expect(
          spearman(
            xs,
            xs.map((v) => Math.exp(v / 100) + v ** 3),
          ).statistic,
        ).toBe(1);
        expect(
          spearman(
            xs,
            xs.map((v) => -v),
          ).statistic,
        ).toBe(-1);
      }),
      { numRuns: 100 },
    );
  });

  it('exact permutation p of a perfect ranking at n = 6 is 1/720 one-sided, 2/720 two-sided', () => {
    const a = [1, 2, 3, 4, 5, 6];
    expect(spearman(a, a, { alternative: 'greater' }).p).toBeCloseTo(1 / 720, 14);
    expect(spearman(a, a).p).toBeCloseTo(2 / 720, 14);
    expect(spearman(a, a, { alternative: 'less' }).p).toBe(1);
  });

  it('under H0 the t approximation rejects at ≈ 5% for n = 30', () => {
    const rng = new Rng(12);
    let rejected = 0;
    const reps = 1000;
    for (let i = 0; i < reps; i++) if (spearman(rng.normals(30), rng.normals(30)).p < 0.05) rejected++;
    expect(Math.abs(rejected / reps - 0.05)).toBeLessThan(4 * Math.sqrt((0.05 * 0.95) / reps));
  });

  it('with ties, ρ is Pearson of the mid-ranks (R: cor(c(1, 2, 2, 3), 1:4, method = "spearman") = 3/√10)', () => {
    // ranks of [1, 2, 2, 3] are [1, 2.5, 2.5, 4]: Sxy = 4.5, Sxx = 4.5, Syy = 5
    expect(spearman([1, 2, 2, 3], [10, 20, 30, 40]).statistic).toBeCloseTo(3 / Math.sqrt(10), 14);
  });

  it('checks its input', () => {
    expect(() => spearman([1, 2], [1, 2])).toThrow(/at least 3/);
    expect(() => spearman([1, 2, 3], [1, 2, 3, 4])).toThrow(/same length/);
    expect(() => spearman([1, 1, 1], [1, 2, 3])).toThrow(/constant/);
    expect(() =>
      spearman(
        new Array(11).fill(0).map((_, i) => i),
        new Array(11).fill(0).map((_, i) => i),
        { exact: true },
      ),
    ).toThrow(/n ≤ 10/);
  });
});
