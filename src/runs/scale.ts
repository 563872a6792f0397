/** The training claims' scale per profile and their seeds (their data: compute.ts). */
import { config, Profile } from '../config';
import { BnPlacement } from '../nets/types';
import type { SharpnessSpec } from './protocol';

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
  /** held out from the training split, to pick rates on */
  validationImages: number;
  /** test images (undefined: the whole test split) */
  testImages?: number;
  epochs: number;
  /** test-set evaluations every this many epochs (and at the last); default 1 */
  evaluateEvery?: number;
  seeds: number;
  sweep: { grid: number[]; epochs: number };
  /** sharpness (filter-normalised curvature, src/probes/sharpness.ts) on `images` training images in batches of `batch`: see SharpnessSpec */
  sharpness: SharpnessSpec;
}

/**
 * smoke: ResNet-56 width 4 on 14x14 Fashion-MNIST, 6 epochs of 2,048 images (192 steps), 3 seeds,
 *   the sweep on 3-epoch runs: minutes on two cores (why this depth: claims/high-lr-benefit.spec.ts).
 * full: the CPU profile where the claims can conclude, chosen by a calibration on seeds 9000–9002
 *   (scripts/calibration/training-scale.ts; never claim seeds), 2026-12-02, wasm, with other jobs
 *   on the machine: ResNet-56 width 4 on 14x14 Fashion-MNIST, 1,024 images, 80 epochs (1,280
 *   steps, the cut at 640), test on 2,000 images every 8 epochs, 5 seeds, the sweep at full length.
 *   - Depth: without BN, ResNet-110 stays at ln 10 for 400+ steps at 3e-3 and 1e-2 and ResNet-80
 *     reaches 0.54 at 1e-2 in 640 steps; ResNet-56 learns (0.68–0.75 at 3e-3–1e-2 in 640 steps).
 *   - Calibration at this scale (test accuracy; seeds 9001, 9002):
 *       BN 0.03: 0.796, 0.791 (train 0.90, 0.91); BN 3e-3: 0.781, 0.770 (train 0.84, 0.82);
 *       no BN 3e-3: 0.718, 0.395 (the second sat at chance for ~500 steps); no BN 1e-2: 0.728,
 *       collapsed. At 640 steps (seed 9000): no BN survives 0.03 (0.68); BN 0.1: 0.77.
 *       Sharpness at training loss ≤ 0.6 (reached at epochs 22–30): BN 3e-3 21.1, 18.0; BN 0.03
 *       4.19, 5.81.
 *   - Seeds, from the power calculations in the specs' headers with this spread: BN high − low
 *     rate, paired sd 0.0042 against the paper's 2.5 points → n ≥ 2; log sharpness ratio, sd 0.35
 *     against log 2 → n ≥ 3; so 5. Parity and the recovery ratio are dominated by the unnormalised
 *     net's spread between seeds (sd 0.23: whether it leaves the plateau in time): parity's 90 %
 *     half-width under 2 points would take ~350 seeds. Neither arm converges (train accuracy
 *     0.75–0.91 against the 0.95 that parity needs): see README, *The full profile*.
 *   - matchedLoss 0.6: the training loss every calibration BN run reached before the end (epochs
 *     22–30 of 80, at both rates); the end-of-training losses differ (0.24 at 0.03, 0.46 at 3e-3).
 *   - The first full run (stopped for time after its sweep, seed 100): BN best at 1e-2 (validation
 *     0.801; 0.03 and 0.1 0.793), no BN 0.146 at 3e-3 and 0.371 at 1e-2, collapsed from 0.03. The
 *     unnormalised net leaves its plateau within 1,280 steps in some seeds only: at this length its
 *     "learned at the low rate" precondition is likely unmet (README, *The full profile*).
 *   - The baseline run (commit 7118149, after the one-RNG change; 51 min end to end on 2 quiet
 *     cores): BN best at 0.03 (validation 0.822), no BN collapsed from 0.03, so low 3e-3 and high
 *     0.03; the unnormalised net learned at 3e-3 in 3 of 5 claim seeds (mean 0.559: the precondition
 *     met by the mean, with two seeds at 0.144 and 0.402).
 * paper: ResNet-110 width 16 on CIFAR-10 (45,000 images trained on, 5,000 held out to pick rates),
 *   160 epochs (the cut at 80), 5 seeds, the sweep on 20-epoch runs over a half-decade grid that
 *   holds the paper's 1e-4, 3e-3 and 0.1.
 */
export const TRAINING_SCALES: Record<Profile, TrainingScale> = {
  smoke: {
    depth: 56,
    width: 4,
    batch: 64,
    trainImages: 2048,
    validationImages: 512,
    testImages: 1000,
    epochs: 6,
    seeds: 3,
    sweep: { grid: [1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1], epochs: 3 },
    sharpness: { images: 256, batch: 64, directions: 8, epsilon: 0.05, matchedLoss: 1.0 },
  },
  full: {
    depth: 56,
    width: 4,
    batch: 64,
    trainImages: 1024,
    validationImages: 512,
    testImages: 2000,
    epochs: 80,
    evaluateEvery: 8,
    seeds: 5,
    // the sweep at full length: in 320 steps the unnormalised net has not left its plateau at any
    // rate (measured: the first full run's sweep, every no-BN rate at ln 10 after 20 epochs), so a
    // shorter sweep would pick the low rate among nets at chance
    sweep: { grid: [1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1], epochs: 80 },
    sharpness: { images: 256, batch: 64, directions: 8, epsilon: 0.05, matchedLoss: 0.6 },
  },
  paper: {
    depth: 110,
    width: 16,
    batch: 128,
    trainImages: 45_000,
    validationImages: 5_000,
    epochs: 160,
    seeds: 5,
    sweep: { grid: [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1], epochs: 20 },
    sharpness: { images: 1024, batch: 128, directions: 8, epsilon: 0.05, matchedLoss: 0.3 },
  },
};

/** The active profile's scale; BN_SEEDS, when set, overrides its number of seeds. */
export function trainingScale(): TrainingScale {
  const s = TRAINING_SCALES[config().profile];
  const n = config().seeds;
  return n === undefined ? s : { ...s, seeds: n };
}

/** The seeds of the training claims' runs, and the sweep's own seed. */
export function trainingSeeds(S = trainingScale()): number[] {
  return Array.from({ length: S.seeds }, (_, i) => config().seed + i);
}
export const SWEEP_SEED_OFFSET = 100;
export function sweepSeed(): number {
  return config().seed + SWEEP_SEED_OFFSET;
}
