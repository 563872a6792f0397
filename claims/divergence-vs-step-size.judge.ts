/**
 * The judging of divergence-vs-step-size (see the spec's header for the decisions and their
 * sources): per probed mini-batch a verdict from population statistics over seeds (the median
 * largest relative loss with BN up to 0.1, a paired t bound on log10(α*_BN / α*_noBN); the median
 * α* without BN beside the paper's 1e-2, recorded); the claim holds when every mini-batch does. Beside it, the
 * pre-registered discriminating experiment (a classifier initialised at zero) and the diagnostics
 * of where each net stands before the step, recorded without being asserted.
 */
import type { TrainingScan } from '../src/probes/training-scan';
import { fmt, type Judgement, type JudgedCheck, type JudgedStatistic } from '../src/report/judged';
import { equivalenceOfMean, meanBound } from '../src/stats/t-test';
import { isUndefined } from '../src/stats/types';

export const PROBED_BATCHES = [1, 4, 7];
export const TRAIN_LR = 1e-4;
export const SGD = { momentum: 0.9, weightDecay: 5e-4 };
/** One step of size α ∈ [1e-5, 1], 3 per decade (logGrid(1e-5, 1, 16)). */
export const ALPHAS = Array.from({ length: 16 }, (_, i) => 10 ** (-5 + i / 3));
/** Relative loss above this is divergence (the paper's). */
export const DIVERGENCE_THRESHOLD = 1e3;
/** Without BN the loss has exploded by this step size in Fig. 2 (recorded beside the median α*). */
export const NO_BN_ALPHA_MAX = 1e-2;
/** With BN the loss barely moves up to this step size in Fig. 2. */
export const BN_ALPHA = 0.1;
/** α*_BN / α*_noBN at least 10: one decade. */
export const RATIO_DECADES = 1;
/** The discriminating experiment: α* at mini-batches 4 and 7 within this many decades of mini-batch 1's. */
export const NEAR_DECADES = 0.5;

/** The nets: without BN, with BN, and without BN with its classifier initialised at zero. */
export const ARMS = ['none', 'all', 'zero'] as const;
export type Arm = (typeof ARMS)[number];
const ARM_NAME: Record<Arm, string> = { none: 'without BN', all: 'with BN', zero: 'without BN, classifier at zero' };

/** One net at one probed mini-batch. */
export interface Cell {
  /** the smallest α whose relative loss exceeds 1e3 (or is not finite); null: none in the grid */
  alphaStar: number | null;
  /** relative loss per α of ALPHAS (Infinity where not finite) */
  relative: number[];
  loss0: number;
  gradNorm: number;
  deadShare: number;
  pooledNorm: number;
}

export interface DivergenceSeed {
  seed: number;
  /** per arm, one cell per probed mini-batch (the zero-classifier arm may be absent) */
  arms: Record<'none' | 'all', Cell[]> & { zero?: Cell[] };
}

export function cellsOf(r: TrainingScan): Cell[] {
  return r.scans.map((s, i) => ({
    alphaStar: s.alphaStar,
    relative: s.relative,
    loss0: s.loss0,
    gradNorm: s.gradNorm,
    deadShare: r.pooled[i]!.deadShare,
    pooledNorm: r.pooled[i]!.meanNorm,
  }));
}

/** An α* beyond the grid counts as one grid step past its end (for BN a lower bound of α*). */
export const BEYOND_GRID = ALPHAS.at(-1)! * (ALPHAS[1]! / ALPHAS[0]!);
const capped = (a: number | null) => (a === null ? BEYOND_GRID : a);
/** log10(α*_BN / α*_noBN) with the grid's censoring: both beyond the grid gives 0 (no evidence of a gap). */
export function logRatio(bn: number | null, none: number | null): number {
  return Math.log10(capped(bn) / capped(none));
}
/** The median with +Infinity allowed (a net that does not diverge in the grid). */
export function medianOf(values: readonly number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const n = v.length;
  if (n === 0) return NaN;
  return n % 2 ? v[(n - 1) / 2]! : (v[n / 2 - 1]! + v[n / 2]!) / 2;
}
/** The largest relative loss at α ≤ `upTo` (Infinity for a non-finite loss). */
export function largestRelative(cell: Cell, upTo: number): number {
  return Math.max(...cell.relative.filter((_, i) => ALPHAS[i]! <= upTo * (1 + 1e-9)));
}

const star = (a: number | null) => (a === null ? 'none' : fmt(a, 2));
const arithmeticMean = (v: number[]) => {
  const f = v.filter(Number.isFinite);
  return f.length ? f.reduce((a, b) => a + b, 0) / f.length : NaN;
};

export function judgeDivergence(seeds: readonly DivergenceSeed[]): Judgement {
  const stats: JudgedStatistic[] = [];
  const checks: JudgedCheck[] = [];
  const holding: number[] = [];
  PROBED_BATCHES.forEach((k, j) => {
    const none = seeds.map((s) => s.arms.none[j]!.alphaStar);
    const bn = seeds.map((s) => s.arms.all[j]!);
    const medNone = medianOf(none.map((a) => a ?? Infinity));
    const bnLargest = bn.map((c) => largestRelative(c, BN_ALPHA));
    const medBn = medianOf(bnLargest);
    const r = seeds.map((s) => logRatio(s.arms.all[j]!.alphaStar, s.arms.none[j]!.alphaStar));
    const b = meanBound(r, { side: 'lower', mu: RATIO_DECADES });

    stats.push({
      name: `mini-batch ${k}: α* without BN (median over seeds; Infinity = none in the grid)`,
      value: medNone,
      paper: '≈ 2e-3 – 4e-3 (relative loss 1e3)',
      note: `recorded beside the paper's number (≤ ${NO_BN_ALPHA_MAX}: ${medNone <= NO_BN_ALPHA_MAX * (1 + 1e-9) ? 'yes' : 'no'}), not asserted: at mini-batch 1 it sat on that threshold in calibration (docs/probe-claims.md); per seed ${none.map(star).join(', ')}`,
    });
    stats.push({
      name: `mini-batch ${k}: largest relative loss with BN for α ≤ ${BN_ALPHA} (median over seeds)`,
      value: medBn,
      paper: '≤ 10^0.5 ≈ 3.2',
      note: `per seed ${bnLargest.map((v) => fmt(v)).join(', ')}; α* with BN ${bn.map((c) => star(c.alphaStar)).join(', ')}`,
    });
    stats.push({
      name: `mini-batch ${k}: log10(α*_BN / α*_noBN) (mean over seeds, paired)`,
      value: isUndefined(b) ? NaN : b.estimate,
      ...(isUndefined(b) ? {} : { p: b.p }),
      paper: '≥ 1 (no BN diverges by 1e-2, BN not by 1e-1)',
      note: `${isUndefined(b) ? b.undefined : `one-sided 95 % lower confidence bound ${fmt(b.bound)}; p of mean ≤ ${RATIO_DECADES}`}; per seed ${r.map((v) => fmt(v)).join(', ')}; none in the grid counted as ${fmt(BEYOND_GRID)}`,
    });
    const bOk = medBn < DIVERGENCE_THRESHOLD;
    const c = !isUndefined(b) && b.bound > RATIO_DECADES;
    checks.push(
      {
        description: `mini-batch ${k}: with BN the loss barely moves up to α = ${BN_ALPHA}: median largest relative loss below ${DIVERGENCE_THRESHOLD}`,
        passed: bOk,
        detail: `median ${fmt(medBn)}`,
      },
      {
        description: `mini-batch ${k}: without BN the loss explodes at step sizes where BN's does not, α*_BN / α*_noBN ≥ 10: paired one-sided 95 % lower confidence bound of mean log10 ratio above ${RATIO_DECADES}`,
        passed: c,
        detail: isUndefined(b) ? b.undefined : `mean ${fmt(b.estimate)}, bound ${fmt(b.bound)}, p = ${fmt(b.p)}`,
      },
    );
    if (bOk && c) holding.push(k);
  });
  stats.push({
    name: 'mini-batches where the claim holds (of 3)',
    value: holding.length,
    note: PROBED_BATCHES.map((k) => `mini-batch ${k}: ${holding.includes(k) ? 'holds' : 'fails'}`).join('; '),
  });

  // The discriminating experiment (pre-registered; supporting): does α* stay near mini-batch 1's?
  for (const arm of ['zero', 'none'] as const) {
    if (arm === 'zero' && seeds.some((s) => !s.arms.zero)) continue;
    const cells = seeds.map((s) => s.arms[arm]!);
    const first = cells.map((c) => c[0]!.alphaStar);
    const med1 = medianOf(first.map((a) => a ?? Infinity));
    stats.push({
      name: `${ARM_NAME[arm]}: α* at mini-batch 1 (median over seeds; Infinity = none in the grid)`,
      value: med1,
      note: `per seed ${first.map(star).join(', ')}; the comparison informs only when this is inside the grid`,
      supporting: true,
    });
    PROBED_BATCHES.slice(1).forEach((k, i) => {
      const q = cells.map((c) => Math.log10(capped(c[i + 1]!.alphaStar) / capped(c[0]!.alphaStar)));
      const e = equivalenceOfMean(q, -NEAR_DECADES, NEAR_DECADES);
      stats.push({
        name: `${ARM_NAME[arm]}: log10(α* at mini-batch ${k} / α* at mini-batch 1) (mean over seeds)`,
        value: isUndefined(e) ? NaN : e.estimate,
        ...(isUndefined(e) ? {} : { ci: e.ci }),
        paper: `prediction if the reset explains the non-replication: ${arm === 'zero' ? `within ±${NEAR_DECADES} (TOST)` : 'above +0.5 (the reset)'}`,
        note: `${isUndefined(e) ? e.undefined : `90 % t-interval; within ±${NEAR_DECADES} decade (TOST at 5 %): ${e.equivalent ? 'yes' : 'no'}`}; per seed ${q.map((v) => fmt(v)).join(', ')}; α* ${cells.map((c) => star(c[i + 1]!.alphaStar)).join(', ')}`,
        supporting: true,
      });
    });
  }

  // Where each net stands before the step (the reset's diagnostics), mean over seeds
  for (const arm of ARMS) {
    if (seeds.some((s) => !s.arms[arm])) continue;
    PROBED_BATCHES.forEach((k, j) => {
      const cells = seeds.map((s) => s.arms[arm]![j]!);
      const row: [string, (c: Cell) => number][] = [
        ['loss before the step', (c) => c.loss0],
        ['gradient norm', (c) => c.gradNorm],
        ['dead pooled features (share)', (c) => c.deadShare],
        ['pooled-feature norm', (c) => c.pooledNorm],
      ];
      for (const [what, f] of row)
        stats.push({
          name: `${what}, ${ARM_NAME[arm]}, mini-batch ${k} (mean over seeds)`,
          value: arithmeticMean(cells.map(f)),
          supporting: true,
        });
    });
  }
  return { statistics: stats, checks, preconditions: {} };
}
