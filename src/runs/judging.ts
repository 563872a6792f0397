/**
 * What the four training claims' judging shares: per-seed preconditions that name the seeds that
 * fail them (a mean can hide a seed at chance), and the accuracies the claims compare.
 * Pure functions over run results: no training, no TensorFlow.
 */
import { binomialCriticalCount, binomialTest } from '../stats/binomial';
import { CONVERGED, describeOutcome } from './outcome';
import type { RunResult } from './protocol';

/** Final test accuracy per seed (the whole test split); a run without one (diverged) counts as `chance`. */
export function testAccuracies(runs: readonly RunResult[], chance = 0.1): number[] {
  return runs.map((r) => r.final.testAcc ?? chance);
}

/** "seed 3: did not learn (validation 0.11, test 0.10)" for each run that fails `ok`, or "" when none does. */
function failingSeeds(runs: readonly RunResult[], ok: (r: RunResult) => boolean, what: (r: RunResult) => string): string {
  return runs
    .filter((r) => !ok(r))
    .map((r) => `seed ${r.spec.seed}: ${what(r)}`)
    .join('; ');
}

/** Precondition: every seed converged, eval-mode accuracy on the un-augmented training images ≥ CONVERGED. */
export function everySeedConverged(runs: readonly RunResult[]): { met: boolean; detail: string } {
  const ok = (r: RunResult) => (r.final.trainEvalAcc ?? 0) >= CONVERGED;
  const bad = failingSeeds(runs, ok, (r) => `training accuracy ${r.final.trainEvalAcc?.toFixed(3) ?? 'n/a'} (${describeOutcome(r)})`);
  return {
    met: runs.length > 0 && bad === '',
    detail: bad || `all ${runs.length} ≥ ${CONVERGED} (${runs.map((r) => r.final.trainEvalAcc?.toFixed(3)).join(', ')})`,
  };
}

/** "0.781, 0.757, …" */
export const list = (xs: readonly number[], digits = 3): string => xs.map((x) => x.toFixed(digits)).join(', ');

/**
 * A precondition on a share of seeds fixed in advance ("in most seeds"), for where a failure of an
 * arm in some seeds is part of what is measured rather than a reason to stop: met when the exact
 * one-sided binomial test rejects "at most half of all seeds" at 0.05 (binomialCriticalCount of n
 * must pass: 5 of 5, 7 of 8, 9 of 10, 11 of 12); `kept` are the indices of the seeds that pass, the
 * others are named in the detail and left out of the statistic.
 */
export function mostSeeds<T>(
  items: readonly T[],
  ok: (x: T) => boolean,
  name: (x: T) => string,
): { met: boolean; kept: number[]; detail: string } {
  const kept = items.flatMap((x, i) => (ok(x) ? [i] : []));
  const n = items.length;
  const p = n > 0 ? binomialTest(kept.length, n, 0.5, 'greater') : 1;
  const left = items.filter((x) => !ok(x)).map(name);
  return {
    met: p < 0.05,
    kept,
    detail: `${kept.length} of ${n} (exact binomial p = ${p.toPrecision(3)}; ${binomialCriticalCount(n, 0.5)} needed)${left.length ? `; left out: ${left.join('; ')}` : ''}`,
  };
}
