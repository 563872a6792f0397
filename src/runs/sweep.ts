/** The learning-rate sweep, the rates it picks (pickRates), and the runs of the four training claims. */
import { ARMS, Arm, sweepSeed, trainingScale, trainingSeeds } from './scale';
import { RunRequest, RunResult, runKey, runSpec } from './protocol';
import { ObtainOptions, obtainRuns } from './cache';

// ---------------------------------------------------------------------------------------------
// The sweep and the rates it picks

export interface SweepPoint {
  arm: Arm;
  lr: number;
  diverged: boolean;
  divergedAt: number | null;
  collapsed: boolean;
  valAcc: number | null;
  testAcc: number | null;
}

export interface Rates {
  low: number | null;
  high: number | null;
  best: Record<Arm, number | null>;
}

export interface Sweep extends Rates {
  grid: number[];
  seed: number;
  epochs: number;
  points: SweepPoint[];
}

/** The sweep's runs (one per arm and grid rate, at the sweep seed). */
export function sweepRequests(S = trainingScale()): RunRequest[] {
  return ARMS.flatMap((arm) =>
    S.sweep.grid.map((lr) => ({ spec: runSpec(arm, lr, sweepSeed(), { epochs: S.sweep.epochs, S, evaluateEachEpoch: false }) })),
  );
}

/** The rates the protocol picks from sweep points (rules in the header of this file). */
export function pickRates(grid: readonly number[], points: readonly SweepPoint[]): Rates {
  const g = [...grid].sort((a, b) => a - b);
  const at = (arm: Arm, lr: number) => points.find((p) => p.arm === arm && p.lr === lr);
  const survived = (arm: Arm, lr: number) => {
    const p = at(arm, lr);
    return !!p && !p.diverged && !p.collapsed && p.valAcc !== null;
  };
  const argmaxAcc = (arm: Arm, lrs: number[]): number | null => {
    let best: number | null = null;
    let bestAcc = -Infinity;
    for (const lr of lrs) {
      const acc = at(arm, lr)?.valAcc ?? -Infinity;
      if (acc > bestAcc) {
        // strict: on a tie the smaller (safer) rate stays
        bestAcc = acc;
        best = lr;
      }
    }
    return best;
  };
  const best = {} as Record<Arm, number | null>;
  for (const arm of ARMS) {
    const withMargin = g.filter((lr, i) => survived(arm, lr) && i + 1 < g.length && survived(arm, g[i + 1]!));
    best[arm] = argmaxAcc(arm, withMargin);
  }
  return { low: best.none, high: best.all, best };
}

/** Run (or read) the sweep and pick the rates. */
export async function lrSweep(opts: Pick<ObtainOptions, 'whileWaiting' | 'log'> = {}): Promise<Sweep> {
  const S = trainingScale();
  const reqs = sweepRequests(S);
  const runs = await obtainRuns(reqs, opts);
  const points: SweepPoint[] = runs.map((r) => ({
    arm: r.spec.arm,
    lr: r.spec.lr,
    diverged: r.diverged !== null,
    divergedAt: r.diverged?.step ?? null,
    collapsed: r.collapsed,
    valAcc: r.final.valAcc,
    testAcc: r.final.testAcc,
  }));
  return { grid: [...S.sweep.grid], seed: sweepSeed(), epochs: S.sweep.epochs, points, ...pickRates(S.sweep.grid, points) };
}

/** The sweep as named statistics for a claim's record: every (arm, rate) and the rates picked. */
export function sweepStatistics(sw: Sweep): { name: string; value: number; note?: string; paper?: string }[] {
  const out: { name: string; value: number; note?: string; paper?: string }[] = [];
  for (const p of sw.points) {
    const name = `sweep ${p.arm} lr=${p.lr}: validation accuracy`;
    if (p.diverged) out.push({ name, value: NaN, note: `diverged at step ${p.divergedAt}` });
    else
      out.push({
        name,
        value: p.valAcc ?? NaN,
        ...(p.collapsed ? { note: 'collapsed: the trained net computes a constant function' } : {}),
      });
  }
  const rate = (name: string, v: number | null, paper?: string) =>
    out.push({ name, value: v ?? NaN, ...(v === null ? { note: 'no rate met the rule' } : {}), ...(paper ? { paper } : {}) });
  rate('low rate (best no-BN rate with a grid step to spare)', sw.low, '1e-4');
  rate("high rate (BN's best rate with a grid step to spare)", sw.high, '0.1');
  for (const arm of ARMS) rate(`best stable rate, ${arm}`, sw.best[arm]);
  return out;
}

/** One line per arm: the rates and what happened, for progress logs. */
export function sweepSummary(sw: Sweep): string {
  const fmt = (p: SweepPoint) => `${p.lr}:${p.diverged ? `div@${p.divergedAt}` : p.collapsed ? 'collapsed' : (p.valAcc ?? NaN).toFixed(3)}`;
  return (
    ARMS.map(
      (arm) =>
        `${arm} [${sw.points
          .filter((p) => p.arm === arm)
          .map(fmt)
          .join(' ')}]`,
    ).join('; ') + ` → low ${sw.low}, high ${sw.high}, best none/all/final ${sw.best.none}/${sw.best.all}/${sw.best.final}`
  );
}

// ---------------------------------------------------------------------------------------------
// The runs of the four training claims

/** Which runs measure sharpness at the end: BN at the low and at the high rate (small-lr-sharper-minima). */
export function wantsSharpness(arm: Arm, lr: number, rates: Rates): boolean {
  return arm === 'all' && (lr === rates.low || lr === rates.high);
}

/** The protocol's request for arm at lr, every seed (sharpness measured where `wantsSharpness` says). */
export function armRequests(arm: Arm, lr: number, rates: Rates, S = trainingScale()): RunRequest[] {
  return trainingSeeds(S).map((seed) => ({
    spec: runSpec(arm, lr, seed, { S }),
    ...(wantsSharpness(arm, lr, rates) ? { sharpness: S.sharpness } : {}),
  }));
}

/**
 * Every run the four training claims make, in the order worth computing them: the comparisons at
 * the low and high rates first, then each arm at its best rate. Handed to obtainRuns as
 * `whileWaiting`, so a worker waiting for a run helps with the others' runs.
 */
export function allTrainingRequests(rates: Rates, S = trainingScale()): RunRequest[] {
  const pairs: [Arm, number | null][] = [
    ['none', rates.low],
    ['all', rates.low],
    ['all', rates.high],
    ['none', rates.high],
    ['final', rates.best.final],
    ['all', rates.best.all],
    ['none', rates.best.none],
  ];
  const seen = new Set<string>();
  const out: RunRequest[] = [];
  for (const [arm, lr] of pairs) {
    if (lr === null) continue;
    for (const r of armRequests(arm, lr, rates, S)) {
      const k = runKey(r.spec);
      if (!seen.has(k)) {
        seen.add(k);
        out.push(r);
      }
    }
  }
  return out;
}

/** Runs of `arm` at `lr` over the seeds, computed cooperatively with the other training claims. */
export async function armRuns(arm: Arm, lr: number, rates: Rates, opts: Pick<ObtainOptions, 'log'> = {}): Promise<RunResult[]> {
  return obtainRuns(armRequests(arm, lr, rates), { ...opts, whileWaiting: allTrainingRequests(rates) });
}
