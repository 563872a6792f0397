/**
 * The exact binomial test of a share: k successes in n independent trials against a hypothesised
 * success probability p0 (R's binom.test, one-sided). Used for preconditions judged on a share of
 * seeds fixed in advance ("most initialisations diverge within the grid"), where asking every
 * seed would get harder with every seed added.
 */
import { checkAlternative, type Alternative } from './types';

/** log of the binomial coefficient C(n, k) (exact enough for n up to a few thousand). */
function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}

/** P(X = i) for X ~ Binomial(n, p). */
function pmf(i: number, n: number, p: number): number {
  if (p === 0) return i === 0 ? 1 : 0;
  if (p === 1) return i === n ? 1 : 0;
  return Math.exp(logChoose(n, i) + i * Math.log(p) + (n - i) * Math.log1p(-p));
}

/**
 * One-sided exact p-value of k successes in n trials: 'greater' is P(X ≥ k | p0) (the share is
 * above p0 under H1), 'less' is P(X ≤ k | p0). Two-sided is not offered: a precondition always
 * has a direction.
 */
export function binomialTest(k: number, n: number, p0: number, alternative: Exclude<Alternative, 'two-sided'> = 'greater'): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`binomialTest: n must be a positive integer, got ${n}`);
  if (!Number.isInteger(k) || k < 0 || k > n) throw new RangeError(`binomialTest: k must be an integer in [0, ${n}], got ${k}`);
  if (!(p0 >= 0 && p0 <= 1)) throw new RangeError(`binomialTest: p0 must lie in [0, 1], got ${p0}`);
  checkAlternative(alternative);
  let p = 0;
  if (alternative === 'greater') for (let i = k; i <= n; i++) p += pmf(i, n, p0);
  else for (let i = 0; i <= k; i++) p += pmf(i, n, p0);
  return Math.min(1, p);
}

/**
 * The fewest successes of n that reject H0: p ≤ p0 at level α ('greater'), n + 1 when none can:
 * how many of its n seeds a claim needs to show the effect, stated in advance.
 */
export function binomialCriticalCount(n: number, p0: number, alpha = 0.05): number {
  for (let k = 0; k <= n; k++) if (binomialTest(k, n, p0, 'greater') < alpha) return k;
  return n + 1;
}

/**
 * The Clopper–Pearson upper confidence limit for a binomial probability after k successes in n
 * trials: the p at which P(X ≤ k | p) = 1 − level (one-sided at `level`; the upper end of the
 * two-sided interval at 2·level − 1). 1 when k = n. By bisection on the exact tail (the Beta
 * quantile qbeta(level, k + 1, n − k); checked against scipy in the tests).
 */
export function binomialUpperLimit(k: number, n: number, level: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`binomialUpperLimit: n must be a positive integer, got ${n}`);
  if (!Number.isInteger(k) || k < 0 || k > n) throw new RangeError(`binomialUpperLimit: k must be an integer in [0, ${n}], got ${k}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`binomialUpperLimit: level must lie in (0, 1), got ${level}`);
  if (k === n) return 1;
  let lo = k / n;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (binomialTest(k, n, mid, 'less') > 1 - level) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
