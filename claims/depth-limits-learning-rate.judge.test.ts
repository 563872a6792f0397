import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StabilityResult } from '../src/probes/stability';
import { BELOW_GRID, DEPTHS, GRID, judgeDepthLimits, runOf, type DepthRuns, type StabilityRun } from './depth-limits-learning-rate.judge';

/** A run whose largest stable rate is GRID[i] (i < 0: none on the grid) and whose next grid rate failed as `failure`. */
const run = (i: number, failure: StabilityRun['failure'] = 'diverged'): StabilityRun => ({
  largestStable: i < 0 ? null : GRID[i]!,
  smallestUnstable: failure === null ? null : GRID[i + 1]!,
  failure,
});
/** rows[seed][depth index]: the grid index of the largest stable rate. */
const input = (rows: number[][], failure: (seed: number, d: number) => StabilityRun['failure'] = () => 'diverged'): DepthRuns[] =>
  DEPTHS.map((depth, d) => ({ depth, runs: rows.map((row, s) => run(row[d]!, failure(s, d))) }));
const failing = (i: DepthRuns[]) =>
  judgeDepthLimits(i)
    .checks.filter((c) => !c.passed)
    .map((c) => c.description.split(':')[0]);
const stat = (i: DepthRuns[], prefix: string) => judgeDepthLimits(i).statistics.find((s) => s.name.startsWith(prefix))!;
/** Grid indices that fall by two per depth, with a jitter of one: deeper nets always take smaller rates. */
const falling = fc.array(fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 5, maxLength: 5 }), { minLength: 1, maxLength: 8 });

describe('depth-limits-learning-rate judge', () => {
  it('holds when the largest stable rate falls with depth in every seed', () => {
    fc.assert(
      fc.property(falling, (jitter) => {
        const i = input(jitter.map((row) => row.map((j, d) => 10 - 2 * d + j)));
        expect(failing(i)).toEqual([]);
        expect(stat(i, 'Spearman').value).toBeLessThan(0);
      }),
      { numRuns: 100 },
    );
  });

  it('fails when the rate does not fall with depth, and when a run never becomes unstable on the grid', () => {
    const flat = [
      [6, 7, 6, 7, 6],
      [7, 6, 7, 6, 7],
      [6, 6, 7, 7, 6],
    ];
    expect(failing(input(flat))).toEqual(['Spearman ρ(depth, log largest stable lr) < 0 with one-sided p < 0.05']);
    const rising = [0, 1, 2].map(() => [2, 4, 6, 8, 10]);
    expect(failing(input(rising))).toEqual(['Spearman ρ(depth, log largest stable lr) < 0 with one-sided p < 0.05']);
    // ResNet-8 in seed 0 stable up to the grid's end: the grid was not wide enough
    const fallingRows = [0, 1, 2].map((s) => [12, 8, 6, 4, 2 + (s % 2)]);
    expect(failing(input(fallingRows, (s, d) => (s === 0 && d === 0 ? null : 'diverged')))).toEqual(['the grid is wide enough']);
  });

  it('counts how the first unstable rates failed, overall and per depth, and records the medians', () => {
    const rows = [0, 1, 2].map(() => [10, 8, 6, 4, 2]);
    const j = judgeDepthLimits(input(rows, (s, d) => (d >= 3 && s < 2 ? 'collapsed' : 'diverged')));
    const byName = (prefix: string) => j.statistics.find((s) => s.name.startsWith(prefix))!;
    expect(byName('first unstable rates that diverged').value).toBe(11);
    expect(byName('first unstable rates that collapsed').value).toBe(4);
    expect(byName('ResNet-56: first unstable rate')).toMatchObject({ value: 1, note: '1 diverged, 2 collapsed', supporting: true });
    expect(byName('ResNet-8: first unstable rate')).toMatchObject({ value: 3, note: '3 diverged, 0 collapsed', supporting: true });
    expect(byName('ResNet-110: largest stable lr').value).toBe(GRID[2]);
    expect(byName('ResNet-110: largest stable lr').note).toBe(
      `first unstable: ${[0, 1, 2].map(() => GRID[3]!.toExponential(1)).join(', ')}`,
    );
    // the claim's own statistics first, the per-depth counts supporting them
    expect(j.statistics.filter((s) => !s.supporting).map((s) => s.name)).toEqual([
      'first unstable rates that diverged (count over seeds × depths)',
      'first unstable rates that collapsed (count over seeds × depths)',
      ...DEPTHS.map((d) => `ResNet-${d}: largest stable lr (median over seeds)`),
      'Spearman ρ(depth, log largest stable lr)',
    ]);
  });

  it('a net with no stable rate on the grid counts one grid step below it in ρ, and as 0 in the median', () => {
    expect(BELOW_GRID).toBeCloseTo(10 ** (-3 - 1 / 3), 15);
    const rows = [0, 1, 2].map(() => [8, 6, 4, 2, -1]);
    const i = input(rows);
    expect(failing(i)).toEqual([]);
    expect(stat(i, 'ResNet-110: largest stable lr').value).toBe(0);
  });

  it('degenerate input gives a failing verdict that says why, not a crash: one rate everywhere, too few runs, a non-finite rate', () => {
    const same = input([0, 1, 2].map(() => [5, 5, 5, 5, 5]));
    expect(failing(same)).toEqual(['Spearman ρ(depth, log largest stable lr) < 0 with one-sided p < 0.05']);
    expect(stat(same, 'Spearman').value).toBeNaN();
    expect(stat(same, 'Spearman').note).toMatch(/^undefined, because .*constant/);
    expect(judgeDepthLimits(same).checks[1]!.detail).toMatch(/^undefined, because/);

    const few: DepthRuns[] = [
      { depth: 8, runs: [run(5)] },
      { depth: 110, runs: [run(2)] },
    ];
    expect(failing(few)).toEqual(['Spearman ρ(depth, log largest stable lr) < 0 with one-sided p < 0.05']);
    expect(judgeDepthLimits([]).checks.map((c) => c.passed)).toEqual([true, false]);

    const nan = input([0, 1, 2].map(() => [10, 8, 6, 4, 2]));
    nan[4]!.runs[0] = { largestStable: NaN, smallestUnstable: GRID[1]!, failure: 'diverged' };
    expect(failing(nan)).toEqual(['Spearman ρ(depth, log largest stable lr) < 0 with one-sided p < 0.05']);
    expect(stat(nan, 'ResNet-110: largest stable lr').value).toBeNaN();
  });

  it('reads a probe result: the trial at the smallest unstable rate says whether it diverged or collapsed', () => {
    const trial = (lr: number, diverged: boolean, collapsed: boolean) => ({
      lr,
      diverged,
      divergedAt: diverged ? 3 : null,
      collapsed,
      finalLoss: 2.3,
    });
    const result = (smallestUnstable: number | null, trials: StabilityResult['trials']): StabilityResult => ({
      largestStable: 0.01,
      smallestUnstable,
      trials,
    });
    const trials = [trial(0.1, true, false), trial(0.01, false, false), trial(0.0316, false, true)];
    expect(runOf(result(0.1, trials))).toEqual({ largestStable: 0.01, smallestUnstable: 0.1, failure: 'diverged' });
    expect(runOf(result(0.0316, trials))).toEqual({ largestStable: 0.01, smallestUnstable: 0.0316, failure: 'collapsed' });
    expect(runOf(result(null, trials.slice(1, 2)))).toEqual({ largestStable: 0.01, smallestUnstable: null, failure: null });
  });

  it('does not depend on the order of the seeds', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: -1, max: 11 }), { minLength: 5, maxLength: 5 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.constantFrom<StabilityRun['failure']>('diverged', 'collapsed'), { minLength: 30, maxLength: 30 }),
        (rows, how) => {
          const order = rows.map((_, s) => s).reverse();
          const a = judgeDepthLimits(input(rows, (s, d) => how[s * 5 + d]!));
          const b = judgeDepthLimits(
            input(
              order.map((s) => rows[s]!),
              (s, d) => how[order[s]! * 5 + d]!,
            ),
          );
          expect(b.checks.map((c) => c.passed)).toEqual(a.checks.map((c) => c.passed));
          b.statistics.forEach((s, k) => {
            expect(s.name).toBe(a.statistics[k]!.name);
            if (Number.isNaN(a.statistics[k]!.value)) expect(s.value).toBeNaN();
            else expect(s.value).toBeCloseTo(a.statistics[k]!.value, 12);
          });
        },
      ),
      { numRuns: 100 },
    );
  });
});
