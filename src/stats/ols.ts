/**
 * Simple least-squares line y = a + b·x with the classical inference for the slope.
 *
 * Used for growth rates, e.g. the slope of log-std against depth (an exponential growth per
 * layer shows up as a positive slope whose CI excludes 0). The standard errors assume
 * independent, homoscedastic residuals: se(b) = σ̂/√Sxx, σ̂² = RSS/(n−2); the CI and the
 * p-value of H0: b = 0 use Student t on n − 2 df, as R's summary(lm) / confint.
 */
import { tQuantile, tCdf, tSf } from './distributions';
import { centredSums } from './moments';
import { pFromTails } from './types';
import { openUnit, pairedSamples } from './validate';

export interface LinearFit {
  n: number;
  slope: number;
  intercept: number;
  slopeSe: number;
  interceptSe: number;
  /** t-based CI of the slope at `level`. */
  slopeCi: [number, number];
  level: number;
  /** t statistic and two-sided p-value of H0: slope = 0. */
  t: number;
  p: number;
  df: number;
  r2: number;
  /** σ̂, the residual standard error. */
  residualSe: number;
}

/** Ordinary least squares of y on x (n ≥ 3, x not constant). */
export function linearFit(xs: ArrayLike<number>, ys: ArrayLike<number>, options: { level?: number } = {}): LinearFit {
  const [x, y] = pairedSamples(xs, ys, ['linearFit: x', 'linearFit: y'], 3);
  const level = openUnit(options.level ?? 0.95, 'linearFit: level');
  const n = x.length;
  const { mx, my, sxx, sxy, syy } = centredSums(x, y);
  if (sxx === 0) throw new RangeError('linearFit: x is constant, so the slope is undefined');
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let rss = 0;
  for (let i = 0; i < n; i++) {
    const r = y[i]! - intercept - slope * x[i]!;
    rss += r * r;
  }
  const df = n - 2;
  const sigma2 = rss / df;
  const slopeSe = Math.sqrt(sigma2 / sxx);
  const interceptSe = Math.sqrt(sigma2 * (1 / n + (mx * mx) / sxx));
  const q = tQuantile(1 - (1 - level) / 2, df);
  const t = slopeSe > 0 ? slope / slopeSe : slope === 0 ? NaN : Math.sign(slope) * Infinity;
  const p = Number.isNaN(t) ? 1 : pFromTails(tCdf(t, df), tSf(t, df), 'two-sided');
  return {
    n,
    slope,
    intercept,
    slopeSe,
    interceptSe,
    slopeCi: [slope - q * slopeSe, slope + q * slopeSe],
    level,
    t,
    p,
    df,
    r2: syy > 0 ? Math.min(1, (sxy * sxy) / (sxx * syy)) : 1,
    residualSe: Math.sqrt(sigma2),
  };
}

/**
 * The least-squares slope of y on x with one intercept per group (fixed effects): the pooled
 * within-group slope Σ_g Σ (x − x̄_g)(y − ȳ_g) / Σ_g Σ (x − x̄_g)². A step between groups does not
 * count as slope. NaN when x does not vary within any group.
 */
export function withinGroupSlope(xs: ArrayLike<number>, ys: ArrayLike<number>, groups: ArrayLike<number>): number {
  if (xs.length !== ys.length || xs.length !== groups.length)
    throw new RangeError(`withinGroupSlope: x, y and groups differ in length (${xs.length}, ${ys.length}, ${groups.length})`);
  const byGroup = new Map<number, number[]>();
  for (let i = 0; i < xs.length; i++) byGroup.set(groups[i]!, [...(byGroup.get(groups[i]!) ?? []), i]);
  let sxy = 0;
  let sxx = 0;
  for (const idx of byGroup.values()) {
    const c = centredSums(
      idx.map((i) => xs[i]!),
      idx.map((i) => ys[i]!),
    );
    sxy += c.sxy;
    sxx += c.sxx;
  }
  return sxx > 0 ? sxy / sxx : NaN;
}
