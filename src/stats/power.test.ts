import { describe, expect, it } from 'vitest';
import { halfWidthSize, oneSampleTestSize } from './power';
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
});
