/**
 * The exact one-sided binomial test, for "in most seeds" statements: k successes in n independent
 * seeds, H0: the probability of a success is at most p0, against more; p = P(X ≥ k | n, p0), as R's
 * binom.test(k, n, p0, alternative = "greater"). Also the smallest k that rejects at level α, so a
 * spec can state in advance how many of its n seeds must show the effect.
 */
import type { TestResult } from './types';

function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}

/** P(X ≥ k) for X ~ Binomial(n, p). */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  let s = 0;
  for (let i = k; i <= n; i++) s += Math.exp(logChoose(n, i) + i * Math.log(p) + (n - i) * Math.log1p(-p));
  return Math.min(1, s);
}

export function binomialTestGreater(k: number, n: number, p0: number): TestResult {
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(k) || k < 0 || k > n)
    throw new RangeError(`binomialTestGreater: expected integers 0 ≤ k ≤ n, n ≥ 1, got k = ${k}, n = ${n}`);
  if (!(p0 > 0 && p0 < 1)) throw new RangeError(`binomialTestGreater: p0 must be in (0, 1), got ${p0}`);
  return { test: 'exact binomial', statistic: k, p: binomialUpperTail(k, n, p0), alternative: 'greater', estimate: k / n };
}

/** The fewest successes of n that reject H0: p ≤ p0 at level α (n + 1: none can). */
export function binomialCriticalCount(n: number, p0: number, alpha = 0.05): number {
  for (let k = 0; k <= n; k++) if (binomialUpperTail(k, n, p0) < alpha) return k;
  return n + 1;
}
