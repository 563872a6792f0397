import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mannWhitneyNullDistribution, mannWhitneyU } from './mann-whitney';
import { Rng } from '../rng';

/** P(U = u) by listing every way to pick which of the m + n ranked positions belong to x. */
function bruteForceNull(m: number, n: number): number[] {
  const counts = new Array(m * n + 1).fill(0);
  let total = 0;
  for (let mask = 0; mask < 1 << (m + n); mask++) {
    let bits = 0;
    for (let t = mask; t; t &= t - 1) bits++;
    if (bits !== m) continue;
    // U = Σ over x positions of the number of y positions below it.
    let u = 0;
    let ysBelow = 0;
    for (let pos = 0; pos < m + n; pos++) {
      if (mask & (1 << pos)) u += ysBelow;
      else ysBelow++;
    }
    counts[u]++;
    total++;
  }
  return counts.map((c) => c / total);
}

describe('Mann–Whitney U', () => {
  it('exact null distribution equals brute-force enumeration of all rank assignments', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), (m, n) => {
        const dp = Array.from(mannWhitneyNullDistribution(m, n));
        const bf = bruteForceNull(m, n);
        expect(dp.length).toBe(bf.length);
        dp.forEach((p, i) => expect(p).toBeCloseTo(bf[i]!, 14));
      }),
      { numRuns: 36 },
    );
  });

  it('R ?wilcox.test example (Hollander & Wolfe): W = 35, exact one-sided p = 0.1272', () => {
    const x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
    const y = [1.15, 0.88, 0.9, 0.74, 1.21];
    const r = mannWhitneyU(x, y, { alternative: 'greater' });
    expect(r.statistic).toBe(35);
    expect(r.p).toBeCloseTo(0.1272, 4);
    expect(r.test).toMatch(/exact/);
  });

  it('R on the sleep data (ties → normal approximation with continuity correction): W = 25.5, p = 0.06933', () => {
    const drug1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
    const drug2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];
    const r = mannWhitneyU(drug1, drug2);
    expect(r.statistic).toBe(25.5);
    expect(r.p).toBeCloseTo(0.06933, 5);
    expect(r.test).toMatch(/normal/);
  });

  it('complete separation of 5 vs 5 gives the smallest exact p, 2/C(10,5) = 1/126', () => {
    const r = mannWhitneyU([6, 7, 8, 9, 10], [1, 2, 3, 4, 5]);
    expect(r.statistic).toBe(25);
    expect(r.estimate).toBe(1);
    expect(r.p).toBeCloseTo(2 / 252, 14);
  });

  it('U_x + U_y = n_x n_y, and swapping the samples swaps the one-sided alternatives', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: -1000, max: 1000 }), { minLength: 4, maxLength: 30 }),
        fc.integer({ min: 1, max: 29 }),
        (vals, cut) => {
          const k = Math.min(cut, vals.length - 1);
          const x = vals.slice(0, k);
          const y = vals.slice(k);
          const a = mannWhitneyU(x, y, { alternative: 'greater' });
          const b = mannWhitneyU(y, x, { alternative: 'less' });
          expect(a.statistic + b.statistic).toBe(x.length * y.length);
          expect(a.p).toBeCloseTo(b.p, 12);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('the normal approximation is close to the exact p for 30 vs 30 without ties', () => {
    const rng = new Rng(8);
    const x = rng.normals(30, 0.5);
    const y = rng.normals(30);
    const exact = mannWhitneyU(x, y);
    const approx = mannWhitneyU(x, y, { exact: false });
    expect(exact.test).toMatch(/exact/);
    expect(Math.abs(exact.p - approx.p)).toBeLessThan(0.005);
  });

  it('under H0 the exact test never rejects more often than α (discrete, so conservative)', () => {
    const rng = new Rng(5);
    let rejected = 0;
    const reps = 1000;
    for (let i = 0; i < reps; i++) if (mannWhitneyU(rng.normals(7), rng.normals(9)).p <= 0.05) rejected++;
    // True size ≤ 0.05; binomial se 0.007 at 1000 reps.
    expect(rejected / reps).toBeLessThan(0.05 + 3 * 0.007);
    expect(rejected / reps).toBeGreaterThan(0.02);
  });

  it('checks its input', () => {
    expect(() => mannWhitneyU([], [1])).toThrow(/at least 1/);
    expect(() => mannWhitneyU([1, 1], [1, 2], { exact: true })).toThrow(/ties/);
    expect(() => mannWhitneyU([1, 1], [1, 1])).toThrow(/tied/);
  });
});
