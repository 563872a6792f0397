import { describe, expect, it } from 'vitest';
import { normalCdf, normalQuantile, normalSf, tCdf, tQuantile, tSf } from './distributions';
import { midRanks, tieCorrection } from './ranks';

describe('reference distributions', () => {
  it('match R: qnorm(0.975) = 1.959964, qt(0.975, 10) = 2.228139, pt(2, 5) = 0.9490303', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(tQuantile(0.975, 10)).toBeCloseTo(2.228139, 6);
    expect(tCdf(2, 5)).toBeCloseTo(0.9490303, 7);
  });

  it('upper tails keep their precision far out: P(Z > 10) = 7.62e-24, P(T₃ > 1e4) ≈ 1.1e-12', () => {
    expect(normalSf(10) / 7.619853e-24).toBeCloseTo(1, 5);
    // t with ν = 3: density ≈ 6√3/(π·t⁴), so P(T > t) ≈ 2√3/(π·t³) for large t.
    expect(tSf(1e4, 3) / ((2 * Math.sqrt(3)) / (Math.PI * 1e12))).toBeCloseTo(1, 4);
  });

  it('reject meaningless parameters', () => {
    expect(() => tCdf(1, 0)).toThrow(/degrees of freedom/);
    expect(() => normalQuantile(1.2)).toThrow(/\[0, 1\]/);
  });
});

describe('mid-ranks', () => {
  it('average tied ranks as R rank(): [10, 20, 20, 30, 20] → [1, 3, 3, 5, 3]', () => {
    const r = midRanks([10, 20, 20, 30, 20]);
    expect(Array.from(r.ranks)).toEqual([1, 3, 3, 5, 3]);
    expect(r.ties).toEqual([3]);
    expect(tieCorrection(r.ties)).toBe(24);
  });
});
