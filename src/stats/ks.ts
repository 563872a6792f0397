/**
 * Kolmogorov–Smirnov test, two-sided: one sample against a continuous CDF.
 *
 * D = sup |F_n − F|. The p-value is the asymptotic Kolmogorov tail P(K > λ) at Stephens' (1970)
 * corrected λ = (√n + 0.12 + 0.11/√n)·D. The correction makes the asymptotic law
 * usable down to a handful of points (Stephens 1970; Numerical Recipes §14.3; the tests check a
 * 5% rejection rate at n = 20), so we need no exact small-sample distribution; p-values differ from R's exact ones (n < 100) in the second
 * or third digit.
 *
 * Caveat for eigenvalues: the test assumes independent draws. Eigenvalues of one random matrix
 * repel each other and sit much closer to their quantiles than i.i.d. draws do, so for them the
 * KS p-value is conservative (large); report D next to it.
 */
import { kolmogorovSf } from './distributions';
import type { TestResult } from './types';
import { finiteSample, sortedCopy } from './validate';

export interface KsResult extends TestResult {
  /** Sample size used in the p-value. */
  n: number;
}

function ksPValue(d: number, n: number): number {
  const s = Math.sqrt(n);
  return kolmogorovSf((s + 0.12 + 0.11 / s) * d);
}

/** One-sample KS test of xs against the continuous CDF `cdf`. */
export function ksTest(xs: ArrayLike<number>, cdf: (x: number) => number): KsResult {
  const x = sortedCopy(finiteSample(xs, 'ksTest: xs'));
  const n = x.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(x[i]!);
    if (!(f >= 0 && f <= 1)) throw new RangeError(`ksTest: cdf(${x[i]}) = ${f} is not a probability in [0, 1]`);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  return { test: 'Kolmogorov–Smirnov (one-sample)', statistic: d, p: ksPValue(d, n), alternative: 'two-sided', n };
}
