import { describe, expect, it } from 'vitest';
import { halfWidthSize, oneSampleTestPower, oneSampleTestSize, tostPairedPower, tostPairedSize } from './power';
import { Rng } from '../rng';
import { tostPaired } from './t-test';
import { tQuantile } from './distributions';

describe('sample sizes', () => {
  it("oneSampleTestSize rounds up to R's power.t.test (one-sample / paired, one-sided, α 0.05, power 0.8)", () => {
    // power.t.test(delta = 1, sd = 1, power = .8, type = "one.sample", alternative = "one.sided")$n = 7.727622
    expect(oneSampleTestSize({ delta: 1, sd: 1 })).toBe(8);
    // delta = 0.5: n = 26.13753
    expect(oneSampleTestSize({ delta: 0.5, sd: 1 })).toBe(27);
    // only the ratio matters
    expect(oneSampleTestSize({ delta: 0.02, sd: 0.04 })).toBe(27);
    expect(() => oneSampleTestSize({ delta: 0, sd: 1 })).toThrow(/positive/);
  });

  it('halfWidthSize is the first n whose t half-width is below the target', () => {
    const n = halfWidthSize({ halfWidth: 0.02, sd: 0.02 });
    const hw = (k: number) => (tQuantile(0.95, k - 1) * 0.02) / Math.sqrt(k);
    expect(hw(n)).toBeLessThan(0.02);
    expect(hw(n - 1)).toBeGreaterThanOrEqual(0.02);
    expect(n).toBe(5); // t_{.95,4} = 2.132 / √5 = 0.953 < 1; t_{.95,3} = 2.353 / 2 = 1.18
    expect(halfWidthSize({ halfWidth: 1e-9, sd: 1, maxN: 50 })).toBe(Infinity);
  });

  it('tostPairedPower equals the simulated power of tostPaired (20,000 draws: ±0.01)', () => {
    for (const [n, delta, sd, trueDiff] of [
      [10, 1, 1, 0],
      [5, 0.02, 0.01, 0],
      [3, 1, 0.5, 0],
      [15, 0.02, 0.015, 0.005],
    ] as const) {
      const rng = new Rng(n * 7 + 1);
      let shown = 0;
      const draws = 20_000;
      for (let i = 0; i < draws; i++) {
        const x = Array.from({ length: n }, () => rng.normal(trueDiff, sd));
        if (tostPaired(x, new Array(n).fill(0), delta).p < 0.05) shown++;
      }
      expect(Math.abs(tostPairedPower({ n, delta, sd, trueDiff }) - shown / draws), `n ${n} δ ${delta} σ ${sd} Δ ${trueDiff}`).toBeLessThan(
        0.01,
      );
    }
  });

  it('tostPairedSize is the first n with power ≥ 0.8', () => {
    const n = tostPairedSize({ delta: 1, sd: 1 });
    expect(n).toBe(11);
    expect(tostPairedPower({ n, delta: 1, sd: 1 })).toBeGreaterThanOrEqual(0.8);
    expect(tostPairedPower({ n: n - 1, delta: 1, sd: 1 })).toBeLessThan(0.8);
    // power falls as the true difference moves towards the margin
    expect(tostPairedPower({ n: 20, delta: 1, sd: 1, trueDiff: 0.5 })).toBeLessThan(tostPairedPower({ n: 20, delta: 1, sd: 1 }));
    expect(tostPairedSize({ delta: 1e-6, sd: 1, maxN: 30 })).toBe(Infinity);
  });
});

describe('oneSampleTestPower', () => {
  it("matches the noncentral t's tail (scipy 1.17: 1 - nct.cdf(t.ppf(0.95, n-1), n-1, Δ√n/σ))", () => {
    expect(oneSampleTestPower({ n: 8, delta: 0.0253, sd: 0.0223 })).toBeCloseTo(0.891445453890296, 4);
    expect(oneSampleTestPower({ n: 16, delta: 0.015, sd: 0.022 })).toBeCloseTo(0.8305323844252156, 4);
    expect(oneSampleTestPower({ n: 5, delta: 1, sd: 1 })).toBeCloseTo(0.5797373588621887, 4);
    expect(oneSampleTestPower({ n: 30, delta: 0.3, sd: 1 })).toBeCloseTo(0.4839806364605743, 4);
  });
  it('is α at a true mean of 0 and agrees with oneSampleTestSize', () => {
    expect(oneSampleTestPower({ n: 12, delta: 0, sd: 1 })).toBeCloseTo(0.05, 4);
    const n = oneSampleTestSize({ delta: 0.5, sd: 1 });
    expect(oneSampleTestPower({ n, delta: 0.5, sd: 1 })).toBeGreaterThanOrEqual(0.79);
    expect(oneSampleTestPower({ n: n - 2, delta: 0.5, sd: 1 })).toBeLessThan(0.8);
  });
  it('rejects bad input by name', () => {
    expect(() => oneSampleTestPower({ n: 1, delta: 1, sd: 1 })).toThrow(/n must be an integer/);
    expect(() => oneSampleTestPower({ n: 5, delta: 1, sd: 0 })).toThrow(/sd positive/);
  });
});
