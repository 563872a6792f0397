import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binomialCriticalCount, binomialTestGreater, binomialUpperTail } from './binomial';

describe('exact binomial test (one-sided, greater)', () => {
  it("matches R's binom.test(k, n, p0, alternative = 'greater')", () => {
    expect(binomialTestGreater(5, 5, 0.5).p).toBeCloseTo(0.03125, 12); // 1/32
    expect(binomialTestGreater(7, 8, 0.5).p).toBeCloseTo(0.03515625, 12); // 9/256
    expect(binomialTestGreater(8, 10, 0.5).p).toBeCloseTo(0.0546875, 12); // 56/1024
    // Σ_{i=9..12} C(12, i) 0.4^i 0.6^(12−i) = (220·0.6³·0.4⁹ + 66·0.6²·0.4¹⁰ + 12·0.6·0.4¹¹ + 0.4¹²)
    expect(binomialTestGreater(9, 12, 0.4).p).toBeCloseTo(
      220 * 0.216 * 0.4 ** 9 + 66 * 0.36 * 0.4 ** 10 + 12 * 0.6 * 0.4 ** 11 + 0.4 ** 12,
      12,
    );
    expect(binomialTestGreater(0, 4, 0.3).p).toBe(1);
  });

  it('the critical count is the first k that rejects', () => {
    expect(binomialCriticalCount(5, 0.5)).toBe(5);
    expect(binomialCriticalCount(4, 0.5)).toBe(5); // 4 seeds cannot reject at 0.05: 1/16 > 0.05
    expect(binomialCriticalCount(8, 0.5)).toBe(7);
    expect(binomialCriticalCount(10, 0.5)).toBe(9);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.double({ min: 0.05, max: 0.95, noNaN: true }), (n, p0) => {
        const k = binomialCriticalCount(n, p0);
        if (k <= n) expect(binomialUpperTail(k, n, p0)).toBeLessThan(0.05);
        if (k > 0) expect(binomialUpperTail(k - 1, n, p0)).toBeGreaterThanOrEqual(0.05);
      }),
    );
  });

  it('upper tails are probabilities that fall with k and sum with the lower tail to 1', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.double({ min: 0.01, max: 0.99, noNaN: true }), (n, p) => {
        let prev = 1;
        for (let k = 0; k <= n + 1; k++) {
          const t = binomialUpperTail(k, n, p);
          expect(t).toBeLessThanOrEqual(prev + 1e-12);
          expect(t).toBeGreaterThanOrEqual(0);
          prev = t;
        }
        expect(binomialUpperTail(0, n, p)).toBe(1);
      }),
    );
  });

  it('rejects impossible counts', () => {
    expect(() => binomialTestGreater(6, 5, 0.5)).toThrow(/0 ≤ k ≤ n/);
    expect(() => binomialTestGreater(2, 5, 1)).toThrow(/p0/);
  });
});
