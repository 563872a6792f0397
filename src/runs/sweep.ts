/**
 * The learning-rate sweep, the rates it picks (pickRates), and the runs of the four training
 * claims (CLAIM_RUNS): one list that both the training phase (what it trains) and the specs (what
 * they read) take their runs from.
 *
 * The sweep: every arm at every grid rate, at `sweep.seeds` seeds of its own (never claim seeds),
 * under the claims' own protocol (the plateau rule and its cap; a diverged or collapsed run ends
 * where it fails). The rates, chosen the way the paper chose them (Fig. 1: the unnormalised net
 * at a small rate it can train at, BN at a rate the unnormalised net cannot use and at which BN
 * trains best), from the runs' outcomes (outcome.ts) and validation accuracy, never test accuracy:
 *   - low  = the largest grid rate at which the unnormalised net learns in every sweep seed, with a
 *            grid step to spare: it learns at the next grid rate up too, so the low rate is not
 *            one that goes either way from seed to seed;
 *   - high = the smallest grid rate at which the unnormalised net fails (diverges, collapses or
 *            stays at chance) in every sweep seed, and at which BN learns in every sweep seed and
 *            trains as well as at its best within the sweep's own noise: BN's mean validation
 *            accuracy there is within 2 standard errors of a difference of two means
 *            (2·s·√(2/k), s the spread between sweep seeds pooled over the rates at which BN
 *            learned, k seeds) of its best rate's. Until 2026-12-07 (version 1) the unnormalised
 *            net also had to fail one grid step lower, a margin on its side: that picked 0.3 at
 *            `full`, where BN itself failed in 4 of 16 claim seeds of the confirmatory runs; the
 *            smallest rate the unnormalised net cannot use is the one BN is most reliable at, and
 *            the claims' own binomial test ("fails in most seeds") absorbs a seed in which the
 *            unnormalised net survives it (docs/full-profile.md);
 *   - bestFinal = the rate of highest mean validation accuracy at which BN on the final layer only
 *            learns in every sweep seed, with a grid step to spare (the recovery claim trains each
 *            arm at its own best: the unnormalised net at low, BN at high).
 */
import { BnPlacement } from '../nets/types';
import { sweepSeeds, trainingScale, trainingSeeds, type TrainingScale } from '../profile';
import { RunRequest, RunResult, runSpec } from './protocol';
import { readRuns } from './cache';
import { outcome, type Outcome } from './outcome';

// ---------------------------------------------------------------------------------------------
// The sweep and the rates it picks

export interface SweepPoint {
  arm: BnPlacement;
  lr: number;
  seed: number;
  outcome: Outcome;
  valAcc: number | null;
  steps: number;
}

export interface Rates {
  low: number | null;
  high: number | null;
  bestFinal: number | null;
  /** why a rate is null, for the record */
  why: { low?: string; high?: string; bestFinal?: string };
}

export interface Sweep extends Rates {
  grid: number[];
  seeds: number[];
  points: SweepPoint[];
  /** BN's noise band: its best rate, that rate's mean validation accuracy and the band's width (2 SE of a difference) */
  bnBand: { best: number; mean: number; width: number } | null;
}

/** The sweep's runs: every arm at every grid rate and sweep seed. */
export function sweepRequests(S = trainingScale()): RunRequest[] {
  return BnPlacement.options.flatMap((arm) =>
    S.sweep.grid.flatMap((lr) => sweepSeeds(S).map((seed) => ({ spec: runSpec(arm, lr, seed, { S }) }))),
  );
}

const meanOf = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The rates the protocol picks from sweep points (rules in the header of this file). */
export function pickRates(grid: readonly number[], points: readonly SweepPoint[]): Rates & { bnBand: Sweep['bnBand'] } {
  const g = [...new Set(grid)].sort((a, b) => a - b);
  const at = (arm: BnPlacement, lr: number) => points.filter((p) => p.arm === arm && p.lr === lr);
  const every = (arm: BnPlacement, lr: number | undefined, o: (x: Outcome) => boolean) => {
    if (lr === undefined) return false;
    const ps = at(arm, lr);
    return ps.length > 0 && ps.every((p) => o(p.outcome));
  };
  const learns = (arm: BnPlacement, lr: number | undefined) => every(arm, lr, (o) => o === 'learned');
  const fails = (arm: BnPlacement, lr: number | undefined) => every(arm, lr, (o) => o !== 'learned');
  const meanVal = (arm: BnPlacement, lr: number) => meanOf(at(arm, lr).map((p) => p.valAcc ?? 0));
  const why: Rates['why'] = {};

  const withMargin = (arm: BnPlacement) => g.filter((lr, i) => learns(arm, lr) && learns(arm, g[i + 1]));
  const lowCandidates = withMargin('none');
  const low = lowCandidates.at(-1) ?? null;
  if (low === null) why.low = 'the unnormalised net learns at no grid rate, in every sweep seed, with a grid step to spare';

  // BN's noise band
  let bnBand: Sweep['bnBand'] = null;
  const bnLearned = g.filter((lr) => learns('all', lr));
  if (bnLearned.length) {
    const best = bnLearned.reduce((b, lr) => (meanVal('all', lr) > meanVal('all', b) ? lr : b));
    let ss = 0;
    let df = 0;
    for (const lr of bnLearned) {
      const v = at('all', lr).map((p) => p.valAcc!);
      const m = meanOf(v);
      ss += v.reduce((a, x) => a + (x - m) ** 2, 0);
      df += v.length - 1;
    }
    const k = at('all', best).length;
    const sd = df > 0 ? Math.sqrt(ss / df) : 0;
    bnBand = { best, mean: meanVal('all', best), width: 2 * sd * Math.sqrt(2 / k) };
  }
  let high: number | null = null;
  for (const lr of g) {
    // above the low rate (a failure below it would be noise in a sweep, not the paper's contrast)
    if ((low !== null && lr <= low) || !fails('none', lr)) continue;
    if (bnBand && learns('all', lr) && meanVal('all', lr) >= bnBand.mean - bnBand.width) {
      high = lr;
      break;
    }
  }
  if (high === null)
    why.high = bnBand
      ? 'no grid rate at which the unnormalised net fails in every sweep seed is one at which BN learns in every sweep seed within its noise band of its best'
      : 'BN learns at no grid rate in every sweep seed';

  const finals = withMargin('final');
  const bestFinal = finals.length ? finals.reduce((b, lr) => (meanVal('final', lr) > meanVal('final', b) ? lr : b)) : null;
  if (bestFinal === null) why.bestFinal = 'BN on the final layer learns at no grid rate, in every sweep seed, with a grid step to spare';
  return { low, high, bestFinal, why, bnBand };
}

/** The sweep's points from its runs, and the rates they pick. */
export function sweepFromRuns(runs: readonly RunResult[], S = trainingScale()): Sweep {
  const points: SweepPoint[] = runs.map((r) => ({
    arm: r.spec.arm,
    lr: r.spec.lr,
    seed: r.spec.seed,
    outcome: outcome(r),
    valAcc: r.final.valAcc,
    steps: r.steps,
  }));
  return { grid: [...S.sweep.grid], seeds: sweepSeeds(S), points, ...pickRates(S.sweep.grid, points) };
}

/** The sweep as the training phase ran it, read from the run cache. */
export function readSweep(dir?: string): Sweep {
  const S = trainingScale();
  return sweepFromRuns(readRuns(sweepRequests(S), dir), S);
}

/** The claims' rates: the profile's, fixed in advance (TrainingScale.rates), or its own sweep's, read from the run cache. */
export function claimRates(dir?: string, S = trainingScale()): Rates & { sweep?: Sweep } {
  if (S.rates) return { low: S.rates.low, high: S.rates.high, bestFinal: S.rates.bestFinal, why: {} };
  const sweep = readSweep(dir);
  return { ...sweep, sweep };
}

/** The sweep as named statistics for a claim's record: every (arm, rate) and the rates picked. */
export function sweepStatistics(sw: Sweep): { name: string; value: number; note?: string; paper?: string }[] {
  const out: { name: string; value: number; note?: string; paper?: string }[] = [];
  for (const arm of BnPlacement.options)
    for (const lr of sw.grid) {
      const ps = sw.points.filter((p) => p.arm === arm && p.lr === lr);
      if (!ps.length) continue;
      const vals = ps.map((p) => p.valAcc ?? NaN);
      out.push({
        name: `sweep ${arm} lr=${lr}: validation accuracy (mean of ${ps.length} seeds)`,
        value: meanOf(vals),
        note: ps.map((p) => `seed ${p.seed}: ${p.outcome}${p.valAcc !== null ? ` ${p.valAcc.toFixed(3)}` : ''}`).join('; '),
      });
    }
  const rate = (name: string, v: number | null, why?: string, paper?: string) =>
    out.push({ name, value: v ?? NaN, ...(v === null ? { note: why ?? 'no rate met the rule' } : {}), ...(paper ? { paper } : {}) });
  rate('low rate (the largest at which the unnormalised net learns, with a grid step to spare)', sw.low, sw.why.low, '1e-4');
  rate('high rate (where the unnormalised net fails and BN learns within noise of its best)', sw.high, sw.why.high, '0.1');
  rate('best rate of BN on the final layer only', sw.bestFinal, sw.why.bestFinal);
  if (sw.bnBand)
    out.push({
      name: "BN's noise band in the sweep (2 SE of a difference of means)",
      value: sw.bnBand.width,
      note: `best rate ${sw.bnBand.best}, mean validation accuracy ${sw.bnBand.mean.toFixed(3)}`,
    });
  return out;
}

/** One line per arm: the rates and what happened, for progress logs. */
export function sweepSummary(sw: Sweep): string {
  const short: Record<Outcome, string> = { learned: '', 'did not learn': 'chance', collapsed: 'coll', diverged: 'div' };
  const fmt = (lr: number, ps: SweepPoint[]) =>
    `${lr}:${ps.map((p) => (p.outcome === 'learned' ? (p.valAcc ?? NaN).toFixed(3) : short[p.outcome])).join('/')}`;
  return (
    BnPlacement.options
      .map(
        (arm) =>
          `${arm} [${sw.grid
            .map((lr) =>
              fmt(
                lr,
                sw.points.filter((p) => p.arm === arm && p.lr === lr),
              ),
            )
            .join(' ')}]`,
      )
      .join('; ') + ` → low ${sw.low}, high ${sw.high}, best final ${sw.bestFinal}`
  );
}

// ---------------------------------------------------------------------------------------------
// The runs of the four training claims

/** The protocol's request for arm at lr, at each of `seeds`, measuring sharpness when asked (small-lr-sharper-minima's BN runs). */
export function armRequests(arm: BnPlacement, lr: number, S = trainingScale(), seeds = trainingSeeds(S), sharpness = false): RunRequest[] {
  return seeds.map((seed) => ({ spec: runSpec(arm, lr, seed, { S }), ...(sharpness ? { sharpness: S.sharpness } : {}) }));
}

/** The claim whose BN runs measure sharpness; another claim reading the same run gets it with the sharpness (planRuns, readRuns). */
const SHARPNESS_CLAIM = 'small-lr-sharper-minima';

/**
 * The runs each training claim reads: named groups of (arm, rate), at the claim's seeds
 * (trainingSeeds(S, id): its own count where its power calculation asks for another), at the rates. The training phase trains the union over the selected claims; a spec reads its
 * groups with readClaimRuns. A claim reads nothing where a rate it needs is missing (null): its
 * spec stops at that precondition first.
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
    none: ['none', r.low],
    final: ['final', r.bestFinal],
    all: ['all', r.high],
  }),
  'small-lr-sharper-minima': (r: Rates) => ({ bnLow: ['all', r.low], bnHigh: ['all', r.high], noneLow: ['none', r.low] }),
} satisfies Record<string, (r: Rates) => Record<string, [BnPlacement, number | null]>>;

export type TrainingClaimId = keyof typeof CLAIM_RUNS;
export const TRAINING_CLAIM_IDS = Object.keys(CLAIM_RUNS) as TrainingClaimId[];
export function isTrainingClaim(id: string): id is TrainingClaimId {
  return Object.hasOwn(CLAIM_RUNS, id);
}

/** A claim's groups of requests at these rates, or null when it reads nothing. */
function claimGroups(id: TrainingClaimId, rates: Rates, S: TrainingScale): Record<string, RunRequest[]> | null {
  const groups: Record<string, [BnPlacement, number | null]> = CLAIM_RUNS[id](rates);
  if (Object.values(groups).some(([, lr]) => lr === null)) return null;
  const seeds = trainingSeeds(S, id);
  const sharp = (arm: BnPlacement) => id === SHARPNESS_CLAIM && arm === 'all';
  return Object.fromEntries(Object.entries(groups).map(([g, [arm, lr]]) => [g, armRequests(arm, lr!, S, seeds, sharp(arm))]));
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
  type Group = keyof ReturnType<(typeof CLAIM_RUNS)[K]>;
  return Object.fromEntries(Object.entries(groups).map(([g, reqs]) => [g, readRuns(reqs, dir)])) as Record<Group, RunResult[]>;
}
