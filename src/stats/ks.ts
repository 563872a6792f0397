/**
 * Kolmogorov–Smirnov tests, two-sided: one sample against a continuous CDF, and two samples.
 *
 * D = sup |F_n − F| (one-sample) or sup |F_n − G_m| (two-sample). The p-value is the asymptotic
 * Kolmogorov tail P(K > λ) at Stephens' (1970) corrected λ = (√n_e + 0.12 + 0.11/√n_e)·D, with
 * n_e = n (one sample) or n·m/(n+m) (two samples). The correction makes the asymptotic law
 * usable down to a handful of points (Stephens 1970; Numerical Recipes §14.3; the tests check a
 * 5% rejection rate at n = 20), so we need no exact small-sample distribution; p-values differ from R's exact ones (n < 100) in the second
 * or third digit. Ties between the two samples are handled by evaluating both ECDFs after each
 * distinct value (ties make the test conservative).
 *
 * Caveat for eigenvalues: the test assumes independent draws. Eigenvalues of one random matrix
 * repel each other and sit much closer to their quantiles than i.i.d. draws do, so for them the
 * KS p-value is conservative (large); report D next to it.
 */
import { kolmogorovSf } from './distributions';
import type { TestResult } from './types';
import { finiteSample, sortedCopy } from './validate';

export interface KsResult extends TestResult {
  /** Effective sample size n_e used in the p-value. */
  n: number;
}

function ksPValue(d: number, ne: number): number {
  const s = Math.sqrt(ne);
  return kolmogorovSf((s + 0.12 + 0.11 / s) * d);
}

/** One-sample KS test of xs against the continuous CDF `cdf`. */
export function ksTest(xs: ArrayLike<number>, cdf: (x: number) => number): KsResult {
  const x = sortedCopy(finiteSample(xs, 'ksTest: xs'));
  const n = x.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(x[i]);
    if (!(f >= 0 && f <= 1)) throw new RangeError(`ksTest: cdf(${x[i]}) = ${f} is not a probability in [0, 1]`);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  return { test: 'Kolmogorov–Smirnov (one-sample)', statistic: d, p: ksPValue(d, n), alternative: 'two-sided', n };
}

/** Two-sample KS test of whether xs and ys come from the same distribution. */
export function ksTest2(xs: ArrayLike<number>, ys: ArrayLike<number>): KsResult {
  const x = sortedCopy(finiteSample(xs, 'ksTest2: xs'));
  const y = sortedCopy(finiteSample(ys, 'ksTest2: ys'));
  const n = x.length;
  const m = y.length;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n && j < m) {
    const v = Math.min(x[i], y[j]);
    while (i < n && x[i] === v) i++;
    while (j < m && y[j] === v) j++;
    d = Math.max(d, Math.abs(i / n - j / m));
  }
  const ne = (n * m) / (n + m);
  return { test: 'Kolmogorov–Smirnov (two-sample)', statistic: d, p: ksPValue(d, ne), alternative: 'two-sided', n: ne };
}
