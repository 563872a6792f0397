/**
 * Exact binomial test and the sign test built on it.
 *
 * Two-sided p as R's binom.test: the total probability of outcomes no more likely than the one
 * observed (with R's relative tolerance 1 + 1e-7 for "equally likely"), not twice the smaller
 * tail; the two agree for p0 = ½. Upper tails are computed as lower tails of n − X with
 * probability 1 − p0, so tiny p-values keep their precision. The CI is Clopper–Pearson,
 * found by bisection on the binomial CDF (monotone in the success probability).
 *
 * The sign test asks whether the median of x differs from mu using only the signs of x − mu
 * (values equal to mu are dropped): distribution-free, and valid for heavy-tailed data where a
 * t-test's normal approximation is doubtful.
 */
import { binomialCdf, binomialPmf } from './distributions';
import { checkAlternative, type Alternative, type TestResult } from './types';
import { finiteNumber, finiteSample, openUnit } from './validate';

/** P(X ≥ k) for X ~ Binomial(n, p). */
function upperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  return binomialCdf(n - k, n, 1 - p);
}

/** The root in [0, 1] of a monotone function f with f(lo) and f(hi) of opposite sign. */
function bisect(f: (p: number) => number, lo = 0, hi = 1): number {
  let flo = f(lo);
  for (let it = 0; it < 200 && hi - lo > 1e-15; it++) {
    const mid = (lo + hi) / 2;
    const fm = f(mid);
    if (fm === 0) return mid;
    if (Math.sign(fm) === Math.sign(flo)) {
      lo = mid;
      flo = fm;
    } else hi = mid;
  }
  return (lo + hi) / 2;
}

export interface BinomialOptions {
  alternative?: Alternative;
  /** Confidence level of the Clopper–Pearson CI (default 0.95). */
  level?: number;
}

/** Exact test of H0: success probability = p0, given k successes in n trials. */
export function binomialTest(k: number, n: number, p0 = 0.5, options: BinomialOptions = {}): TestResult {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`binomialTest: n must be a positive integer, got ${n}`);
  if (!Number.isSafeInteger(k) || k < 0 || k > n) throw new RangeError(`binomialTest: k must be an integer in [0, n = ${n}], got ${k}`);
  if (!(p0 >= 0 && p0 <= 1)) throw new RangeError(`binomialTest: p0 must lie in [0, 1], got ${p0}`);
  const alternative = checkAlternative(options.alternative ?? 'two-sided');
  const level = openUnit(options.level ?? 0.95, 'binomialTest: level');

  let p: number;
  if (alternative === 'less') p = binomialCdf(k, n, p0);
  else if (alternative === 'greater') p = upperTail(k, n, p0);
  else {
    const relErr = 1 + 1e-7;
    const d = binomialPmf(k, n, p0);
    const m = n * p0;
    if (k === m) p = 1;
    else if (k < m) {
      let y = 0;
      for (let i = Math.ceil(m); i <= n; i++) if (binomialPmf(i, n, p0) <= d * relErr) y++;
      p = binomialCdf(k, n, p0) + upperTail(n - y + 1, n, p0);
    } else {
      let y = 0;
      for (let i = 0; i <= Math.floor(m); i++) if (binomialPmf(i, n, p0) <= d * relErr) y++;
      p = (y > 0 ? binomialCdf(y - 1, n, p0) : 0) + upperTail(k, n, p0);
    }
    p = Math.min(1, p);
  }

  // Clopper–Pearson: the p at which the observed k sits exactly on the tail of size α (per side).
  const alpha = 1 - level;
  const side = alternative === 'two-sided' ? alpha / 2 : alpha;
  const lo = k === 0 || alternative === 'less' ? 0 : bisect((q) => upperTail(k, n, q) - side);
  const hi = k === n || alternative === 'greater' ? 1 : bisect((q) => binomialCdf(k, n, q) - side);
  return { test: 'exact binomial', statistic: k, p, alternative, estimate: k / n, ci: [lo, hi], level };
}

/** Sign test of H0: median(x) = mu (values equal to mu are dropped). */
export function signTest(xs: ArrayLike<number>, options: { mu?: number; alternative?: Alternative } = {}): TestResult {
  const x = finiteSample(xs, 'signTest: xs');
  const mu = finiteNumber(options.mu ?? 0, 'signTest: mu');
  let above = 0;
  let below = 0;
  for (const v of x) {
    if (v > mu) above++;
    else if (v < mu) below++;
  }
  if (above + below === 0) throw new RangeError('signTest: every value equals mu, so there are no signs to test');
  const r = binomialTest(above, above + below, 0.5, { alternative: options.alternative ?? 'two-sided' });
  return { ...r, test: 'sign test' };
}
