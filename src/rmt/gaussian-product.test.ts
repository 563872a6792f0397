import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Matrix } from 'ml-matrix';
import { finiteNMoments, gaussianMatrix, gaussianProduct, matMul, singularValues } from './gaussian-product';
import { Rng } from '../rng';

describe('Gaussian products', () => {
  it('matMul agrees with ml-matrix', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.nat(), (n, seed) => {
        const rng = new Rng(seed);
        const a = rng.normals(n * n);
        const b = rng.normals(n * n);
        const ref = Matrix.from1DArray(n, n, a)
          .mmul(Matrix.from1DArray(n, n, b))
          .to1DArray();
        Array.from(matMul(a, b, n)).forEach((v, i) => expect(v).toBeCloseTo(ref[i]!, 12));
      }),
      { numRuns: 30 },
    );
  });

  it('singular values of known matrices: [[1,1],[0,1]] → golden ratio φ and 1/φ; a rotated diag(3,−2,1) → 3, 2, 1', () => {
    const phi = (1 + Math.sqrt(5)) / 2;
    const sv = singularValues([1, 1, 0, 1], 2);
    expect(sv[0]).toBeCloseTo(phi, 12);
    expect(sv[1]).toBeCloseTo(1 / phi, 12);
    const c = Math.cos(0.3);
    const s = Math.sin(0.3);
    const rot = [c, -s, 0, s, c, 0, 0, 0, 1];
    const d = [3, 0, 0, 0, -2, 0, 0, 0, 1];
    Array.from(singularValues(matMul(rot, d, 3), 3)).forEach((v, i) => expect(v).toBeCloseTo([3, 2, 1][i]!, 12));
  });

  it('factors have entries of variance 1/N', () => {
    const N = 300;
    const a = gaussianMatrix(N, new Rng(1));
    let ss = 0;
    for (const v of a) ss += v * v;
    // Mean of N² squares of N(0, 1/N): 1/N with relative sd √(2/N²) ≈ 0.5%.
    expect((ss / (N * N)) * N).toBeCloseTo(1, 1);
  });

  it('is reproducible and nested: the depth-(M+1) product is A_{M+1} times the depth-M product', () => {
    const N = 20;
    expect(Array.from(gaussianProduct(3, N, 7))).toEqual(Array.from(gaussianProduct(3, N, 7)));
    const next = matMul(gaussianMatrix(N, new Rng(7).derive(4)), gaussianProduct(3, N, 7), N);
    expect(Array.from(gaussianProduct(4, N, 7))).toEqual(Array.from(next));
  });

  it('exact finite-N moments: M = 1 gives E m̂_2 = 2 + 1/N and sd(m̂_1) = √2/N; E m̂_2 → M + 1', () => {
    const N = 50;
    expect(finiteNMoments(1, N).m2).toBeCloseTo(2 + 1 / N, 12);
    expect(finiteNMoments(1, N).m1Sd).toBeCloseTo(Math.sqrt(2) / N, 12);
    for (let M = 1; M <= 6; M++) {
      const big = finiteNMoments(M, 1e6);
      expect(big.m2).toBeCloseTo(M + 1, 4);
      expect(big.m1Sd * 1e6).toBeCloseTo(Math.sqrt(M * (M + 1)), 3);
    }
  });

  it('checks its input', () => {
    expect(() => gaussianProduct(0, 10, 1)).toThrow(/M \(number of factors\)/);
    expect(() => singularValues([1, 2, 3], 2)).toThrow(/expected 4 entries/);
    expect(() => singularValues([1, NaN, 0, 1], 2)).toThrow(/entry 1 is NaN/);
    expect(() => matMul(new Float64Array(4), new Float64Array(9), 2)).toThrow(/2×2/);
  });
});
