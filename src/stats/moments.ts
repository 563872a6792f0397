/**
 * Location, spread and shape of one sample.
 *
 * Estimators (named as in Joanes & Gill 1998, "Comparing measures of sample skewness and
 * kurtosis"):
 *   variance       unbiased, divides by n − 1 (R's var).
 *   kurtosis  g2 = m4 / m2² − 3                      (excess; e1071 type 1)
 *             G2 = ((n+1)·g2 + 6)·(n−1) / ((n−2)(n−3))  (Excel KURT, SAS, e1071 type 2)
 *   where m_r = mean((x − x̄)^r) are the population moments.
 * The default is the bias-corrected G2: it is unbiased for normal samples, which matters when we
 * compare "near-Gaussian" (excess kurtosis ≈ 0) against heavy-tailed gradients at a few thousand
 * values. g2 is available for comparison with other code.
 *
 * Quantiles are R's default type 7: linear interpolation between order statistics at
 * h = (n − 1)·p, so quantile(xs, 0) = min and quantile(xs, 1) = max.
 * Sums are two-pass around the mean, which keeps the variance of large-offset data accurate.
 */
import { finiteSample, sortedCopy } from './validate';

export type KurtosisEstimator = 'g2' | 'G2';

export function mean(xs: ArrayLike<number>): number {
  const x = finiteSample(xs, 'mean: xs');
  return meanOf(x);
}

/**
 * Mean over the finite values only, for records of runs that may have diverged (a diverged run is
 * a result, never a crash): `dropped` says how many were left out; NaN when none is finite.
 */
export function meanOfFinite(xs: ArrayLike<number | null | undefined>): { mean: number; dropped: number } {
  const finite: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i];
    if (typeof v === 'number' && Number.isFinite(v)) finite.push(v);
  }
  return { mean: finite.length ? meanOf(Float64Array.from(finite)) : NaN, dropped: xs.length - finite.length };
}

/** Mean of an already validated array, with a correction pass for rounding. */
function meanOf(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  const m = s / x.length;
  let r = 0;
  for (let i = 0; i < x.length; i++) r += x[i]! - m;
  return m + r / x.length;
}

/** Central moment sums Σ(x − x̄)^r for r = 2, 4. */
function centralSums(x: Float64Array): { m: number; s2: number; s4: number } {
  const m = meanOf(x);
  let s2 = 0;
  let s4 = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i]! - m;
    const d2 = d * d;
    s2 += d2;
    s4 += d2 * d2;
  }
  return { m, s2, s4 };
}

/** Unbiased sample variance (n − 1 in the denominator). */
export function variance(xs: ArrayLike<number>): number {
  const x = finiteSample(xs, 'variance: xs', 2);
  return centralSums(x).s2 / (x.length - 1);
}

/** Sample standard deviation, √ of the unbiased variance. */
export function std(xs: ArrayLike<number>): number {
  return Math.sqrt(variance(xs));
}

/** Sample excess kurtosis (0 for a normal); `G2` (bias-corrected, default) needs n ≥ 4. */
export function excessKurtosis(xs: ArrayLike<number>, estimator: KurtosisEstimator = 'G2'): number {
  const x = finiteSample(xs, 'excessKurtosis: xs', estimator === 'G2' ? 4 : 2);
  const n = x.length;
  const { s2, s4 } = centralSums(x);
  if (s2 === 0) throw new RangeError('excessKurtosis: the sample is constant (variance 0), so kurtosis is undefined');
  const m2 = s2 / n;
  const g2 = s4 / n / (m2 * m2) - 3;
  return estimator === 'g2' ? g2 : (((n + 1) * g2 + 6) * (n - 1)) / ((n - 2) * (n - 3));
}

/** Type-7 quantile of an ascending sorted array (no checks). */
function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const a = sorted[lo];
  const b = sorted[hi];
  if (a === undefined || b === undefined) throw new RangeError(`quantileSorted: p = ${p} of ${n} values reaches outside the array`);
  // Equal neighbours (also two infinities, whose difference would be NaN) need no interpolation.
  if (h === lo || a === b) return a;
  return a + (h - lo) * (b - a);
}

function checkP(p: number): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile: probability must lie in [0, 1], got ${p}`);
}

/** R type-7 quantile(s) of a sample: one p gives a number, an array of p gives an array. */
export function quantile(xs: ArrayLike<number>, p: number): number;
export function quantile(xs: ArrayLike<number>, p: readonly number[]): number[];
export function quantile(xs: ArrayLike<number>, p: number | readonly number[]): number | number[] {
  const sorted = sortedCopy(finiteSample(xs, 'quantile: xs'));
  if (typeof p === 'number') {
    checkP(p);
    return quantileSorted(sorted, p);
  }
  return p.map((pi) => {
    checkP(pi);
    return quantileSorted(sorted, pi);
  });
}

export function median(xs: ArrayLike<number>): number {
  return quantile(xs, 0.5);
}

/** Means and centred sums of squares and cross-products of paired samples (two passes). */
export function centredSums(x: ArrayLike<number>, y: ArrayLike<number>): { mx: number; my: number; sxx: number; sxy: number; syy: number } {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  return { mx, my, sxx, sxy, syy };
}
