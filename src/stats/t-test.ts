/**
 * t-tests: Welch's two-sample, one-sample, paired, and the TOST equivalence test of paired samples.
 *
 * Welch rather than Student for two samples: the claims compare runs with and without BN, whose
 * spreads differ by orders of magnitude, so equal variances cannot be assumed; the df come from
 * Welch–Satterthwaite, df = (a + b)² / (a²/(n_x−1) + b²/(n_y−1)) with a = s_x²/n_x, b = s_y²/n_y.
 * Conventions follow R's t.test: `mu` is the hypothesised mean (difference), the CI is for the
 * mean (difference) itself, and a one-sided alternative gives a one-sided CI.
 *
 * TOST (Schuirmann 1987) asks the reverse question, "are the means equal to within ±δ?": it
 * rejects non-equivalence when both one-sided paired tests, H0: Δ ≤ −δ and H0: Δ ≥ +δ, reject;
 * its p-value is the larger of the two. Equivalently, the (1 − 2α) CI of Δ lies inside (−δ, δ).
 */
import { tQuantile, tCdf, tSf } from './distributions';
import { mean, variance } from './moments';
import { checkAlternative, pFromTails, type Alternative, type TestResult, type Undefined } from './types';
import { finiteNumber, finiteSample, openUnit, pairedSamples } from './validate';

export interface TTestOptions {
  alternative?: Alternative;
  /** Hypothesised mean (one-sample, paired) or mean difference x − y (two-sample). Default 0. */
  mu?: number;
  /** Confidence level of the CI (default 0.95). */
  level?: number;
}

/** The shared tail of every t-test: statistic, p, CI from an estimate, its SE and df. */
function tResult(test: string, estimate: number, se: number, df: number, options: TTestOptions): TestResult {
  const alternative = checkAlternative(options.alternative ?? 'two-sided');
  const mu = finiteNumber(options.mu ?? 0, `${test}: mu`);
  const level = openUnit(options.level ?? 0.95, `${test}: level`);
  if (!(se > 0)) throw new RangeError(`${test}: the data are constant (standard error 0), so t is undefined`);
  const t = (estimate - mu) / se;
  const p = pFromTails(tCdf(t, df), tSf(t, df), alternative);
  let ci: [number, number];
  if (alternative === 'two-sided') {
    const q = tQuantile(1 - (1 - level) / 2, df);
    ci = [estimate - q * se, estimate + q * se];
  } else {
    const q = tQuantile(level, df);
    ci = alternative === 'greater' ? [estimate - q * se, Infinity] : [-Infinity, estimate + q * se];
  }
  return { test, statistic: t, p, df, alternative, estimate, ci, level };
}

/** Welch's two-sample t-test of mean(x) − mean(y) = mu. */
export function welchTTest(xs: ArrayLike<number>, ys: ArrayLike<number>, options: TTestOptions = {}): TestResult {
  const x = finiteSample(xs, 'welchTTest: x', 2);
  const y = finiteSample(ys, 'welchTTest: y', 2);
  const vx = variance(x) / x.length;
  const vy = variance(y) / y.length;
  const se = Math.sqrt(vx + vy);
  const df = ((vx + vy) * (vx + vy)) / ((vx * vx) / (x.length - 1) + (vy * vy) / (y.length - 1));
  return tResult('Welch t', mean(x) - mean(y), se, df, options);
}

/** One-sample t-test of mean(x) = mu. */
export function oneSampleTTest(xs: ArrayLike<number>, options: TTestOptions = {}): TestResult {
  const x = finiteSample(xs, 'oneSampleTTest: x', 2);
  return tResult('one-sample t', mean(x), Math.sqrt(variance(x) / x.length), x.length - 1, options);
}

/**
 * The 95 % t-interval of a mean over a few values (seeds), for figures and records: the mean
 * itself, as a point, where no interval exists (fewer than two values, or all of them equal).
 */
export function meanInterval(xs: readonly number[]): [number, number] {
  try {
    const t = oneSampleTTest(xs);
    return [t.ci![0], t.ci![1]];
  } catch {
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    return [m, m];
  }
}

/**
 * One-sided test across seeds that mean(x) > mu, for claims whose seeds may all measure the same
 * value (a deliberately broken net gives every seed a ratio of exactly 1): t is then undefined,
 * and identical values are taken as a point, so the bound is that value and p is 0 or 1. Else
 * the one-sample t-test: `lower` is its one-sided lower confidence bound at `level`.
 */
export function meanAbove(xs: readonly number[], mu = 0, level = 0.95): { estimate: number; lower: number; p: number } {
  if (xs.length > 0 && xs.every((v) => v === xs[0])) return { estimate: xs[0]!, lower: xs[0]!, p: xs[0]! > mu ? 0 : 1 };
  const t = oneSampleTTest(xs, { alternative: 'greater', mu, level });
  return { estimate: t.estimate!, lower: t.ci![0], p: t.p };
}

/** Paired t-test: the one-sample test on x[i] − y[i]. */
export function pairedTTest(xs: ArrayLike<number>, ys: ArrayLike<number>, options: TTestOptions = {}): TestResult {
  const [x, y] = pairedSamples(xs, ys, ['pairedTTest: x', 'pairedTTest: y'], 2);
  const d = x.map((xi, i) => xi - y[i]!);
  return { ...oneSampleTTest(d, options), test: 'paired t' };
}

export interface TostResult {
  test: 'TOST (paired)';
  /** Overall p-value, max(pLower, pUpper): equivalence is shown when p < α. */
  p: number;
  /** p of H0: Δ ≤ −δ against Δ > −δ. */
  pLower: number;
  /** p of H0: Δ ≥ +δ against Δ < +δ. */
  pUpper: number;
  tLower: number;
  tUpper: number;
  df: number;
  delta: number;
  /** mean(x) − mean(y). */
  estimate: number;
  /** Two-sided CI of Δ at `level` (default 0.90, the interval dual to TOST at α = 0.05). */
  ci: [number, number];
  level: number;
}

/**
 * TOST equivalence of paired samples (x[i], y[i] from the same seed): the two one-sided tests on
 * the differences x[i] − y[i], within (−δ, +δ), and the (1 − 2α) interval. Pairing removes what
 * the seed shares between arms (initial kernels, batch order, augmentation) from the error.
 */
export function tostPaired(xs: ArrayLike<number>, ys: ArrayLike<number>, delta: number, options: { level?: number } = {}): TostResult {
  const test = 'TOST (paired)';
  if (!(delta > 0) || !Number.isFinite(delta)) throw new RangeError(`${test}: margin δ must be a positive finite number, got ${delta}`);
  const level = openUnit(options.level ?? 0.9, `${test}: level`);
  const lower = pairedTTest(xs, ys, { mu: -delta, alternative: 'greater' });
  const upper = pairedTTest(xs, ys, { mu: delta, alternative: 'less' });
  const two = pairedTTest(xs, ys, { level });
  return {
    test,
    p: Math.max(lower.p, upper.p),
    pLower: lower.p,
    pUpper: upper.p,
    tLower: lower.statistic,
    tUpper: upper.statistic,
    df: lower.df!,
    delta,
    estimate: lower.estimate!,
    ci: two.ci!,
    level,
  };
}

/** A mean over seeds with a one-sided t confidence bound and the p-value of the matching test. */
export interface MeanBound {
  n: number;
  estimate: number;
  sd: number;
  /** the one-sided bound at `level`: lower for side 'lower', upper for side 'upper' */
  bound: number;
  /** p of H0: mean ≤ mu (side 'lower') or mean ≥ mu (side 'upper') */
  p: number;
  level: number;
}

function sampleOrWhy(xs: readonly number[], min: number): Float64Array | Undefined {
  if (xs.length < min) return { undefined: `undefined, because it needs at least ${min} values and has ${xs.length}` };
  const bad = xs.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) return { undefined: `undefined, because value ${bad} is ${String(xs[bad])}` };
  return Float64Array.from(xs);
}

/**
 * The one-sided t bound of a mean (side 'lower': "the mean is above mu", 'upper': "below mu"):
 * `undefined, because …` for fewer than two values or a non-finite one (a diverged seed is a
 * result, not a crash). Identical values (a deliberately broken net can give every seed the same
 * number) have no spread: they are taken as a point, so the bound is that value and p is 0 or 1.
 */
export function meanBound(xs: readonly number[], o: { side: 'lower' | 'upper'; mu: number; level?: number }): MeanBound | Undefined {
  const level = openUnit(o.level ?? 0.95, 'meanBound: level');
  const x = sampleOrWhy(xs, 2);
  if (!(x instanceof Float64Array)) return x;
  const m = mean(x);
  const sd = Math.sqrt(variance(x));
  if (x.every((v) => v === x[0])) {
    const beyond = o.side === 'lower' ? x[0]! > o.mu : x[0]! < o.mu;
    return { n: x.length, estimate: x[0]!, sd: 0, bound: x[0]!, p: beyond ? 0 : 1, level };
  }
  const t = oneSampleTTest(x, { alternative: o.side === 'lower' ? 'greater' : 'less', mu: o.mu, level });
  return { n: x.length, estimate: m, sd, bound: o.side === 'lower' ? t.ci![0] : t.ci![1], p: t.p, level };
}

/** A mean over seeds with its two-sided t-interval, and whether that interval lies inside [lo, hi]. */
export interface Equivalence {
  n: number;
  estimate: number;
  sd: number;
  /** two-sided interval at `level` (0.90: the interval dual to TOST at 5 %) */
  ci: [number, number];
  level: number;
  lo: number;
  hi: number;
  /** the interval lies strictly inside (lo, hi): equivalence shown */
  equivalent: boolean;
}

/**
 * TOST for one sample: the mean is within (lo, hi) when the (1 − 2α) t-interval lies inside
 * (Schuirmann 1987; `level` 0.90 for α = 0.05). `undefined, because …` as meanBound; identical
 * values are a point interval.
 */
export function equivalenceOfMean(xs: readonly number[], lo: number, hi: number, level = 0.9): Equivalence | Undefined {
  if (!(lo < hi)) throw new RangeError(`equivalenceOfMean: needs lo < hi, got ${lo}, ${hi}`);
  openUnit(level, 'equivalenceOfMean: level');
  const x = sampleOrWhy(xs, 2);
  if (!(x instanceof Float64Array)) return x;
  const m = mean(x);
  const sd = Math.sqrt(variance(x));
  const ci: [number, number] = x.every((v) => v === x[0]) ? [x[0]!, x[0]!] : (oneSampleTTest(x, { level }).ci as [number, number]);
  return { n: x.length, estimate: m, sd, ci, level, lo, hi, equivalent: ci[0] > lo && ci[1] < hi };
}
