import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { linearFit, withinGroupSlope } from './ols';
import { Rng } from '../rng';

// R's `cars` data (Ezekiel 1930): stopping distance against speed.
const speed = [
  4, 4, 7, 7, 8, 9, 10, 10, 10, 11, 11, 12, 12, 12, 12, 13, 13, 13, 13, 14, 14, 14, 14, 15, 15, 15, 16, 16, 17, 17, 17, 18, 18, 18, 18, 19,
  19, 19, 20, 20, 20, 20, 20, 22, 23, 24, 24, 24, 24, 25,
];
const dist = [
  2, 10, 4, 22, 16, 10, 18, 26, 34, 17, 28, 14, 20, 24, 28, 26, 34, 34, 46, 26, 36, 60, 80, 20, 26, 54, 32, 40, 32, 40, 50, 42, 56, 76, 84,
  36, 46, 68, 32, 48, 52, 56, 64, 66, 54, 70, 92, 93, 120, 85,
];

describe('linearFit', () => {
  it('matches summary(lm(dist ~ speed, cars)) and confint', () => {
    const f = linearFit(speed, dist);
    expect(f.slope).toBeCloseTo(3.9324, 4);
    expect(f.slopeSe).toBeCloseTo(0.4155, 4);
    expect(f.intercept).toBeCloseTo(-17.5791, 4);
    expect(f.interceptSe).toBeCloseTo(6.7584, 4);
    expect(f.t).toBeCloseTo(9.464, 3);
    expect(f.p).toBeCloseTo(1.49e-12, 14);
    expect(f.r2).toBeCloseTo(0.6511, 4);
    expect(f.residualSe).toBeCloseTo(15.38, 2);
    expect(f.df).toBe(48);
    expect(f.slopeCi[0]).toBeCloseTo(3.096964, 5);
    expect(f.slopeCi[1]).toBeCloseTo(4.767853, 5);
  });

  it('recovers a and b exactly from y = a + b·x', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: -100, max: 100 }), { minLength: 3, maxLength: 30 }),
        fc.double({ min: -10, max: 10, noNaN: true }),
        fc.double({ min: -10, max: 10, noNaN: true }),
        (xs, a, b) => {
          const f = linearFit(
            xs,
            xs.map((v) => a + b * v),
          );
          expect(f.slope).toBeCloseTo(b, 9);
          expect(f.intercept).toBeCloseTo(a, 8);
          expect(f.slopeSe).toBeLessThan(1e-9);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('the 95% slope CI covers the true slope in ≈ 95% of noisy replicates', () => {
    const rng = new Rng(4);
    const xs = Array.from({ length: 12 }, (_, i) => i);
    let covered = 0;
    const reps = 1000;
    for (let r = 0; r < reps; r++) {
      const f = linearFit(
        xs,
        xs.map((v) => 1 + 0.3 * v + rng.normal()),
      );
      if (f.slopeCi[0] <= 0.3 && 0.3 <= f.slopeCi[1]) covered++;
    }
    expect(Math.abs(covered / reps - 0.95)).toBeLessThan(4 * Math.sqrt((0.95 * 0.05) / reps));
  });

  it('checks its input', () => {
    expect(() => linearFit([1, 1, 1], [1, 2, 3])).toThrow(/x is constant/);
    expect(() => linearFit([1, 2], [1, 2])).toThrow(/at least 3/);
    expect(() => linearFit([1, 2, 3], [1, 2, Infinity])).toThrow(/y\[2\] is Infinity/);
  });
});

describe('withinGroupSlope', () => {
  it('recovers the common slope under any step between groups, and equals the OLS slope for one group', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -5, max: 5, noNaN: true }),
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 4 }),
        (slope, offsets) => {
          const xs: number[] = [];
          const ys: number[] = [];
          const gs: number[] = [];
          offsets.forEach((o, g) => {
            for (let k = 0; k < 5; k++) {
              const x = g * 10 + k;
              xs.push(x);
              ys.push(o + slope * x);
              gs.push(g);
            }
          });
          expect(withinGroupSlope(xs, ys, gs)).toBeCloseTo(slope, 6);
        },
      ),
    );
    const xs = [1, 2, 3, 4, 5];
    const ys = [2.1, 3.9, 6.2, 7.8, 10.1];
    expect(withinGroupSlope(xs, ys, [0, 0, 0, 0, 0])).toBeCloseTo(linearFit(xs, ys).slope, 12);
    expect(() => withinGroupSlope([1, 2], [1], [0, 0])).toThrow(/differ in length/);
  });
});
