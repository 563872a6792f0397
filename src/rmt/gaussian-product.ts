/**
 * Products of random Gaussian matrices, the paper's §5 model of a deep linear network at
 * initialisation: P = A_M ⋯ A_2 A_1 with independent N×N factors of i.i.d. N(0, 1/N) entries
 * (variance 1/N keeps E‖A v‖² = ‖v‖², the "Glorot-like" scaling of the paper's Fig. 7).
 *
 * Factor m is drawn from its own child stream `new Rng(seed).derive(m)`, so the product for depth
 * M + 1 is A_{M+1} times the product for depth M with the same seed: spectra at different
 * depths share their factors, which makes depth comparisons less noisy.
 *
 * Singular values come from ml-matrix's Golub–Kahan SVD of P (no singular vectors), about
 * 0.3 s at N = 300. We do not go through the eigenvalues of PᵀP, which is 2× faster but squares
 * the condition number: its absolute error ε·s_max² puts a floor of ≈ √ε·s_max ≈ 1e-8 under
 * every singular value, while the SVD's floor is ε·s_max ≈ 1e-15. The smallest singular values
 * of deep products do reach 1e-8 (they shrink roughly like N^(−M)), so the condition numbers
 * here are trustworthy up to ~1e14 and saturate beyond that.
 */
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { Rng } from '../rng';

function checkSize(N: number, name = 'N'): void {
  if (!Number.isSafeInteger(N) || N < 1) throw new RangeError(`${name} must be a positive integer, got ${N}`);
}

/** An N×N matrix (row-major) of i.i.d. N(0, 1/N) entries. */
export function gaussianMatrix(N: number, rng: Rng): Float64Array {
  checkSize(N);
  return rng.normals(N * N, 0, 1 / Math.sqrt(N));
}

/** C = A·B for row-major N×N matrices (i-k-j loop order, so the inner loop runs along rows). */
export function matMul(a: ArrayLike<number>, b: ArrayLike<number>, N: number): Float64Array {
  checkSize(N);
  if (a.length !== N * N || b.length !== N * N) {
    throw new RangeError(`matMul: expected two ${N}×${N} matrices (${N * N} entries), got ${a.length} and ${b.length}`);
  }
  const c = new Float64Array(N * N);
  for (let i = 0; i < N; i++) {
    const ci = i * N;
    for (let k = 0; k < N; k++) {
      const aik = a[ci + k]!;
      if (aik === 0) continue;
      const bk = k * N;
      for (let j = 0; j < N; j++) c[ci + j]! += aik * b[bk + j]!;
    }
  }
  return c;
}

/** P = A_M ⋯ A_1, factors of N(0, 1/N) entries, factor m from `new Rng(seed).derive(m)`. */
export function gaussianProduct(M: number, N: number, seed: number): Float64Array {
  checkSize(M, 'M (number of factors)');
  checkSize(N);
  const root = new Rng(seed);
  let p = gaussianMatrix(N, root.derive(1));
  for (let m = 2; m <= M; m++) p = matMul(gaussianMatrix(N, root.derive(m)), p, N);
  return p;
}

/** Singular values of a row-major N×N matrix, descending. */
export function singularValues(a: ArrayLike<number>, N: number): Float64Array {
  checkSize(N);
  if (a.length !== N * N) throw new RangeError(`singularValues: expected ${N * N} entries for an ${N}×${N} matrix, got ${a.length}`);
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) throw new RangeError(`singularValues: entry ${i} is ${a[i]}: expected a finite number`);
  }
  const svd = new SingularValueDecomposition(Matrix.from1DArray(N, N, a), {
    computeLeftSingularVectors: false,
    computeRightSingularVectors: false,
    autoTranspose: false,
  });
  // Clamp the tiny negative values rounding can leave, and sort (the SVD returns them descending).
  return Float64Array.from(svd.diagonal, (s) => Math.max(0, s))
    .sort()
    .reverse();
}

/** Singular values (descending) of the product of M Gaussian N×N matrices for a seed. */
export function productSingularValues(M: number, N: number, seed: number): Float64Array {
  return singularValues(gaussianProduct(M, N, seed), N);
}

export interface FiniteNMoments {
  /** E[(1/N) tr PᵀP] = 1 exactly: every factor preserves the expected squared norm. */
  m1: number;
  /** Standard deviation of (1/N) tr PᵀP (the empirical first moment of s²), exact. */
  m1Sd: number;
  /** E[(1/N) tr (PᵀP)²] exactly; tends to the Fuss–Catalan m_2 = M + 1 as N → ∞. */
  m2: number;
}

/**
 * Exact finite-N expectations of the first two empirical moments of s² for real Gaussian
 * products, so tests can use tolerances that follow from N rather than guessed ones.
 * With P_M = A·P_{M−1}, S = P_{M−1}P_{M−1}ᵀ, a_M = E tr(P_MᵀP_M)², V_M = Var tr(P_MᵀP_M):
 *   Wick's theorem for A of N(0, 1/N) entries gives E[AᵀA S AᵀA] = S + (S + tr(S)·I)/N, hence
 *     a_M = (1 + 1/N)·a_{M−1} + (N² + V_{M−1})/N,
 *   and each row of A contributes a Gaussian quadratic form, so Var(tr | P_{M−1}) = 2 tr(S²)/N:
 *     V_M = V_{M−1} + 2·a_{M−1}/N,
 * from a_0 = N, V_0 = 0 (P_0 = I). For M = 1: E m̂_2 = 2 + 1/N and sd(m̂_1) = √2/N; for
 * general M, sd(m̂_1) ≈ √(M(M+1))/N.
 */
export function finiteNMoments(M: number, N: number): FiniteNMoments {
  checkSize(M, 'M (number of factors)');
  checkSize(N);
  let a = N;
  let V = 0;
  for (let m = 1; m <= M; m++) {
    const next = (1 + 1 / N) * a + (N * N + V) / N;
    V += (2 * a) / N;
    a = next;
  }
  return { m1: 1, m1Sd: Math.sqrt(V) / N, m2: a / N };
}
