/**
 * The reference distributions the tests need, behind one typed door.
 *
 * Normal and Student t come from @stdlib (well-tested ports of Cephes / Boost: the t
 * CDF goes through the regularised incomplete beta, accurate to ~1e-15 relative), so the
 * p-values here agree with R's to printed precision. The Kolmogorov distribution is not in a
 * single-purpose @stdlib package, so it is written out below from its two classical series.
 */
import normalCdfImpl from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantileImpl from '@stdlib/stats-base-dists-normal-quantile';
import tCdfImpl from '@stdlib/stats-base-dists-t-cdf';
import tQuantileImpl from '@stdlib/stats-base-dists-t-quantile';

function checkDf(df: number): void {
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be positive, got ${df}`);
}

function checkProb(p: number, name = 'p'): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${name} must lie in [0, 1], got ${p}`);
}

/** P(Z ≤ z) for a standard normal Z. */
export function normalCdf(z: number): number {
  return normalCdfImpl(z, 0, 1);
}

/** P(Z > z), computed as Φ(−z) so the far upper tail keeps its precision. */
export function normalSf(z: number): number {
  return normalCdfImpl(-z, 0, 1);
}

/** The p-quantile of a standard normal. */
export function normalQuantile(p: number): number {
  checkProb(p);
  return normalQuantileImpl(p, 0, 1);
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom (df need not be an integer: Welch). */
export function tCdf(t: number, df: number): number {
  checkDf(df);
  return tCdfImpl(t, df);
}

/** P(T > t), as P(T ≤ −t) by symmetry, for precision in the upper tail. */
export function tSf(t: number, df: number): number {
  checkDf(df);
  return tCdfImpl(-t, df);
}

/** The p-quantile of Student's t. */
export function tQuantile(p: number, df: number): number {
  checkDf(df);
  checkProb(p);
  return tQuantileImpl(p, df);
}

/**
 * P(K > λ) for the Kolmogorov distribution K = sup|B(t)| of a Brownian bridge: the limit law of
 * √n·D_n. For λ ≥ 1.18 the alternating series 2 Σ (−1)^(k−1) exp(−2k²λ²) converges in a few
 * terms; below that it cancels badly, so we use the Jacobi-theta form of the CDF,
 * P(K ≤ λ) = (√(2π)/λ) Σ exp(−(2k−1)²π²/(8λ²)), which converges fast for small λ.
 */
export function kolmogorovSf(lambda: number): number {
  if (Number.isNaN(lambda)) throw new RangeError('kolmogorovSf: λ is NaN');
  if (lambda <= 0) return 1;
  if (lambda < 1.18) {
    const c = (Math.PI * Math.PI) / (8 * lambda * lambda);
    let s = 0;
    for (let k = 1; k <= 20; k++) {
      const j = 2 * k - 1;
      const term = Math.exp(-j * j * c);
      s += term;
      if (term < 1e-17 * s) break;
    }
    return Math.min(1, Math.max(0, 1 - (Math.sqrt(2 * Math.PI) / lambda) * s));
  }
  let s = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * lambda * lambda);
    s += k % 2 === 1 ? term : -term;
    if (term < 1e-17) break;
  }
  return Math.min(1, Math.max(0, 2 * s));
}
