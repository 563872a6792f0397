/**
 * The judging of depth-limits-learning-rate (see the spec's header for the decisions): from each
 * seed's largest stable learning rate at each depth, Spearman's ρ between the depth and the log of
 * that rate over seeds × depths (one-sided, ρ < 0, p < 0.05), whether the grid was wide enough
 * (every run became unstable somewhere on it), and how the first unstable rates failed (diverged
 * or collapsed), recorded.
 */
import type { StabilityResult } from '../src/probes/stability';
import { attempt, type Judgement, type JudgedCheck, type JudgedStatistic } from '../src/report/judged';
import { spearman } from '../src/stats/correlation';
import { median } from '../src/stats/moments';
import { isUndefined } from '../src/stats/types';

export const DEPTHS = [8, 20, 32, 56, 110];
/** The learning rates tried: 1e-3 … 10, 3 per decade (logGrid(1e-3, 10, 13)). */
export const GRID = Array.from({ length: 13 }, (_, i) => 10 ** (-3 + (4 * i) / 12));
/** A rate is stable when the net survives this many SGD steps (issue 11: 8 steps said little). */
export const STEPS = 50;
/** A run with no stable rate on the grid counts as one grid step below its smallest rate. */
export const BELOW_GRID = GRID[0]! / 10 ** (1 / 3);
/** The one-sided Spearman test's level. */
export const ALPHA = 0.05;

/** One seed's search at one depth. */
export interface StabilityRun {
  /** the largest rate found stable (null: even the grid's smallest was unstable) */
  largestStable: number | null;
  /** the smallest rate found unstable (null: none on the grid) */
  smallestUnstable: number | null;
  /** how the run at the smallest unstable rate failed (null: no unstable rate) */
  failure: 'diverged' | 'collapsed' | null;
}

/** Per depth, one run per seed (in seed order). */
export interface DepthRuns {
  depth: number;
  runs: StabilityRun[];
}

/** A probe's result as the judge reads it: the trial at the smallest unstable rate says how it failed. */
export function runOf(r: StabilityResult): StabilityRun {
  const first = r.trials.find((t) => t.lr === r.smallestUnstable);
  return {
    largestStable: r.largestStable,
    smallestUnstable: r.smallestUnstable,
    failure: first?.diverged ? 'diverged' : first?.collapsed ? 'collapsed' : null,
  };
}

/** The median, NaN where it does not exist (no values, or a non-finite one). */
const medianOrNaN = (v: number[]) => (v.length && v.every(Number.isFinite) ? median(v) : NaN);

export function judgeDepthLimits(byDepth: readonly DepthRuns[]): Judgement {
  const stats: JudgedStatistic[] = [];
  const checks: JudgedCheck[] = [];
  const xs: number[] = [];
  const ys: number[] = [];
  for (const { depth, runs } of byDepth)
    for (const r of runs) {
      xs.push(depth);
      ys.push(Math.log10(r.largestStable ?? BELOW_GRID));
    }
  const rho = attempt(() => spearman(xs, ys, { alternative: 'less' }));
  const all = byDepth.flatMap((d) => d.runs);
  const diverged = all.filter((r) => r.failure === 'diverged').length;
  const collapsed = all.filter((r) => r.failure === 'collapsed').length;

  stats.push(
    {
      name: 'first unstable rates that diverged (count over seeds × depths)',
      value: diverged,
      note: 'loss non-finite or above 100× its first value within the 50 steps',
    },
    {
      name: 'first unstable rates that collapsed (count over seeds × depths)',
      value: collapsed,
      note: 'survived the 50 steps with logits identical for every input (every ReLU feeding the classifier dead)',
    },
  );
  for (const { depth, runs } of byDepth) {
    const d = runs.filter((r) => r.failure === 'diverged').length;
    const k = runs.filter((r) => r.failure === 'collapsed').length;
    stats.push({
      name: `ResNet-${depth}: first unstable rate diverged / collapsed (seeds)`,
      value: d,
      note: `${d} diverged, ${k} collapsed`,
      supporting: true,
    });
  }
  for (const { depth, runs } of byDepth)
    stats.push({
      name: `ResNet-${depth}: largest stable lr (median over seeds)`,
      value: medianOrNaN(runs.map((r) => r.largestStable ?? 0)),
      note: `first unstable: ${runs.map((r) => r.smallestUnstable?.toExponential(1) ?? 'none').join(', ')}`,
    });
  stats.push({
    name: 'Spearman ρ(depth, log largest stable lr)',
    value: isUndefined(rho) ? NaN : rho.statistic,
    ...(isUndefined(rho) ? { note: rho.undefined } : { p: rho.p }),
    paper: '< 0 (falls with depth)',
  });

  checks.push(
    {
      description: 'the grid is wide enough: every depth and seed becomes unstable (diverges or collapses) somewhere on it',
      passed: all.every((r) => r.smallestUnstable !== null),
    },
    {
      description: `Spearman ρ(depth, log largest stable lr) < 0 with one-sided p < ${ALPHA}`,
      passed: !isUndefined(rho) && rho.statistic < 0 && rho.p < ALPHA,
      detail: isUndefined(rho) ? rho.undefined : `ρ = ${rho.statistic.toFixed(3)}, p = ${rho.p.toPrecision(3)}`,
    },
  );
  return { statistics: stats, checks, preconditions: {} };
}
