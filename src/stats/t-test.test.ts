import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { equivalenceOfMean, meanAbove, meanBound, meanInterval, oneSampleTTest, pairedTTest, tostPaired, welchTTest } from './t-test';
import { isUndefined } from './types';
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

describe('meanBound', () => {
  const sample = fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 2, maxLength: 15 });

  it('is the one-sided one-sample t bound and its test, on either side', () => {
    fc.assert(
      fc.property(sample, fc.double({ min: -10, max: 10, noNaN: true }), (xs, mu) => {
        if (Math.max(...xs) - Math.min(...xs) < 1e-6) return;
        const lo = meanBound(xs, { side: 'lower', mu });
        const hi = meanBound(xs, { side: 'upper', mu });
        if (isUndefined(lo) || isUndefined(hi)) throw new Error('defined for finite, varying samples');
        const g = oneSampleTTest(xs, { alternative: 'greater', mu });
        const l = oneSampleTTest(xs, { alternative: 'less', mu });
        expect(lo.bound).toBeCloseTo(g.ci![0], 9);
        expect(lo.p).toBeCloseTo(g.p, 12);
        expect(hi.bound).toBeCloseTo(l.ci![1], 9);
        expect(hi.p).toBeCloseTo(l.p, 12);
        expect(lo.bound).toBeLessThanOrEqual(lo.estimate);
        expect(hi.bound).toBeGreaterThanOrEqual(hi.estimate);
        // duality: the bound is beyond mu exactly when the test rejects at 5 %
        if (Math.abs(lo.bound - mu) > 1e-9) expect(lo.bound > mu).toBe(lo.p < 0.05);
      }),
      { numRuns: 200 },
    );
  });

  it('says why it is undefined instead of throwing, and takes identical values as a point', () => {
    expect(meanBound([1], { side: 'lower', mu: 0 })).toEqual({ undefined: 'undefined, because it needs at least 2 values and has 1' });
    expect(meanBound([1, Infinity, 2], { side: 'lower', mu: 0 })).toEqual({ undefined: 'undefined, because value 1 is Infinity' });
    expect(meanBound([1, NaN], { side: 'upper', mu: 0 })).toEqual({ undefined: 'undefined, because value 1 is NaN' });
    expect(meanBound([2, 2, 2], { side: 'lower', mu: 1 })).toMatchObject({ estimate: 2, bound: 2, p: 0, sd: 0 });
    expect(meanBound([2, 2, 2], { side: 'upper', mu: 1 })).toMatchObject({ bound: 2, p: 1 });
  });
});

describe('equivalenceOfMean', () => {
  it('is the (1 − 2α) t-interval, and shows equivalence exactly when it lies inside (lo, hi)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.5, max: 1.5, noNaN: true }), { minLength: 2, maxLength: 12 }),
        fc.double({ min: 0.01, max: 0.6, noNaN: true }),
        (xs, margin) => {
          if (Math.max(...xs) - Math.min(...xs) < 1e-6) return;
          const e = equivalenceOfMean(xs, 1 - margin, 1 + margin);
          if (isUndefined(e)) throw new Error('defined');
          expect(e.ci).toEqual(oneSampleTTest(xs, { level: 0.9 }).ci);
          expect(e.equivalent).toBe(e.ci[0] > 1 - margin && e.ci[1] < 1 + margin);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('does not reward noise: the same mean with a wider spread stops being equivalent', () => {
    const tight = [0.99, 1.01, 1.0, 0.995, 1.005];
    const noisy = [0.8, 1.2, 1.0, 0.85, 1.15];
    expect(equivalenceOfMean(tight, 0.9, 1.1)).toMatchObject({ equivalent: true });
    expect(equivalenceOfMean(noisy, 0.9, 1.1)).toMatchObject({ equivalent: false });
    expect(equivalenceOfMean([1, 1], 0.9, 1.1)).toMatchObject({ ci: [1, 1], equivalent: true });
    expect(equivalenceOfMean([1], 0.9, 1.1)).toHaveProperty('undefined');
    expect(() => equivalenceOfMean([1, 2], 1, 1)).toThrow(/lo < hi/);
  });
});
