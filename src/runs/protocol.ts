/** One training run: its spec (the cache key), its result, and how it is computed (src/train's loop, the sharpness probe). */
import { createHash } from 'node:crypto';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { config, Profile } from '../config';
import type { Dataset } from '../data/dataset';
import { take } from '../data/dataset';
import { subsetIndices } from '../data/subset';
import { BnPlacement } from '../nets/types';
import { filterNormalisedSharpness } from '../probes/sharpness';
import { hasCollapsed } from '../probes/stability';
import { deriveSeed } from '../rng';
import { evaluate, sliceToTensors, train } from '../train';
import { makeResNet } from '../setup';
import { Arm, TrainingScale, trainingData, trainingScale } from './scale';

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
    epochs: z.number().int().positive(),
    batch: z.number().int().positive(),
    trainImages: z.number().int().positive(),
    validationImages: z.number().int().nonnegative(),
    testImages: z.number().int().positive().optional(),
    augment: z.boolean(),
    /** test accuracy during training (false: only at the end; the sweep needs no curves) */
    evaluateEachEpoch: z.boolean(),
    /** epochs between those evaluations (and always the last) */
    evaluateEvery: z.number().int().positive(),
    momentum: z.number(),
    weightDecay: z.number(),
    /** one cut of the rate by `factor` at half of training */
    lrCut: z.object({ factor: z.number(), at: z.number() }),
    divergenceFactor: z.number(),
    data: z.string(),
    /** BN_SEED: draws the training / validation / test subsets */
    dataSeed: z.number().int().nonnegative(),
    profile: Profile,
    fault: z.string(),
  })
  .strict();
export type RunSpec = z.infer<typeof RunSpec>;

/** What a run is asked to measure besides training (not part of the key: a run measured more is still the same run). */
export interface SharpnessSpec {
  images: number;
  batch: number;
  /** random filter-normalised directions averaged over */
  directions: number;
  /** step of the second difference, as a fraction of every filter's norm */
  epsilon: number;
  /**
   * the matched training loss: sharpness is measured at the end of the first epoch whose mean
   * training loss (as SGD saw it: augmented batches, batch statistics) is at or below it, so that
   * runs at different rates are compared where they fit the data equally well; and again at the end
   */
  matchedLoss: number;
}

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

export const RunResult = z.object({
  key: z.string(),
  spec: RunSpec,
  diverged: z.object({ step: z.number().int(), loss: num, reason: z.enum(['non-finite', 'exceeded']) }).nullable(),
  /** finished, but the trained net computes a constant function (hasCollapsed in src/probes/stability) */
  collapsed: z.boolean(),
  steps: z.number().int(),
  firstLoss: num,
  history: z.array(EpochStats),
  final: z.object({ trainAcc: num, trainLoss: num, valAcc: num, valLoss: num, testAcc: num, testLoss: num }),
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
  computedBy: z.object({ pid: z.number().int(), host: z.string(), at: z.string() }),
});
export type RunResult = z.infer<typeof RunResult>;

const finiteOrNull = (v: number | null | undefined): number | null => (v !== null && v !== undefined && Number.isFinite(v) ? v : null);

/** The protocol's run of `arm` at `lr` with `seed`, at the active profile. */
export function runSpec(
  arm: Arm,
  lr: number,
  seed: number,
  o: { epochs?: number; S?: TrainingScale; evaluateEachEpoch?: boolean } = {},
): RunSpec {
  const S = o.S ?? trainingScale();
  const c = config();
  return RunSpec.parse({
    arm,
    lr,
    seed,
    depth: S.depth,
    width: S.width,
    init: 'glorot',
    epochs: o.epochs ?? S.epochs,
    batch: S.batch,
    trainImages: S.trainImages,
    validationImages: S.validationImages,
    ...(S.testImages !== undefined ? { testImages: S.testImages } : {}),
    augment: true,
    evaluateEachEpoch: o.evaluateEachEpoch ?? true,
    evaluateEvery: S.evaluateEvery ?? 1,
    momentum: 0.9,
    weightDecay: 5e-4,
    lrCut: { factor: 0.1, at: 0.5 },
    divergenceFactor: 100,
    data: c.dataName,
    dataSeed: c.seed,
    profile: c.profile,
    fault: c.fault,
  });
}

/** A stable hash of a spec: canonical JSON (sorted keys) → sha256, 16 hex digits. */
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
    .update(JSON.stringify(canon(RunSpec.parse(spec))))
    .digest('hex')
    .slice(0, 16);
}

export function describeRun(spec: RunSpec): string {
  return `ResNet-${spec.depth} w${spec.width} bn=${spec.arm} lr=${spec.lr} seed=${spec.seed}`;
}

/** Train one run as its spec says and measure what the request asks for. The training loop is src/train's. */
export async function computeRun(req: RunRequest): Promise<RunResult> {
  const { spec } = req;
  const c = config();
  if (spec.profile !== c.profile || spec.data !== c.dataName || spec.dataSeed !== c.seed || spec.fault !== c.fault)
    throw new Error(
      `run ${describeRun(spec)} was asked for profile/data/data seed/fault ${spec.profile}/${spec.data}/${spec.dataSeed}/${spec.fault}, but this process runs ${c.profile}/${c.dataName}/${c.seed}/${c.fault}`,
    );
  const data = trainingData(spec);
  const net = makeResNet({ depth: spec.depth, width: spec.width, bn: spec.arm, seed: spec.seed, data: data.train });
  const sharpProbe = req.sharpness ? sharpnessProbe(data.train, spec.seed, req.sharpness) : undefined;
  let matched: NonNullable<RunResult['sharpness']>['matched'] = null;
  const stepsPerEpoch = Math.floor(data.train.n / spec.batch);
  let epochLoss = 0;
  try {
    const r = await train(
      net,
      { train: data.train, test: data.test },
      {
        epochs: spec.epochs,
        batchSize: spec.batch,
        schedule: { kind: 'step', lr: spec.lr, factor: spec.lrCut.factor, at: [spec.lrCut.at] },
        momentum: spec.momentum,
        weightDecay: spec.weightDecay,
        seed: spec.seed,
        augment: spec.augment,
        divergenceFactor: spec.divergenceFactor,
        evaluateEachEpoch: spec.evaluateEachEpoch,
        evaluateEvery: spec.evaluateEvery,
        label: describeRun(spec),
        progress: true,
        // sharpness at the matched training loss: at the end of the first epoch whose mean loss reaches it
        onStep: sharpProbe
          ? async (step, { loss }) => {
              epochLoss += loss;
              if (step % stepsPerEpoch !== 0) return;
              const mean = epochLoss / stepsPerEpoch;
              epochLoss = 0;
              if (matched || !(mean <= sharpProbe.spec.matchedLoss)) return;
              const m = await sharpProbe.measure(
                net,
                `epoch ${step / stepsPerEpoch}, training loss ${mean.toFixed(3)} ≤ ${sharpProbe.spec.matchedLoss}`,
              );
              matched = { epoch: step / stepsPerEpoch, step, trainLoss: mean, value: m.value, probeLoss: m.probeLoss };
            }
          : undefined,
      },
    );
    const history: EpochStats[] = r.history.map((h) => ({
      epoch: h.epoch,
      step: h.step,
      lr: h.lr,
      trainLoss: finiteOrNull(h.trainLoss),
      trainAcc: finiteOrNull(h.trainAcc),
      testAcc: finiteOrNull(h.testAcc),
      testLoss: finiteOrNull(h.testLoss),
    }));
    const last = history.at(-1);
    const finished = !r.diverged && last !== undefined && last.step === r.steps;
    // A too-large step can kill every ReLU feeding the classifier instead of overflowing: the
    // loss falls back to ln(classes), which train()'s divergence detection cannot see.
    const collapsed = finished && (await collapsedOn(net, data.train));
    // validation (to pick rates on) once, at the end: eval mode, as the test split
    const val = finished && data.validation.n > 0 ? await evaluate(net, data.validation) : undefined;
    let sharp: RunResult['sharpness'];
    if (sharpProbe && finished) {
      const f = await sharpProbe.measure(net, 'end of training');
      const sp = sharpProbe.spec;
      sharp = {
        matched,
        final: f,
        images: sp.images,
        batch: sp.batch,
        directions: sp.directions,
        epsilon: sp.epsilon,
        matchedLoss: sp.matchedLoss,
      };
    }
    const result: RunResult = {
      key: runKey(spec),
      spec,
      diverged: r.diverged ? { step: r.diverged.step, loss: finiteOrNull(r.diverged.loss), reason: r.diverged.reason } : null,
      collapsed,
      steps: r.steps,
      firstLoss: finiteOrNull(r.firstLoss),
      history,
      final: {
        trainAcc: finiteOrNull(r.final.trainAcc),
        trainLoss: finiteOrNull(r.final.trainLoss),
        valAcc: finiteOrNull(val?.accuracy),
        valLoss: finiteOrNull(val?.loss),
        testAcc: finiteOrNull(r.final.testAcc),
        testLoss: finiteOrNull(r.final.testLoss),
      },
      ...(sharp ? { sharpness: sharp } : {}),
      seconds: r.seconds,
      computedBy: { pid: process.pid, host: os.hostname(), at: new Date().toISOString() },
    };
    return RunResult.parse(result);
  } finally {
    net.dispose();
    sharpProbe?.dispose();
  }
}

/** hasCollapsed (src/probes/stability) on the first 128 training images, un-augmented. */
async function collapsedOn(net: ReturnType<typeof makeResNet>, ds: Dataset): Promise<boolean> {
  const { x, y } = sliceToTensors(ds, 0, Math.min(128, ds.n));
  try {
    return await hasCollapsed(net, x);
  } finally {
    x.dispose();
    y.dispose();
  }
}

/**
 * Sharpness of the net being trained (small-lr-sharper-minima): the filter-normalised curvature of
 * the training loss (src/probes/sharpness.ts: invariant to the rescaling of a kernel that BN
 * undoes, unlike the top Hessian eigenvalue) on a fixed, seeded, balanced set of un-augmented
 * training images, the same directions (seeded by the run's seed) wherever it is measured.
 */
function sharpnessProbe(
  trainSet: Dataset,
  seed: number,
  spec: SharpnessSpec,
): {
  spec: SharpnessSpec;
  measure: (net: ReturnType<typeof makeResNet>, when: string) => Promise<{ value: number | null; probeLoss: number | null }>;
  dispose: () => void;
} {
  const idx = subsetIndices(trainSet.labels, trainSet.numClasses, spec.images, deriveSeed(seed, 0x5a4e));
  const probe = take(trainSet, idx);
  const batches: { x: tf.Tensor4D; y: tf.Tensor1D }[] = [];
  for (let i = 0; i + spec.batch <= probe.n; i += spec.batch) batches.push(sliceToTensors(probe, i, spec.batch));
  return {
    spec,
    async measure(net, when) {
      const t0 = performance.now();
      const r = await filterNormalisedSharpness(net, batches, {
        directions: spec.directions,
        epsilon: spec.epsilon,
        seed: deriveSeed(seed, 0x5a4f),
      });
      console.log(
        `[train] ${net.description} seed ${seed}: sharpness ${r.value.toPrecision(4)} at ${when} (probe loss ${r.loss.toFixed(3)}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
      return { value: finiteOrNull(r.value), probeLoss: finiteOrNull(r.loss) };
    },
    dispose() {
      for (const b of batches) tf.dispose([b.x, b.y]);
    },
  };
}
