/**
 * Spearman's rank correlation.
 *
 * Spearman's ρ is Pearson's r of the mid-ranks (so ties are handled as R's cor(method =
 * "spearman") does). Its p-value:
 *   exact permutation for n ≤ 9: all n! orderings of y's ranks against x's (362,880 at n = 9,
 *           a few ms), counting those at least as extreme as the observed ρ; exact also with
 *           ties (conditional on the tie pattern);
 *   t approximation for n > 9: t = ρ √((n−2)/(1−ρ²)) on n − 2 df (the approximation R uses for
 *           tied data and SciPy uses by default). It is slightly anti-conservative for n ≈ 10–20
 *           in the far tail, good at the 5% level.
 * R's cor.test uses the AS 89 Edgeworth series for 9 < n < 1290 without ties, so p-values there
 * differ from R's in the third digit.
 */
import { tCdf, tSf } from './distributions';
import { centredSums } from './moments';
import { midRanks } from './ranks';
import { checkAlternative, pFromTails, type Alternative, type TestResult } from './types';
import { pairedSamples } from './validate';

function pearsonOf(x: ArrayLike<number>, y: ArrayLike<number>, name: string): number {
  const { sxx, sxy, syy } = centredSums(x, y);
  if (sxx === 0 || syy === 0) throw new RangeError(`${name}: one of the samples is constant, so the correlation is undefined`);
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

export interface SpearmanOptions {
  alternative?: Alternative;
  /** 'auto' (default): exact permutation for n ≤ 9. true forces it (n ≤ 10 allowed), false uses t. */
  exact?: boolean | 'auto';
}

/** Largest n for which the exact permutation distribution is enumerated. */
const SPEARMAN_EXACT_MAX_N = 9;

/** Spearman's rank correlation with its p-value; statistic and estimate are ρ. */
export function spearman(xs: ArrayLike<number>, ys: ArrayLike<number>, options: SpearmanOptions = {}): TestResult {
  const [x, y] = pairedSamples(xs, ys, ['spearman: x', 'spearman: y'], 3);
  const alternative = checkAlternative(options.alternative ?? 'two-sided');
  const n = x.length;
  const rx = midRanks(x).ranks;
  const ry = midRanks(y).ranks;
  const rho = pearsonOf(rx, ry, 'spearman');
  const wantExact = options.exact ?? 'auto';
  if (wantExact === true && n > 10)
    throw new RangeError(`spearman: exact permutation p-value is limited to n ≤ 10 (n! orderings), got n = ${n}`);
  const exact = wantExact === true || (wantExact === 'auto' && n <= SPEARMAN_EXACT_MAX_N);
  if (exact) {
    const { lower, upper, twoSided } = permutationTails(rx, ry);
    const p = alternative === 'less' ? lower : alternative === 'greater' ? upper : twoSided;
    return { test: 'Spearman ρ (exact permutation)', statistic: rho, p, alternative, estimate: rho };
  }
  const df = n - 2;
  const t = Math.abs(rho) === 1 ? Math.sign(rho) * Infinity : rho * Math.sqrt(df / (1 - rho * rho));
  const p = pFromTails(tCdf(t, df), tSf(t, df), alternative);
  return { test: 'Spearman ρ (t approximation)', statistic: rho, p, df, alternative, estimate: rho };
}

/**
 * Tail probabilities of S = Σ a_i b_π(i) over all permutations π (a, b centred ranks), which is
 * ρ up to a positive constant. Heap's algorithm visits each permutation with one swap.
 */
function permutationTails(rx: Float64Array, ry: Float64Array): { lower: number; upper: number; twoSided: number } {
  const n = rx.length;
  const mean = (n + 1) / 2;
  const a = rx.map((r) => r - mean);
  const b = ry.map((r) => r - mean);
  let observed = 0;
  for (let i = 0; i < n; i++) observed += a[i]! * b[i]!;
  // Ranks are multiples of ½, so S is a multiple of ¼: a tolerance of 1e-9 decides ties safely.
  const tol = 1e-9;
  const perm = Float64Array.from(b);
  const c = new Int32Array(n);
  let total = 0;
  let lower = 0;
  let upper = 0;
  let two = 0;
  const visit = (): void => {
    let s = 0;
    for (let i = 0; i < n; i++) s += a[i]! * perm[i]!;
    total++;
    if (s <= observed + tol) lower++;
    if (s >= observed - tol) upper++;
    if (Math.abs(s) >= Math.abs(observed) - tol) two++;
  };
  visit();
  let i = 0;
  while (i < n) {
    if (c[i]! < i) {
      const j = i % 2 === 0 ? 0 : c[i]!;
      const tmp = perm[j]!;
      perm[j] = perm[i]!;
      perm[i] = tmp;
      visit();
      c[i]!++;
      i = 0;
    } else {
      c[i] = 0;
      i++;
    }
  }
  return { lower: lower / total, upper: upper / total, twoSided: two / total };
}
