import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { binomialTest, signTest } from './binomial';
import { binomialCdf } from './distributions';

describe('binomial and sign tests', () => {
  it("R ?binom.test (Mendel's peas): 682 of 925 vs 3/4 gives p = 0.3825, CI (0.7077, 0.7654)", () => {
    const r = binomialTest(682, 925, 0.75);
    expect(r.p).toBeCloseTo(0.3825, 4);
    expect(r.ci![0]).toBeCloseTo(0.7076683, 6);
    expect(r.ci![1]).toBeCloseTo(0.7654066, 6);
  });

  it('for p0 = ½ the two-sided p is twice the smaller tail', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.nat(), (n, kk) => {
        const k = kk % (n + 1);
        const lower = binomialCdf(k, n, 0.5);
        const upper = k === 0 ? 1 : 1 - binomialCdf(k - 1, n, 0.5);
        expect(binomialTest(k, n).p).toBeCloseTo(Math.min(1, 2 * Math.min(lower, upper)), 10);
      }),
      { numRuns: 200 },
    );
  });

  it('one-sided p for 10 of 10 heads is 2^-10; Clopper–Pearson upper end is 1', () => {
    const r = binomialTest(10, 10, 0.5, { alternative: 'greater' });
    expect(r.p).toBeCloseTo(2 ** -10, 15);
    expect(r.ci).toEqual([expect.any(Number), 1]);
    // one-sided 95% lower bound solves q^10 = 0.05
    expect(r.ci![0]).toBeCloseTo(0.05 ** 0.1, 9);
  });

  it('sign test drops values equal to mu and counts signs', () => {
    const r = signTest([1.2, 3.4, 0, 2.2, -0.5, 5, 6, 7, 8, 9], { mu: 0 });
    expect(r.statistic).toBe(8); // 8 positive of 9 non-zero
    expect(r.p).toBeCloseTo(2 * (10 / 512), 12); // 2·P(X ≥ 8), X ~ Bin(9, ½) = 2·(9 + 1)/512
  });

  it('checks its input', () => {
    expect(() => binomialTest(5, 3)).toThrow(/k must be an integer in \[0, n = 3\]/);
    expect(() => binomialTest(1, 3, 1.5)).toThrow(/p0/);
    expect(() => signTest([0, 0], { mu: 0 })).toThrow(/no signs/);
  });
});
