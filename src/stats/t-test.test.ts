import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { meanAbove, meanInterval, oneSampleTTest, pairedTTest, tostPaired, welchTTest } from './t-test';
import { ksTest } from './ks';
import { Rng } from '../rng';

// R's `sleep` data: extra hours of sleep under drug 1 and drug 2 (Student 1908).
const drug1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const drug2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

describe('t-tests against R', () => {
  it('Welch: t.test(extra ~ group, sleep) gives t = −1.8608, df = 17.776, p = 0.07939, CI (−3.3655, 0.2055)', () => {
    const r = welchTTest(drug1, drug2);
    expect(r.statistic).toBeCloseTo(-1.8608, 4);
    expect(r.df).toBeCloseTo(17.776, 3);
    expect(r.p).toBeCloseTo(0.07939, 5);
    expect(r.ci![0]).toBeCloseTo(-3.3654832, 6);
    expect(r.ci![1]).toBeCloseTo(0.2054832, 6);
    expect(r.estimate).toBeCloseTo(-1.58, 12);
  });

  it('paired: t = −4.0621, df = 9, p = 0.002833, CI (−2.4599, −0.7001)', () => {
    const r = pairedTTest(drug1, drug2);
    expect(r.statistic).toBeCloseTo(-4.0621, 4);
    expect(r.df).toBe(9);
    expect(r.p).toBeCloseTo(0.002833, 6);
    expect(r.ci![0]).toBeCloseTo(-2.4598858, 6);
    expect(r.ci![1]).toBeCloseTo(-0.7001142, 6);
  });

  it('one-sided p is half the two-sided p in the direction of the effect, and one-sided CIs are open on one end', () => {
    const two = welchTTest(drug1, drug2);
    const less = welchTTest(drug1, drug2, { alternative: 'less' });
    const greater = welchTTest(drug1, drug2, { alternative: 'greater' });
    expect(less.p).toBeCloseTo(two.p / 2, 12);
    expect(greater.p).toBeCloseTo(1 - two.p / 2, 12);
    expect(less.ci![0]).toBe(-Infinity);
    expect(greater.ci![1]).toBe(Infinity);
  });

  it('paired t equals the one-sample t of the differences, and mu shifts the statistic', () => {
    const d = drug1.map((v, i) => v - drug2[i]!);
    expect(pairedTTest(drug1, drug2).statistic).toBeCloseTo(oneSampleTTest(d).statistic, 12);
    const r = oneSampleTTest(d, { mu: -1.58 });
    expect(r.statistic).toBeCloseTo(0, 12);
    expect(r.p).toBeCloseTo(1, 12);
  });

  it('power at a shift of 1 sd with n = 20 per group is ≈ 0.869 (R: power.t.test(n = 20, delta = 1))', () => {
    const rng = new Rng(2024);
    const reps = 1000;
    let rejected = 0;
    for (let i = 0; i < reps; i++) {
      if (welchTTest(rng.normals(20, 1), rng.normals(20, 0)).p < 0.05) rejected++;
    }
    // Welch loses a fraction of a df against Student here; the binomial se at 1000 reps is 0.011.
    expect(Math.abs(rejected / reps - 0.869)).toBeLessThan(4 * 0.011);
  });

  it('under H0 (unequal variances and sizes) Welch p-values are uniform and reject at ≈ 5%', () => {
    const rng = new Rng(99);
    const ps: number[] = [];
    for (let i = 0; i < 800; i++) ps.push(welchTTest(rng.normals(8, 0, 1), rng.normals(15, 0, 3)).p);
    expect(ksTest(ps, (p) => Math.min(1, Math.max(0, p))).p).toBeGreaterThan(0.001);
    const rate = ps.filter((p) => p < 0.05).length / ps.length;
    expect(Math.abs(rate - 0.05)).toBeLessThan(4 * Math.sqrt((0.05 * 0.95) / 800));
  });
});

describe('tostPaired', () => {
  it('is the two one-sided paired t-tests and the paired (1 − 2α) interval', () => {
    const x = [0.81, 0.8, 0.83, 0.79, 0.82];
    const y = [0.8, 0.81, 0.82, 0.8, 0.8];
    const r = tostPaired(x, y, 0.02);
    expect(r.pLower).toBeCloseTo(pairedTTest(x, y, { mu: -0.02, alternative: 'greater' }).p, 12);
    expect(r.pUpper).toBeCloseTo(pairedTTest(x, y, { mu: 0.02, alternative: 'less' }).p, 12);
    expect(r.p).toBe(Math.max(r.pLower, r.pUpper));
    expect(r.ci).toEqual(pairedTTest(x, y, { level: 0.9 }).ci);
  });

  it('p < α exactly when the (1 − 2α) CI lies inside (−δ, δ) (duality)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: -5, max: 5, noNaN: true }), fc.double({ min: -5, max: 5, noNaN: true })), {
          minLength: 3,
          maxLength: 12,
        }),
        fc.double({ min: 0.05, max: 6, noNaN: true }),
        (pairs, delta) => {
          const x = pairs.map((p) => p[0]);
          const y = pairs.map((p) => p[1]);
          const d = pairs.map((p) => p[0] - p[1]);
          if (Math.max(...d) - Math.min(...d) < 1e-3) return;
          const r = tostPaired(x, y, delta, { level: 0.9 });
          const inside = r.ci[0] > -delta && r.ci[1] < delta;
          // Skip knife-edge cases where the CI end is within rounding of the margin.
          if (Math.abs(r.ci[0] + delta) < 1e-9 || Math.abs(r.ci[1] - delta) < 1e-9) return;
          expect(r.p < 0.05).toBe(inside);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('shows equivalence for identical distributions with a generous margin, not with a tight one', () => {
    const rng = new Rng(1);
    const x = rng.normals(50);
    const y = rng.normals(50);
    expect(tostPaired(x, y, 1).p).toBeLessThan(0.001);
    expect(tostPaired(x, y, 0.01).p).toBeGreaterThan(0.4);
  });
});

describe('t-test input checks', () => {
  it('names the problem', () => {
    expect(() => welchTTest([1], [1, 2])).toThrow(/welchTTest: x needs at least 2/);
    expect(() => welchTTest([1, 1], [2, 2])).toThrow(/constant/);
    expect(() => pairedTTest([1, 2, 3], [1, 2])).toThrow(/same length/);
    expect(() => welchTTest([1, 2], [1, 3], { alternative: 'bigger' as never })).toThrow(/alternative/);
    expect(() => tostPaired([1, 2], [1, 3], 0)).toThrow(/margin/);
  });
});

describe('meanInterval', () => {
  it('is the one-sample t-interval, mean ± t(0.975, n−1)·s/√n, and a point where there is none', () => {
    // mean 0.51333, s = 0.032146, t(0.975, 2) = 4.302653: half-width 0.079856
    const [lo, hi] = meanInterval([0.55, 0.49, 0.5]);
    expect(lo).toBeCloseTo(0.433479, 5);
    expect(hi).toBeCloseTo(0.593187, 5);
    expect(meanInterval([0.3, 0.3, 0.3])).toEqual([0.3, 0.3]);
    expect(meanInterval([0.7])).toEqual([0.7, 0.7]);
  });
});

describe('meanAbove', () => {
  it('is the one-sided one-sample t-test, and takes identical values as a point instead of throwing', () => {
    const xs = [0.2, 0.5, 0.1, 0.4];
    const t = oneSampleTTest(xs, { alternative: 'greater', mu: 0.1 });
    expect(meanAbove(xs, 0.1)).toEqual({ estimate: t.estimate, lower: t.ci![0], p: t.p });
    expect(() => oneSampleTTest([0, 0, 0], { alternative: 'greater' })).toThrow(/constant/);
    expect(meanAbove([0, 0, 0], Math.log(10))).toEqual({ estimate: 0, lower: 0, p: 1 });
    expect(meanAbove([3, 3], 1)).toEqual({ estimate: 3, lower: 3, p: 0 });
  });
});
