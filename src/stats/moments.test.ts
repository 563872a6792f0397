import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { excessKurtosis, mean, median, quantile, skewness, std, variance } from './moments';
import { Rng } from '../rng';

const excelData = [3, 4, 5, 2, 3, 4, 5, 6, 4, 7]; // the example of Excel's SKEW and KURT help pages
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

  it('G1 and G2 match Excel SKEW = 0.359543 and KURT = −0.151800 on its help-page data', () => {
    expect(skewness(excelData)).toBeCloseTo(0.359543, 6);
    expect(excessKurtosis(excelData)).toBeCloseTo(-0.1518, 6);
  });

  it('g2 of 1…n is the discrete uniform closed form −6(n²+1)/(5(n²−1)); G2 of 1…10 is −1.2', () => {
    const n = 10;
    expect(excessKurtosis(oneToTen, 'g2')).toBeCloseTo((-6 * (n * n + 1)) / (5 * (n * n - 1)), 12);
    expect(excessKurtosis(oneToTen, 'G2')).toBeCloseTo(-1.2, 12);
    expect(skewness(oneToTen, 'g1')).toBeCloseTo(0, 12);
  });

  it('g1 relates to G1 by √(n(n−1))/(n−2)', () => {
    const n = excelData.length;
    expect(skewness(excelData, 'G1')).toBeCloseTo((skewness(excelData, 'g1') * Math.sqrt(n * (n - 1))) / (n - 2), 12);
  });

  it('skewness and kurtosis are invariant to shift and positive scale; skewness flips sign under negation', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 5, maxLength: 30 }),
        fc.double({ min: -50, max: 50, noNaN: true }),
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        (xs, shift, scale) => {
          if (variance(xs) < 1e-6) return;
          const ys = xs.map((v) => shift + scale * v);
          expect(skewness(ys)).toBeCloseTo(skewness(xs), 6);
          expect(excessKurtosis(ys)).toBeCloseTo(excessKurtosis(xs), 6);
          expect(skewness(xs.map((v) => -v))).toBeCloseTo(-skewness(xs), 8);
          expect(variance(ys)).toBeCloseTo(scale * scale * variance(xs), 4);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('large exponential samples have skewness ≈ 2 and excess kurtosis ≈ 6 (their population values)', () => {
    const r = new Rng(1);
    const xs = Array.from({ length: 200_000 }, () => -Math.log(1 - r.uniform()));
    // Sampling sd at n = 2e5, measured over 200 replicates: G1 ≈ 0.02, G2 ≈ 0.2 (its 8th-moment
    // tail makes that an underestimate); tolerances are 5 sd and ~7 sd.
    expect(Math.abs(skewness(xs) - 2)).toBeLessThan(0.1);
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
    expect(() => skewness([2, 2, 2])).toThrow(/constant/);
    expect(() => quantile([1, 2], 1.5)).toThrow(/\[0, 1\]/);
  });
});
