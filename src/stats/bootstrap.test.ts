import { describe, expect, it } from 'vitest';
import { bootstrapCI, bootstrapCIGroups } from './bootstrap';
import { mean, std } from './moments';
import { Rng } from './rng';

const meanOf = (x: Float64Array) => {
  let s = 0;
  for (const v of x) s += v;
  return s / x.length;
};

describe('percentile bootstrap', () => {
  it('is deterministic for a seed', () => {
    const xs = new Rng(1).normals(20);
    const a = bootstrapCI(xs, meanOf, { seed: 5, B: 500 });
    const b = bootstrapCI(xs, meanOf, { seed: 5, B: 500 });
    const c = bootstrapCI(xs, meanOf, { seed: 6, B: 500 });
    expect(a).toEqual(b);
    expect(a.lo).not.toBe(c.lo);
  });

  it('for the mean, the bootstrap se is the plug-in se s·√((n−1)/n)/√n', () => {
    const xs = new Rng(2).normals(100, 3, 2);
    const r = bootstrapCI(xs, meanOf, { seed: 1, B: 4000 });
    const n = xs.length;
    const plugIn = (std(xs) * Math.sqrt((n - 1) / n)) / Math.sqrt(n);
    // Monte-Carlo error of an sd from B = 4000 replicates is ≈ 1/√(2B) ≈ 1.1% relative.
    expect(Math.abs(r.se / plugIn - 1)).toBeLessThan(0.05);
    expect(r.estimate).toBeCloseTo(mean(xs), 12);
    expect(r.lo).toBeLessThan(r.estimate);
    expect(r.hi).toBeGreaterThan(r.estimate);
  });

  it('95% interval for a mean covers the truth ≈ 93–95% of the time at n = 30, and only ≈ 85% at n = 5', () => {
    const coverage = (n: number, reps: number, seed: number) => {
      const rng = new Rng(seed);
      let hit = 0;
      for (let i = 0; i < reps; i++) {
        const r = bootstrapCI(rng.normals(n), meanOf, { seed: seed * 1000 + i, B: 400 });
        if (r.lo <= 0 && 0 <= r.hi) hit++;
      }
      return hit / reps;
    };
    // n = 30: the percentile interval ≈ x̄ ± 1.96·s·√(29/30)/√30, true coverage P(|t29| ≤ 1.93) ≈ 0.937.
    expect(Math.abs(coverage(30, 400, 1) - 0.937)).toBeLessThan(4 * Math.sqrt(0.94 * 0.06 / 400));
    // n = 5: ≈ x̄ ± 1.96·s·√(4/5)/√5, coverage P(|t4| ≤ 1.753) ≈ 0.846 (less still from discreteness).
    expect(Math.abs(coverage(5, 400, 2) - 0.84)).toBeLessThan(4 * Math.sqrt(0.84 * 0.16 / 400));
  });

  it('several groups: the ratio (mean a − mean b)/(mean c − mean b) ≈ 2/3 is covered at about the nominal rate', () => {
    const rng = new Rng(9);
    const ratio = (a: Float64Array, b: Float64Array, c: Float64Array) => (meanOf(a) - meanOf(b)) / (meanOf(c) - meanOf(b));
    let hit = 0;
    const reps = 200;
    for (let i = 0; i < reps; i++) {
      const a = rng.normals(20, 0.9, 0.05);
      const b = rng.normals(20, 0.6, 0.05);
      const c = rng.normals(20, 1.05, 0.05);
      const r = bootstrapCIGroups([a, b, c], ratio, { seed: i, B: 400 });
      expect(r.estimate).toBeCloseTo(ratio(a, b, c), 12);
      if (r.lo <= 2 / 3 && 2 / 3 <= r.hi) hit++;
    }
    // A smooth statistic of three groups of 20: coverage a little under 95% (≈ 0.93); binomial se 0.017.
    expect(hit / reps).toBeGreaterThan(0.86);
    expect(hit / reps).toBeLessThanOrEqual(0.99);
  });

  it('drops NaN replicates and reports them; keeps ±Infinity in the quantiles', () => {
    const r = bootstrapCI([0, 1], (x) => (x[0] === x[1] ? NaN : 1), { seed: 1, B: 1000 });
    // P(both draws equal) = ½, so about half the replicates are NaN.
    expect(r.dropped).toBeGreaterThan(400);
    expect(r.dropped).toBeLessThan(600);
    expect([r.lo, r.hi]).toEqual([1, 1]);
    const inf = bootstrapCI([1, 2, 3, 4], (x) => 1 / (meanOf(x) - 2.5), { seed: 2, B: 2000 });
    expect(inf.dropped).toBe(0);
    expect(inf.hi).toBe(Infinity); // P(resample mean = 2.5) ≈ 0.17 > 0.025
  });

  it('checks its input', () => {
    expect(() => bootstrapCI([1], meanOf, { seed: 1 })).toThrow(/at least 2/);
    expect(() => bootstrapCI([1, 2], meanOf, { seed: 1, level: 95 })).toThrow(/level/);
    expect(() => bootstrapCI([1, 2], meanOf, { seed: 1, B: 0 })).toThrow(/B must be a positive integer/);
    expect(() => bootstrapCIGroups([], meanOf, { seed: 1 })).toThrow(/at least one group/);
    expect(() => bootstrapCIGroups([[1, 2], [NaN, 1]], meanOf, { seed: 1 })).toThrow(/groups\[1\]\[0\] is NaN/);
  });
});
