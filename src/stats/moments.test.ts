import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { excessKurtosis, mean, median, quantile, std, variance } from './moments';
import { Rng } from '../rng';

const excelData = [3, 4, 5, 2, 3, 4, 5, 6, 4, 7]; // the example of Excel's KURT help page
const oneToTen = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

describe('moments', () => {
  it('mean, variance and sd of 1…10: 5.5, 55/6, √(55/6)', () => {
    expect(mean(oneToTen)).toBe(5.5);
    expect(variance(oneToTen)).toBeCloseTo(55 / 6, 12);
    expect(std(oneToTen)).toBeCloseTo(Math.sqrt(55 / 6), 12);
  });

  it('keeps the variance exact for data with a huge offset (two-pass sums)', () => {
    expect(variance(oneToTen.map((v) => v + 1e9))).toBeCloseTo(55 / 6, 6);
  });

  it('G2 matches Excel KURT = −0.151800 on its help-page data', () => {
    expect(excessKurtosis(excelData)).toBeCloseTo(-0.1518, 6);
  });

  it('g2 of 1…n is the discrete uniform closed form −6(n²+1)/(5(n²−1)); G2 of 1…10 is −1.2', () => {
    const n = 10;
    expect(excessKurtosis(oneToTen, 'g2')).toBeCloseTo((-6 * (n * n + 1)) / (5 * (n * n - 1)), 12);
    expect(excessKurtosis(oneToTen, 'G2')).toBeCloseTo(-1.2, 12);
  });

  it('kurtosis is invariant to shift and positive scale', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 5, maxLength: 30 }),
        fc.double({ min: -50, max: 50, noNaN: true }),
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        (xs, shift, scale) => {
          if (variance(xs) < 1e-6) return;
          const ys = xs.map((v) => shift + scale * v);
          expect(excessKurtosis(ys)).toBeCloseTo(excessKurtosis(xs), 6);
          expect(variance(ys)).toBeCloseTo(scale * scale * variance(xs), 4);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('large exponential samples have excess kurtosis ≈ 6 (its population value)', () => {
    const r = new Rng(1);
    const xs = Array.from({ length: 200_000 }, () => -Math.log(1 - r.uniform()));
    // Sampling sd of G2 at n = 2e5, measured over 200 replicates: ≈ 0.2 (its 8th-moment tail makes
    // that an underestimate); the tolerance is ~7 sd.
    expect(Math.abs(excessKurtosis(xs) - 6)).toBeLessThan(1.5);
  });

  it('quantile is R type 7: quantile(1:10) = 1, 3.25, 5.5, 7.75, 10', () => {
    expect(quantile(oneToTen, [0, 0.25, 0.5, 0.75, 1])).toEqual([1, 3.25, 5.5, 7.75, 10]);
    expect(quantile([1, 3, 5, 7, 9], 0.1)).toBeCloseTo(1.8, 12);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('rejects empty, non-finite and too-short input with a message naming the problem', () => {
    expect(() => mean([])).toThrow(/at least 1 value/);
    expect(() => mean([1, NaN])).toThrow(/xs\[1\] is NaN/);
    expect(() => variance([1])).toThrow(/at least 2 values/);
    expect(() => excessKurtosis([1, 2, 3])).toThrow(/at least 4/);
    expect(() => excessKurtosis([2, 2, 2, 2])).toThrow(/constant/);
    expect(() => quantile([1, 2], 1.5)).toThrow(/\[0, 1\]/);
  });
});
