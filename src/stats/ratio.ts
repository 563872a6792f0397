/**
 * A confidence interval for a ratio of differences of group means,
 *   R = (mean(b) − mean(a)) / (mean(c) − mean(a)),
 * the "share of c's gain over a that b recovers" (final-layer-bn-recovers-two-thirds: a = no BN,
 * b = BN on the final layer, c = BN everywhere), the groups being independent samples (seeds).
 *
 * Delta method (e.g. Casella & Berger 2002, §5.5.4): R is a smooth function of the three means, so
 * to first order R̂ − R = Σ_j w_j (m̂_j − m_j) with the partial derivatives
 *   w_a = (mean(b) − mean(c)) / G², w_b = 1 / G, w_c = −(mean(b) − mean(a)) / G², G = mean(c) − mean(a),
 * and Var R̂ ≈ Σ_j w_j² s_j² / n_j. The interval is R̂ ± t·se with Welch–Satterthwaite degrees of
 * freedom for that linear combination, df = (Σ v_j)² / Σ v_j² / (n_j − 1), v_j = w_j² s_j² / n_j:
 * with a handful of seeds per group, t rather than normal quantiles is what keeps the coverage
 * honest (checked by simulation in the tests). The linearisation needs a denominator well away
 * from 0 relative to its own standard error; `denominatorT` (G / se(G)) says how far it is, and a
 * caller should not read the interval when it is small (Fieller's problem: the true interval is
 * then unbounded).
 */
import { tQuantile } from './distributions';
import { mean, variance } from './moments';
import { finiteSample, openUnit } from './validate';

export interface RatioInterval {
  estimate: number;
  ci: [number, number];
  se: number;
  df: number;
  level: number;
  /** G / se(G): the denominator in units of its standard error */
  denominatorT: number;
}

export function ratioOfDifferencesCI(
  as: ArrayLike<number>,
  bs: ArrayLike<number>,
  cs: ArrayLike<number>,
  options: { level?: number } = {},
): RatioInterval {
  const level = openUnit(options.level ?? 0.95, 'ratioOfDifferencesCI: level');
  const groups = [
    finiteSample(as, 'ratioOfDifferencesCI: a', 2),
    finiteSample(bs, 'ratioOfDifferencesCI: b', 2),
    finiteSample(cs, 'ratioOfDifferencesCI: c', 2),
  ];
  const [ma, mb, mc] = groups.map((g) => mean(g)) as [number, number, number];
  const G = mc - ma;
  if (G === 0) throw new RangeError('ratioOfDifferencesCI: mean(c) = mean(a): the ratio is undefined');
  const R = (mb - ma) / G;
  const w = [(mb - mc) / (G * G), 1 / G, -(mb - ma) / (G * G)];
  const v = groups.map((g, j) => (w[j]! * w[j]! * variance(g)) / g.length);
  const total = v.reduce((s, x) => s + x, 0);
  const se = Math.sqrt(total);
  const df = total > 0 ? (total * total) / v.reduce((s, x, j) => s + (x * x) / (groups[j]!.length - 1), 0) : Infinity;
  const q = tQuantile(1 - (1 - level) / 2, Number.isFinite(df) ? df : 1e9);
  const seG = Math.sqrt(variance(groups[2]!) / groups[2]!.length + variance(groups[0]!) / groups[0]!.length);
  return { estimate: R, ci: [R - q * se, R + q * se], se, df, level, denominatorT: seG > 0 ? G / seG : Infinity };
}
