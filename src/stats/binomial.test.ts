import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binomialCriticalCount, binomialTest, binomialUpperLimit } from './binomial';

describe('binomialTest', () => {
  it("matches R's binom.test (one-sided)", () => {
    // binom.test(15, 20, 0.5, alternative = "greater")$p.value = 0.02069473
    expect(binomialTest(15, 20, 0.5)).toBeCloseTo(0.02069473, 8);
    // binom.test(14, 20, 0.5, alternative = "greater")$p.value = 0.05765915
    expect(binomialTest(14, 20, 0.5)).toBeCloseTo(0.05765915, 8);
    // binom.test(3, 10, 0.6, alternative = "less")$p.value = 0.05476188
    expect(binomialTest(3, 10, 0.6, 'less')).toBeCloseTo(0.05476188, 8);
    expect(binomialTest(0, 5, 0.5)).toBe(1);
    expect(binomialTest(5, 5, 0.5)).toBeCloseTo(1 / 32, 12);
  });

  it('the two tails at k and k − 1 add up to 1, and p falls as k rises', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.double({ min: 0.01, max: 0.99, noNaN: true }), fc.nat(), (n, p0, r) => {
        const k = 1 + (r % n);
        expect(binomialTest(k, n, p0, 'greater') + binomialTest(k - 1, n, p0, 'less')).toBeCloseTo(1, 9);
        expect(binomialTest(k, n, p0)).toBeLessThanOrEqual(binomialTest(k - 1, n, p0) + 1e-12);
      }),
      { numRuns: 200 },
    );
  });

  it('names a bad argument', () => {
    expect(() => binomialTest(3, 2, 0.5)).toThrow(/k must be an integer in \[0, 2\]/);
    expect(() => binomialTest(1, 0, 0.5)).toThrow(/n must be a positive integer/);
    expect(() => binomialTest(1, 2, 1.5)).toThrow(/p0/);
  });

  it('the critical count is the first k that rejects', () => {
    expect(binomialCriticalCount(5, 0.5)).toBe(5);
    expect(binomialCriticalCount(4, 0.5)).toBe(5); // 4 seeds cannot reject at 0.05: 1/16 > 0.05
    expect(binomialCriticalCount(8, 0.5)).toBe(7); // 9/256 = 0.035
    expect(binomialCriticalCount(10, 0.5)).toBe(9); // 11/1024 = 0.011; 8 of 10: 56/1024 = 0.055
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.double({ min: 0.05, max: 0.95, noNaN: true }), (n, p0) => {
        const k = binomialCriticalCount(n, p0);
        if (k <= n) expect(binomialTest(k, n, p0)).toBeLessThan(0.05);
        if (k > 0) expect(binomialTest(k - 1, n, p0)).toBeGreaterThanOrEqual(0.05);
      }),
    );
  });
});

describe('binomialUpperLimit', () => {
  it('is the Beta quantile qbeta(level, k + 1, n - k) (scipy 1.17)', () => {
    expect(binomialUpperLimit(1, 24, 0.8)).toBeCloseTo(0.11968460426401416, 9);
    expect(binomialUpperLimit(0, 10, 0.975)).toBeCloseTo(0.3084971078187607, 9);
    expect(binomialUpperLimit(3, 20, 0.9)).toBeCloseTo(0.3041868114074787, 9);
    expect(binomialUpperLimit(5, 5, 0.8)).toBe(1);
  });
  it('leaves exactly 1 - level below k at its limit, and lies above k/n', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.double({ min: 0.55, max: 0.99, noNaN: true }), fc.nat(), (n, level, r) => {
        const k = r % n;
        const u = binomialUpperLimit(k, n, level);
        expect(u).toBeGreaterThan(k / n);
        expect(binomialTest(k, n, u, 'less')).toBeCloseTo(1 - level, 8);
      }),
    );
  });
  it('rejects bad input by name', () => {
    expect(() => binomialUpperLimit(3, 2, 0.8)).toThrow(/k must be an integer/);
    expect(() => binomialUpperLimit(1, 2, 1)).toThrow(/level must lie/);
  });
});
