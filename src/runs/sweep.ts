/**
 * The learning-rate sweep, the rates it picks (pickRates), and the runs of the four training
 * claims (CLAIM_RUNS): one list that both the training phase (what it trains) and the specs (what
 * they read) take their runs from.
 */
import { ARMS, Arm, TrainingScale, sweepSeed, trainingScale, trainingSeeds } from './scale';
import { RunRequest, RunResult, runSpec } from './protocol';
import { readRuns } from './cache';

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

/** The sweep's points from its runs (in sweepRequests' order), and the rates they pick. */
export function sweepFromRuns(runs: readonly RunResult[], S = trainingScale()): Sweep {
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

/** The sweep as the training phase ran it, read from the run cache. */
export function readSweep(dir?: string): Sweep {
  const S = trainingScale();
  return sweepFromRuns(readRuns(sweepRequests(S), dir), S);
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
 * The runs each training claim reads: named groups of (arm, rate), every seed, at the rates the
 * sweep picked. The training phase trains the union over the selected claims; a spec reads its
 * groups with readClaimRuns. A claim reads nothing where its spec stops at a precondition first:
 * a rate it needs is missing (null), or (small-lr-sharper-minima) BN's best rate is not above the
 * low rate.
 */
export const CLAIM_RUNS = {
  'high-lr-benefit': (r: Rates) => ({
    bnHigh: ['all', r.high],
    bnLow: ['all', r.low],
    noneHigh: ['none', r.high],
    noneLow: ['none', r.low],
  }),
  'low-lr-parity': (r: Rates) => ({ none: ['none', r.low], bn: ['all', r.low] }),
  'final-layer-bn-recovers-two-thirds': (r: Rates) => ({
    none: ['none', r.best.none],
    final: ['final', r.best.final],
    all: ['all', r.best.all],
  }),
  'small-lr-sharper-minima': (r: Rates) =>
    r.low !== null && r.high !== null && r.high > r.low
      ? { bnLow: ['all', r.low], bnHigh: ['all', r.high], noneLow: ['none', r.low] }
      : null,
} satisfies Record<string, (r: Rates) => Record<string, [Arm, number | null]> | null>;

export type TrainingClaimId = keyof typeof CLAIM_RUNS;
export const TRAINING_CLAIM_IDS = Object.keys(CLAIM_RUNS) as TrainingClaimId[];
export function isTrainingClaim(id: string): id is TrainingClaimId {
  return Object.hasOwn(CLAIM_RUNS, id);
}

/** A claim's groups of requests at these rates, or null when it reads nothing. */
function claimGroups(id: TrainingClaimId, rates: Rates, S: TrainingScale): Record<string, RunRequest[]> | null {
  const groups: Record<string, [Arm, number | null]> | null = CLAIM_RUNS[id](rates);
  if (!groups || Object.values(groups).some(([, lr]) => lr === null)) return null;
  return Object.fromEntries(Object.entries(groups).map(([g, [arm, lr]]) => [g, armRequests(arm, lr!, rates, S)]));
}

/** Every run a claim reads at these rates, flat. */
export function claimRequests(id: TrainingClaimId, rates: Rates, S = trainingScale()): RunRequest[] {
  return Object.values(claimGroups(id, rates, S) ?? {}).flat();
}

/** A claim's runs, in CLAIM_RUNS' groups, read from the run cache that the training phase filled. */
export function readClaimRuns<K extends TrainingClaimId>(id: K, rates: Rates, dir?: string) {
  const groups = claimGroups(id, rates, trainingScale());
  if (!groups)
    throw new Error(`${id} reads no runs at these rates (low ${rates.low}, high ${rates.high}): its spec stops at a precondition first`);
  type Group = keyof NonNullable<ReturnType<(typeof CLAIM_RUNS)[K]>>;
  return Object.fromEntries(Object.entries(groups).map(([g, reqs]) => [g, readRuns(reqs, dir)])) as Record<Group, RunResult[]>;
}
