import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  fussCatalanAtAngle,
  fussCatalanCdf,
  fussCatalanDensity,
  fussCatalanEdge,
  fussCatalanEdgeScale,
  fussCatalanMoment,
  fussCatalanMomentByQuadrature,
  singularValueDensity,
} from './fuss-catalan';

/** Marchenko–Pastur with ratio 1 (M = 1): density and CDF in closed form. */
const mpDensity = (x: number) => Math.sqrt((4 - x) / x) / (2 * Math.PI);
const mpCdf = (x: number) => (2 / Math.PI) * Math.asin(Math.sqrt(x) / 2) + Math.sqrt(x * (4 - x)) / (2 * Math.PI);

describe('Fuss–Catalan law', () => {
  it('moments are the Fuss–Catalan numbers (OEIS A000108, A001764, A002293)', () => {
    const seq = (M: number, n: number) => Array.from({ length: n }, (_, k) => fussCatalanMoment(M, k));
    expect(seq(1, 8)).toEqual([1, 1, 2, 5, 14, 42, 132, 429]);
    expect(seq(2, 7)).toEqual([1, 1, 3, 12, 55, 273, 1428]);
    expect(seq(3, 6)).toEqual([1, 1, 4, 22, 140, 969]);
    // m_2 = M + 1 for every M.
    for (let M = 1; M <= 10; M++) expect(fussCatalanMoment(M, 2)).toBe(M + 1);
  });

  it('support edges match the paper: singular values up to 2 (M = 1), ~3.1 (M = 3), ~3.9 (M = 5)', () => {
    expect(fussCatalanEdge(1)).toBe(4);
    expect(fussCatalanEdge(2)).toBe(6.75);
    expect(Math.sqrt(fussCatalanEdge(3))).toBeCloseTo(3.0792, 4);
    expect(Math.sqrt(fussCatalanEdge(5))).toBeCloseTo(3.8639, 4);
  });

  it('M = 1 is Marchenko–Pastur: density √((4−x)/x)/(2π) and its CDF', () => {
    for (const x of [1e-6, 0.01, 0.3, 1, 2, 3.5, 3.999]) {
      expect(fussCatalanDensity(1, x) / mpDensity(x)).toBeCloseTo(1, 10);
      expect(fussCatalanCdf(1, x)).toBeCloseTo(mpCdf(x), 12);
    }
    // ... and the singular values follow the quarter circle √(4 − s²)/π on [0, 2].
    for (const s of [0, 0.5, 1, 1.9]) expect(singularValueDensity(1, s)).toBeCloseTo(Math.sqrt(4 - s * s) / Math.PI, 10);
  });

  it('the parametrised density has total mass 1 and moments m_k, for M = 1 … 6 and k ≤ 6', () => {
    for (let M = 1; M <= 6; M++) {
      expect(fussCatalanMomentByQuadrature(M, 0)).toBeCloseTo(1, 12);
      for (let k = 1; k <= 6; k++) expect(fussCatalanMomentByQuadrature(M, k) / fussCatalanMoment(M, k)).toBeCloseTo(1, 11);
    }
  });

  it('the parametrisation runs from the edge (φ → 0) to 0 (φ → π/(M+1))', () => {
    for (let M = 1; M <= 6; M++) {
      expect(fussCatalanAtAngle(M, 1e-9).x).toBeCloseTo(fussCatalanEdge(M), 6);
      expect(fussCatalanAtAngle(M, Math.PI / (M + 1) - 1e-9).x).toBeLessThan(1e-6);
    }
  });

  it('CDF is 0 at 0, 1 at the edge, non-decreasing, and its derivative is the density', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.double({ min: 0.02, max: 0.98, noNaN: true }), (M, u) => {
        const edge = fussCatalanEdge(M);
        const x = u * edge;
        const h = 1e-5 * edge;
        const slope = (fussCatalanCdf(M, x + h) - fussCatalanCdf(M, x - h)) / (2 * h);
        expect(slope / fussCatalanDensity(M, x)).toBeCloseTo(1, 5);
        expect(fussCatalanCdf(M, x + h)).toBeGreaterThanOrEqual(fussCatalanCdf(M, x));
      }),
      { numRuns: 60 },
    );
    for (let M = 1; M <= 6; M++) {
      expect(fussCatalanCdf(M, 0)).toBe(0);
      expect(fussCatalanCdf(M, fussCatalanEdge(M))).toBe(1);
      expect(fussCatalanCdf(M, fussCatalanEdge(M) * (1 - 1e-9))).toBeCloseTo(1, 9);
    }
  });

  it('near 0 the density diverges like x^(−M/(M+1)), so more mass piles up at 0 as M grows', () => {
    // The next term of the expansion at 0 is relative O(x^(1/(M+1))), which bounds the local slope's error.
    for (let M = 1; M <= 6; M++) {
      const [a, b] = [1e-16, 1e-14];
      const slope = Math.log(fussCatalanDensity(M, a) / fussCatalanDensity(M, b)) / Math.log(a / b);
      expect(Math.abs(slope + M / (M + 1))).toBeLessThan(b ** (1 / (M + 1)));
    }
    const shares = [1, 2, 3, 4, 5, 6].map((M) => fussCatalanCdf(M, 0.05 ** 2));
    for (let i = 1; i < shares.length; i++) expect(shares[i]).toBeGreaterThan(shares[i - 1]!);
  });

  it('soft-edge scale: 2^(4/3) for M = 1, and C^(−2/3) with C the limit of πρ(x)/√(b − x) at the edge', () => {
    expect(fussCatalanEdgeScale(1)).toBeCloseTo(2 ** (4 / 3), 12);
    for (let M = 1; M <= 6; M++) {
      const b = fussCatalanEdge(M);
      const C = (Math.PI * fussCatalanDensity(M, b * (1 - 1e-9))) / Math.sqrt(b * 1e-9);
      expect(fussCatalanEdgeScale(M) / C ** (-2 / 3)).toBeCloseTo(1, 5);
    }
  });

  it('is 0 outside the support and checks its input', () => {
    expect(fussCatalanDensity(2, -1)).toBe(0);
    expect(fussCatalanDensity(2, 7)).toBe(0);
    expect(fussCatalanDensity(2, 0)).toBe(Infinity);
    expect(() => fussCatalanCdf(0, 1)).toThrow(/M \(number of factors\) must be a positive integer/);
    expect(() => fussCatalanDensity(1, NaN)).toThrow(/NaN/);
    expect(() => fussCatalanMoment(2, -1)).toThrow(/k must be a non-negative integer/);
  });
});
