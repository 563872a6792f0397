/** The training claims' scale per profile and their seeds (their data: compute.ts). */
import { config, Profile } from '../config';
import { BnPlacement } from '../nets/types';
import { SWEEP_SEED_OFFSET } from '../config';
import type { PlateauSpec, SharpnessSpec } from './protocol';

// ---------------------------------------------------------------------------------------------
// Scale of the training claims, per profile

/** The training claims' arms are the BN placements (src/nets/types.ts). */
export type Arm = BnPlacement;
export const ARMS: readonly Arm[] = BnPlacement.options;
export const ARM_LABEL: Record<Arm, string> = { none: 'without BN', all: 'with BN', final: 'BN on the final layer only' };

export interface TrainingScale {
  depth: number;
  width: number;
  batch: number;
  /** images trained on */
  trainImages: number;
  /** held out from the training split: rates are picked, and "learned" judged, on them */
  validationImages: number;
  /** test images the curve is evaluated on during training (the final accuracy: the whole test split) */
  curveTestImages: number;
  /** epochs between evaluations of the curve */
  evaluateEvery: number;
  /** the rate cut when progress stalls, and the step cap (src/train/plateau.ts) */
  schedule: PlateauSpec;
  /** steps between collapse checks: a collapsed run ends there */
  collapseCheckEvery: number;
  /** seeds of each claim's runs (the default) */
  seeds: number;
  /** a training claim's own seed count, by its id, from its power calculation (its spec's header), where it differs from `seeds` */
  claimSeeds?: Readonly<Record<string, number>>;
  /** the rate sweep: every arm at every grid rate, at `seeds` seeds of its own (never claim seeds), the same protocol */
  sweep: { grid: number[]; seeds: number };
  /**
   * The claims' rates, fixed before the confirmatory runs by the sweep's own rules applied to a
   * calibration sweep on seeds of its own (docs/full-profile.md): then no sweep runs with the
   * claims, and the rates do not move with BN_SEED. Absent: the suite run's own sweep picks them.
   */
  rates?: { low: number; high: number; bestFinal: number; source: string };
  /** sharpness (filter-normalised curvature, src/probes/sharpness.ts) on `images` training images in batches of `batch`: see SharpnessSpec */
  sharpness: SharpnessSpec;
}

/**
 * The scale of each profile. Why these numbers, with the calibration behind them: docs/full-profile.md.
 * smoke: minutes on two cores; the training claims are inconclusive there (the unnormalised
 *   ResNet-56 does not leave its plateau at chance in a few hundred steps), and it runs every
 *   code path of the full protocol.
 * full: the CPU profile where the training claims conclude (docs/full-profile.md).
 * paper: ResNet-110 width 16 on CIFAR-10 (45,000 images trained on, 5,000 held out), batch 128,
 *   5 seeds, a half-decade grid holding the paper's 1e-4, 3e-3 and 0.1; the cap at the paper's
 *   160 epochs (56,000 steps).
 */
export const TRAINING_SCALES: Record<Profile, TrainingScale> = {
  smoke: {
    depth: 56,
    width: 4,
    batch: 64,
    trainImages: 2048,
    validationImages: 512,
    curveTestImages: 1000,
    evaluateEvery: 1,
    schedule: { factor: 0.1, window: 32, threshold: 0.02, patience: 2, minAccuracy: 0.2, maxSteps: 192 },
    collapseCheckEvery: 64,
    seeds: 3,
    sweep: { grid: [1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1], seeds: 1 },
    sharpness: { images: 256, batch: 64, directions: 8, epsilon: 0.05, matchedLoss: 1.0 },
  },
  full: {
    depth: 56,
    width: 4,
    batch: 64,
    trainImages: 512,
    validationImages: 512,
    curveTestImages: 2000,
    evaluateEvery: 16,
    schedule: { factor: 0.1, window: 128, threshold: 0.02, patience: 2, minAccuracy: 0.2, maxSteps: 4000 },
    collapseCheckEvery: 128,
    // from the power calculations on calibration seeds (docs/full-profile.md, each spec's header)
    seeds: 8,
    claimSeeds: { 'low-lr-parity': 16 },
    sweep: { grid: [1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3], seeds: 3 },
    rates: { low: 3e-3, high: 0.3, bestFinal: 3e-3, source: 'calibration sweep, seeds 9000-9002, 2026-12-07: docs/full-profile.md' },
    sharpness: { images: 256, batch: 64, directions: 8, epsilon: 0.05, matchedLoss: 0.6 },
  },
  paper: {
    depth: 110,
    width: 16,
    batch: 128,
    trainImages: 45_000,
    validationImages: 5_000,
    curveTestImages: 10_000,
    evaluateEvery: 1,
    schedule: { factor: 0.1, window: 352, threshold: 0.02, patience: 2, minAccuracy: 0.2, maxSteps: 56_320 },
    collapseCheckEvery: 352,
    seeds: 5,
    sweep: { grid: [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1], seeds: 2 },
    sharpness: { images: 1024, batch: 128, directions: 8, epsilon: 0.05, matchedLoss: 0.3 },
  },
};

/** The active profile's scale; BN_SEEDS, when set, overrides its number of seeds, every claim's. */
export function trainingScale(): TrainingScale {
  const s = TRAINING_SCALES[config().profile];
  const n = config().seeds;
  if (n === undefined) return s;
  const { claimSeeds: _, ...rest } = s;
  return { ...rest, seeds: n };
}

/**
 * The seeds: a claim's runs use BN_SEED, BN_SEED + 1, …; the sweep's, BN_SEED + SWEEP_SEED_OFFSET,
 * + 1, …, which no claim seed reaches (BN_SEEDS is at most SWEEP_SEED_OFFSET − 1: src/config.ts),
 * so rates are never picked on the runs that then test them.
 */
export function trainingSeeds(S = trainingScale(), claim?: string): number[] {
  const n = (claim === undefined ? undefined : S.claimSeeds?.[claim]) ?? S.seeds;
  return Array.from({ length: n }, (_, i) => config().seed + i);
}
export function sweepSeeds(S = trainingScale()): number[] {
  return Array.from({ length: S.sweep.seeds }, (_, i) => config().seed + SWEEP_SEED_OFFSET + i);
}
