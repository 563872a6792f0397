/**
 * One training run: its spec (the cache key) and its result. Plain data, no TensorFlow: the
 * training phase in vitest's main process plans runs with it; compute.ts computes them.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { config, Profile } from '../config';
import { BnPlacement } from '../nets/types';
import { trainingScale, type SharpnessSpec, type TrainingScale } from '../profile';
import { PlateauSpec } from '../train/plateau';
import { DIVERGENCE_FACTOR, PAPER_SGD } from '../train/recipe';

// ---------------------------------------------------------------------------------------------
// A run: its config (the cache key), its result

export const RunSpec = z
  .object({
    arm: BnPlacement,
    lr: z.number().positive(),
    seed: z.number().int().nonnegative(),
    depth: z.number().int().positive(),
    width: z.number().int().positive(),
    init: z.literal('glorot'),
    batch: z.number().int().positive(),
    trainImages: z.number().int().positive(),
    validationImages: z.number().int().nonnegative(),
    /** test images the accuracy curve is evaluated on during training; the final accuracy is on the whole test split */
    curveTestImages: z.number().int().positive(),
    augment: z.boolean(),
    /** epochs between evaluations of the curve (and always the last) */
    evaluateEvery: z.number().int().positive(),
    momentum: z.number(),
    weightDecay: z.number(),
    /** the rate cut when progress stalls (src/train/plateau.ts), less the rate itself (`lr`) */
    schedule: PlateauSpec,
    /** steps between checks that the net has not collapsed (a collapsed run ends there: it cannot learn again) */
    collapseCheckEvery: z.number().int().positive(),
    divergenceFactor: z.number(),
    data: z.string(),
    /** BN_DATA_SEED: draws the training / validation / curve-test subsets (BN_SEED until version 5) */
    dataSeed: z.number().int().nonnegative(),
    profile: Profile,
    fault: z.string(),
  })
  .strict();
export type RunSpec = z.infer<typeof RunSpec>;

export interface RunRequest {
  spec: RunSpec;
  sharpness?: SharpnessSpec;
}

const num = z.number().nullable(); // JSON has no NaN / Infinity: stored as null

export const EpochStats = z.object({
  epoch: z.number().int(),
  step: z.number().int(),
  lr: z.number(),
  trainLoss: num,
  trainAcc: num,
  testAcc: num,
  testLoss: num,
});
export type EpochStats = z.infer<typeof EpochStats>;

/** How a run ended: the plateau rule's two ends, or a failure (a result, not a crash). */
export const RunEnd = z.enum(['stalled after the cut', 'step cap', 'collapsed', 'diverged']);
export type RunEnd = z.infer<typeof RunEnd>;

export const RunResult = z.object({
  key: z.string(),
  spec: RunSpec,
  end: RunEnd,
  diverged: z.object({ step: z.number().int(), loss: num, reason: z.enum(['non-finite', 'exceeded']) }).nullable(),
  /** the trained net computes a constant function (hasCollapsed in src/probes/stability): at a check during training, or at the end */
  collapsed: z.boolean(),
  /** the step after which the rate was cut (null: never, as for a net that stayed at chance until the cap) */
  cutAt: z.number().int().nullable(),
  steps: z.number().int(),
  firstLoss: num,
  history: z.array(EpochStats),
  /**
   * At the end, in eval mode (BN from running averages): accuracy on the un-augmented training
   * images (`trainEvalAcc`), on the validation images held out to pick rates, and on the whole test
   * split; `trainAcc` / `trainLoss` are the last epoch's as SGD saw them (augmented batches).
   */
  final: z.object({ trainAcc: num, trainLoss: num, trainEvalAcc: num, valAcc: num, valLoss: num, testAcc: num, testLoss: num }),
  sharpness: z
    .object({
      /** at the first epoch end whose mean training loss ≤ matchedLoss; null when no epoch got there */
      matched: z.object({ epoch: z.number().int(), step: z.number().int(), trainLoss: z.number(), value: num, probeLoss: num }).nullable(),
      /** at the end of training */
      final: z.object({ value: num, probeLoss: num }),
      images: z.number().int(),
      batch: z.number().int(),
      directions: z.number().int(),
      epsilon: z.number(),
      matchedLoss: z.number(),
    })
    .optional(),
  seconds: z.number(),
  /**
   * Set when this result is a stored run trained under another schedule whose decisions (cut and
   * end) were the same, replayed (src/runs/replay.ts): that run's key. `spec` and `key` are the request's.
   */
  replayedFrom: z.string().optional(),
  computedBy: z.object({ pid: z.number().int(), host: z.string(), at: z.string() }),
});
export type RunResult = z.infer<typeof RunResult>;

/** The optimiser of every training run, the paper's (PAPER_SGD), and when a run has diverged (DIVERGENCE_FACTOR): src/train. */
export const OPTIMISER = { ...PAPER_SGD, divergenceFactor: DIVERGENCE_FACTOR };

/** The protocol's run of `arm` at `lr` with `seed`, at the active profile. */
export function runSpec(arm: BnPlacement, lr: number, seed: number, o: { S?: TrainingScale } = {}): RunSpec {
  const S = o.S ?? trainingScale();
  const c = config();
  return RunSpec.parse({
    arm,
    lr,
    seed,
    depth: S.depth,
    width: S.width,
    init: 'glorot',
    batch: S.batch,
    trainImages: S.trainImages,
    validationImages: S.validationImages,
    curveTestImages: S.curveTestImages,
    augment: true,
    evaluateEvery: S.evaluateEvery,
    ...OPTIMISER,
    schedule: S.schedule,
    collapseCheckEvery: S.collapseCheckEvery,
    data: c.dataName,
    dataSeed: c.dataSeed,
    profile: c.profile,
    fault: c.fault,
  });
}

/**
 * The version of what a RunSpec does not say: the training loop, the data pipeline, what a run
 * measures. It is part of every run's key, so a cache file is portable (the same run on any machine
 * has the same name, and shards' caches merge by copying files) and a run trained by older code is
 * never read as one of today's. Bump it when a change to src/train, src/runs/compute.ts, the nets
 * or the data changes what a run with the same spec computes.
 */
export const PROTOCOL_VERSION = 2; // 2: the rate cut when progress stalls, the step cap, the whole test split

/** A stable hash of a spec and PROTOCOL_VERSION: canonical JSON (sorted keys) → sha256, 16 hex digits. */
export function runKey(spec: RunSpec): string {
  const canon = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v as object)
            .sort()
            .map((k) => [k, canon((v as Record<string, unknown>)[k])]),
        )
      : v;
  return createHash('sha256')
    .update(JSON.stringify({ protocol: PROTOCOL_VERSION, spec: canon(RunSpec.parse(spec)) }))
    .digest('hex')
    .slice(0, 16);
}

export function describeRun(spec: RunSpec): string {
  return `ResNet-${spec.depth} w${spec.width} bn=${spec.arm} lr=${spec.lr} seed=${spec.seed}`;
}
