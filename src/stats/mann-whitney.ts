/**
 * Mann–Whitney U (Wilcoxon rank-sum) test: does x tend to be larger than y?
 *
 * The statistic is R's W = U_x = (rank sum of x) − n_x(n_x+1)/2, the number of pairs with
 * x > y (ties count ½). p-values as R's wilcox.test:
 *   exact   when both samples have fewer than 50 values and there are no ties: the null
 *           distribution of U is counted exactly (all C(n_x+n_y, n_x) rank assignments equally
 *           likely) by the recurrence N(u; i, j) = N(u − j; i−1, j) + N(u; i, j−1), which uses
 *           only additions, so probabilities stay accurate in the far tails;
 *   normal  otherwise, z = (U − n_x n_y/2 − cc) / σ with the tie-corrected
 *           σ² = n_x n_y/12 · ((N+1) − Σ(t³−t)/(N(N−1))) and continuity correction cc = ±½
 *           (on by default, as in R).
 * `estimate` is U/(n_x n_y), the probability of superiority P(X > Y) + ½P(X = Y) (the AUC), a
 * scale-free effect size for reports.
 */
import { normalCdf, normalSf } from './distributions';
import { midRanks, tieCorrection } from './ranks';
import { checkAlternative, pFromTails, type Alternative, type TestResult } from './types';
import { finiteSample } from './validate';

export interface MannWhitneyOptions {
  alternative?: Alternative;
  /** 'auto' (default): exact when n_x, n_y < 50 and no ties. true forces exact (rejects ties). */
  exact?: boolean | 'auto';
  /** Continuity correction in the normal approximation (default true). */
  correct?: boolean;
}

/**
 * P(U = u) for u = 0 … m·n under H0, U the Mann–Whitney count for sample sizes m and n.
 * Row-by-row over j = 0 … n, keeping the distributions for all i ≤ m.
 */
export function mannWhitneyNullDistribution(m: number, n: number): Float64Array {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 1 || n < 1) {
    throw new RangeError(`mannWhitneyNullDistribution: sample sizes must be positive integers, got ${m} and ${n}`);
  }
  // rows[i] holds the counts N(·; i, j) for the current j (length i·j + 1).
  let rows: Float64Array[] = Array.from({ length: m + 1 }, () => Float64Array.of(1)); // j = 0: U = 0 only
  for (let j = 1; j <= n; j++) {
    const next: Float64Array[] = [Float64Array.of(1)]; // i = 0: U = 0 only
    for (let i = 1; i <= m; i++) {
      const cur = new Float64Array(i * j + 1);
      const left = rows[i]!; // N(·; i, j−1): the largest value is a y, adds 0
      for (let u = 0; u < left.length; u++) cur[u]! += left[u]!;
      const down = next[i - 1]!; // N(·; i−1, j): the largest value is an x, beats all j y's
      for (let u = 0; u < down.length; u++) cur[u + j]! += down[u]!;
      next.push(cur);
    }
    rows = next;
  }
  const counts = rows[m]!;
  let total = 0;
  for (const c of counts) total += c;
  return counts.map((c) => c / total);
}

export function mannWhitneyU(xs: ArrayLike<number>, ys: ArrayLike<number>, options: MannWhitneyOptions = {}): TestResult {
  const x = finiteSample(xs, 'mannWhitneyU: x');
  const y = finiteSample(ys, 'mannWhitneyU: y');
  const alternative = checkAlternative(options.alternative ?? 'two-sided');
  const nx = x.length;
  const ny = y.length;
  const all = new Float64Array(nx + ny);
  all.set(x);
  all.set(y, nx);
  const { ranks, ties } = midRanks(all);
  let rx = 0;
  for (let i = 0; i < nx; i++) rx += ranks[i]!;
  const u = rx - (nx * (nx + 1)) / 2;
  const estimate = u / (nx * ny);

  const wantExact = options.exact ?? 'auto';
  if (wantExact === true && ties.length > 0) throw new RangeError('mannWhitneyU: exact p-value requested, but the samples have ties');
  const exact = wantExact === true || (wantExact === 'auto' && nx < 50 && ny < 50 && ties.length === 0);

  if (exact) {
    const dist = mannWhitneyNullDistribution(nx, ny);
    const q = Math.round(u);
    let lower = 0;
    for (let k = 0; k <= q; k++) lower += dist[k]!;
    let upper = 0;
    for (let k = q; k < dist.length; k++) upper += dist[k]!;
    return {
      test: 'Mann–Whitney U (exact)',
      statistic: u,
      p: pFromTails(Math.min(1, lower), Math.min(1, upper), alternative),
      alternative,
      estimate,
    };
  }

  const N = nx + ny;
  const sigma = Math.sqrt(((nx * ny) / 12) * (N + 1 - tieCorrection(ties) / (N * (N - 1))));
  if (!(sigma > 0)) throw new RangeError('mannWhitneyU: all values are tied, so the test is undefined');
  const centred = u - (nx * ny) / 2;
  const correct = options.correct ?? true;
  let cc = 0;
  if (correct) cc = alternative === 'two-sided' ? Math.sign(centred) * 0.5 : alternative === 'greater' ? 0.5 : -0.5;
  const z = (centred - cc) / sigma;
  return {
    test: `Mann–Whitney U (normal approximation${correct ? ', continuity corrected' : ''})`,
    statistic: u,
    p: pFromTails(normalCdf(z), normalSf(z), alternative),
    alternative,
    estimate,
  };
}
