/**
 * The training runs behind the training claims (paper Fig. 1 and §4): one protocol, one
 * learning-rate sweep that picks the rates, and a cache on disk so that a run several claims need
 * is trained once per suite run.
 *
 * Protocol (the paper's): SGD with momentum 0.9 and weight decay 5e-4, one cut of the rate by ×0.1
 * at half of training, the dataset's default augmentation (Fashion-MNIST: pad + crop, no flip),
 * Glorot initialisation, seeds BN_SEED, BN_SEED+1, ... A run trains on `trainImages` images
 * (a balanced subset drawn with BN_SEED), is evaluated on the test split at the end of every epoch,
 * and once at the end on a validation split held out from the training images (used only to pick
 * rates).
 *
 * Arms: `none` (no BN), `all` (BN after every conv), `final` (BN on the features entering the
 * classifier only: see FINAL_BN in src/nets/types.ts).
 *
 * Sweep: for each arm, one run per rate of a log grid, at a seed of its own (BN_SEED + 100, never
 * one of the claims' seeds, so the rates are not picked on the runs that then test them), on the
 * protocol shortened to `sweep.epochs` (the cut still at half). From it (see `pickRates`):
 *   - a run survives when it neither diverged (train()'s detection) nor collapsed (its trained
 *     net computes a constant function: hasCollapsed in src/probes/stability); a rate has a
 *     margin when the arm survived it and the next grid rate up;
 *   - best(arm) = the rate with a margin of highest final validation accuracy;
 *   - low  = best(none): the unnormalised net's best rate, one it survives with a grid step to spare;
 *   - high = best(all): BN's best rate on validation, the paper's "high" rate (0.1 in Fig. 1 is the
 *            BN net's best). Whether the unnormalised net can use it is then measured on the claim
 *            seeds (high-lr-benefit), not built into the choice: an earlier rule picked the best BN
 *            rate among those the unnormalised net fails at, which at smoke came out as 0.3, a rate
 *            where BN itself trains badly (issue 10).
 *   The margins make the low rate one the unnormalised net survives in other seeds too: a rate at
 *   the edge goes either way from seed to seed (measured at smoke scale: 0.03 collapsed the
 *   sweep's seed and 1 of the 3 claim seeds; the other 2 survived).
 *
 * Cache: reports/.runs/<suite-run>/<key>.json, key = a hash of the run's full config (arm, lr,
 * seed, depth, width, epochs, batch, images, data and the seed of its subsets, profile, fault,
 * ...). The suite-run id comes from the claims' globalSetup (`startSuiteRun`, handed to the
 * workers with vitest's provide / inject), so a new `npx vitest claims` never reuses an old run,
 * and the folders of finished suite runs are removed when the next one starts. Files are written atomically; one lock per
 * key makes two workers that want the same run compute it once (the second waits and reads it).
 * Workers take runs cooperatively: a run locked by the other worker is skipped, not waited for,
 * while runs of one's own are free; see `obtainRuns`.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { inject } from 'vitest';
import { z } from 'zod';
import { config, reportsDir, Profile } from '../config';
import type { Dataset } from '../data/dataset';
import { take } from '../data/dataset';
import { subsetIndices } from '../data/subset';
import { BnPlacement } from '../nets/types';
import { filterNormalisedSharpness } from '../probes/sharpness';
import { hasCollapsed } from '../probes/stability';
import { pidAlive, withFileLock, writeFileAtomic } from '../report/atomic';
import type { LinesSpec } from '../report/figures';
import { mean } from '../stats/moments';
import { deriveSeed } from '../stats/rng';
import { evaluate, sliceToTensors, train } from '../train';
import type { ClaimContext } from '../report/harness';
import { claimData, dataName, makeResNet } from './index';

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

// ---------------------------------------------------------------------------------------------
// Data: train / validation / test

export interface TrainingData {
  train: Dataset;
  validation: Dataset;
  test: Dataset;
}

const dataCache = new Map<string, TrainingData>();

/** The active dataset split into the images trained on, a balanced held-out validation set, and test. */
export function trainingData(S: Pick<TrainingScale, 'trainImages' | 'validationImages' | 'testImages'> = trainingScale()): TrainingData {
  const key = `${S.trainImages}|${S.validationImages}|${S.testImages}`;
  let d = dataCache.get(key);
  if (!d) {
    const { train: all, test } = claimData({ trainLimit: S.trainImages + S.validationImages, testLimit: S.testImages });
    if (all.n < S.trainImages + S.validationImages)
      throw new Error(`the training split has ${all.n} images, fewer than ${S.trainImages} to train on + ${S.validationImages} to validate on`);
    const val = subsetIndices(all.labels, all.numClasses, S.validationImages, deriveSeed(config().seed, 0x7a1d));
    const isVal = new Uint8Array(all.n);
    for (const i of val) isVal[i] = 1;
    const rest = Uint32Array.from({ length: all.n }, (_, i) => i).filter((i) => !isVal[i]);
    d = { train: take(all, rest), validation: take(all, val, `${all.name} (validation)`), test };
    dataCache.set(key, d);
  }
  return d;
}

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
export function runSpec(arm: Arm, lr: number, seed: number, o: { epochs?: number; S?: TrainingScale; evaluateEachEpoch?: boolean } = {}): RunSpec {
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
      ? Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])]))
      : v;
  return createHash('sha256').update(JSON.stringify(canon(RunSpec.parse(spec)))).digest('hex').slice(0, 16);
}

export function describeRun(spec: RunSpec): string {
  return `ResNet-${spec.depth} w${spec.width} bn=${spec.arm} lr=${spec.lr} seed=${spec.seed}`;
}

/** Train one run as its spec says and measure what the request asks for. The training loop is src/train's. */
export async function computeRun(req: RunRequest): Promise<RunResult> {
  const { spec } = req;
  const c = config();
  if (spec.profile !== c.profile || spec.data !== c.dataName || spec.dataSeed !== c.seed || spec.fault !== c.fault)
    throw new Error(`run ${describeRun(spec)} was asked for profile/data/data seed/fault ${spec.profile}/${spec.data}/${spec.dataSeed}/${spec.fault}, but this process runs ${c.profile}/${c.dataName}/${c.seed}/${c.fault}`);
  const data = trainingData(spec);
  const net = makeResNet({ depth: spec.depth, width: spec.width, bn: spec.arm, seed: spec.seed, data: data.train });
  const sharpProbe = req.sharpness ? sharpnessProbe(data.train, spec.seed, req.sharpness) : undefined;
  let matched: NonNullable<RunResult['sharpness']>['matched'] = null;
  const stepsPerEpoch = Math.floor(data.train.n / spec.batch);
  let epochLoss = 0;
  try {
    const r = await train(net, { train: data.train, test: data.test }, {
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
            const m = await sharpProbe.measure(net, `epoch ${step / stepsPerEpoch}, training loss ${mean.toFixed(3)} ≤ ${sharpProbe.spec.matchedLoss}`);
            matched = { epoch: step / stepsPerEpoch, step, trainLoss: mean, value: m.value, probeLoss: m.probeLoss };
          }
        : undefined,
    });
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
      sharp = { matched, final: f, images: sp.images, batch: sp.batch, directions: sp.directions, epsilon: sp.epsilon, matchedLoss: sp.matchedLoss };
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
function sharpnessProbe(trainSet: Dataset, seed: number, spec: SharpnessSpec): {
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
      const r = await filterNormalisedSharpness(net, batches, { directions: spec.directions, epsilon: spec.epsilon, seed: deriveSeed(seed, 0x5a4f) });
      console.log(`[train] ${net.description} seed ${seed}: sharpness ${r.value.toPrecision(4)} at ${when} (probe loss ${r.loss.toFixed(3)}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      return { value: finiteOrNull(r.value), probeLoss: finiteOrNull(r.loss) };
    },
    dispose() {
      for (const b of batches) tf.dispose([b.x, b.y]);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The suite run and the cache

declare module 'vitest' {
  export interface ProvidedContext {
    /** id of this `vitest` invocation of the claims (see startSuiteRun) */
    suiteRunId: string;
  }
}

const OWNER_FILE = 'owner.json';

export function runsRoot(reports = reportsDir()): string {
  return path.join(reports, '.runs');
}

/**
 * Called once per `vitest` invocation (the claims' globalSetup): a fresh suite-run id and its
 * folder, and the folders of earlier suite runs removed, except those whose owner (the vitest
 * process that made them) is still alive on this host: a concurrent suite keeps its runs.
 * `resume` (BN_SUITE_RUN_ID): take over that earlier suite run's folder instead, with the runs it
 * finished, so that an interrupted `BN_PROFILE=full` run goes on where it stopped and a changed
 * statistic can be re-judged on the same training runs. A run's cache key is its whole RunSpec
 * (runKey), so a changed protocol never reuses a run trained under the old one.
 */
export function startSuiteRun(reports = reportsDir(), resume = process.env.BN_SUITE_RUN_ID?.trim() || undefined): string {
  const root = runsRoot(reports);
  if (resume !== undefined) {
    if (!/^[\w.-]+$/.test(resume)) throw new Error(`BN_SUITE_RUN_ID ${JSON.stringify(resume)} is not a plain folder name`);
    if (!fs.existsSync(path.join(root, resume)))
      throw new Error(`BN_SUITE_RUN_ID=${resume}: no such suite run under ${root} (those there: ${fs.existsSync(root) ? fs.readdirSync(root).join(', ') || 'none' : 'none'})`);
  }
  fs.mkdirSync(root, { recursive: true });
  for (const name of fs.readdirSync(root)) {
    if (name === resume) continue;
    const dir = path.join(root, name);
    let owner: { pid?: number; host?: string } | undefined;
    try {
      owner = JSON.parse(fs.readFileSync(path.join(dir, OWNER_FILE), 'utf8')) as { pid?: number; host?: string };
    } catch {
      owner = undefined;
    }
    const alive = owner?.host === os.hostname() && typeof owner.pid === 'number' && pidAlive(owner.pid);
    if (!alive) fs.rmSync(dir, { recursive: true, force: true });
  }
  const id = resume ?? `${new Date().toISOString().replace(/[-:.]/g, '').replace('T', '-').slice(0, 15)}-${process.pid}-${randomBytes(3).toString('hex')}`;
  writeFileAtomic(path.join(root, id, OWNER_FILE), JSON.stringify({ pid: process.pid, host: os.hostname(), started: new Date().toISOString() }));
  return id;
}

let localId: string | undefined;
/** This process's suite run: the globalSetup's (inside vitest), BN_SUITE_RUN_ID, or one of its own. */
export function suiteRunId(): string {
  let id: string | undefined;
  try {
    id = inject('suiteRunId');
  } catch {
    id = undefined; // not inside a vitest worker
  }
  id ??= process.env.BN_SUITE_RUN_ID?.trim() || undefined;
  if (!id) {
    localId ??= `local-${process.pid}-${randomBytes(3).toString('hex')}`;
    id = localId;
  }
  if (!/^[\w.-]+$/.test(id)) throw new Error(`suite run id ${JSON.stringify(id)} is not a plain folder name`);
  return id;
}

export function runsDir(): string {
  return path.join(runsRoot(), suiteRunId());
}

export interface ObtainOptions {
  /** cache folder (default runsDir()) */
  dir?: string;
  /** what computes a run (default computeRun; tests pass a fake) */
  compute?: (req: RunRequest) => Promise<RunResult>;
  /** runs to compute while the ones asked for are being computed by another worker */
  whileWaiting?: RunRequest[];
  /** how often to look again while waiting (ms, default 500) */
  pollMs?: number;
  log?: (line: string) => void;
}

function satisfies(r: RunResult, req: RunRequest): boolean {
  if (!req.sharpness || r.diverged || r.final.testAcc === null) return true;
  const s = r.sharpness;
  const q = req.sharpness;
  return !!s && s.images === q.images && s.batch === q.batch && s.directions === q.directions && s.epsilon === q.epsilon && s.matchedLoss === q.matchedLoss;
}

function readCached(file: string, req: RunRequest): RunResult | undefined {
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const parsed = RunResult.safeParse(JSON.parse(raw));
  if (!parsed.success || parsed.data.key !== runKey(req.spec)) return undefined;
  return satisfies(parsed.data, req) ? parsed.data : undefined;
}

const LOCK = { staleMs: Infinity }; // a run takes minutes to hours: only a dead holder makes a lock stale

/**
 * Take the run's lock and return the run, computing it when no one has: `wait` false gives up at
 * once (undefined) when another process holds the lock.
 */
async function takeRun(req: RunRequest, dir: string, compute: (r: RunRequest) => Promise<RunResult>, wait: boolean, log: (l: string) => void): Promise<RunResult | undefined> {
  const key = runKey(req.spec);
  const file = path.join(dir, `${key}.json`);
  const cached = readCached(file, req);
  if (cached) return cached;
  let acquired = false;
  try {
    return await withFileLock(
      `${file}.lock`,
      async () => {
        acquired = true;
        const again = readCached(file, req);
        if (again) return again;
        log(`training ${describeRun(req.spec)}${req.sharpness ? ' (+ sharpness)' : ''} [${key}]`);
        const r = await compute(req);
        writeFileAtomic(file, JSON.stringify(r));
        return r;
      },
      { ...LOCK, timeoutMs: wait ? Infinity : 0 },
    );
  } catch (e) {
    if (!acquired && !wait && /could not lock/.test((e as Error).message)) return undefined;
    throw e;
  }
}

/**
 * The results of `reqs`, in order. Cached runs are read; runs no one is computing are computed
 * here, in order; runs another worker is computing are left for later, and while they are, the
 * runs of `whileWaiting` that no one has started are computed (so neither worker idles while
 * there is training to do). Then the remaining ones are waited for.
 */
export async function obtainRuns(reqs: RunRequest[], opts: ObtainOptions = {}): Promise<RunResult[]> {
  const dir = opts.dir ?? runsDir();
  const compute = opts.compute ?? computeRun;
  const log = opts.log ?? ((l: string) => console.log(`[runs] ${l}`));
  const poll = opts.pollMs ?? 500;
  fs.mkdirSync(dir, { recursive: true });
  const out: (RunResult | undefined)[] = reqs.map(() => undefined);
  let todo = reqs.map((_, i) => i);
  const extra = [...(opts.whileWaiting ?? [])];
  let announced = false;
  while (todo.length) {
    const left: number[] = [];
    for (const i of todo) {
      const r = await takeRun(reqs[i]!, dir, compute, false, log);
      if (r) out[i] = r;
      else left.push(i);
    }
    todo = left;
    if (!todo.length) break;
    // Everything still missing is being trained elsewhere: help with other runs meanwhile.
    let helped = false;
    while (extra.length && !helped) helped = (await takeRun(extra.shift()!, dir, compute, false, log)) !== undefined;
    if (helped) continue;
    if (!announced) {
      log(`waiting for another worker: ${todo.length} run(s) were being trained elsewhere (${todo.map((i) => describeRun(reqs[i]!.spec)).join('; ')})`);
      announced = true;
    }
    await new Promise((r) => setTimeout(r, poll));
  }
  return out as RunResult[];
}

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
  return ARMS.flatMap((arm) => S.sweep.grid.map((lr) => ({ spec: runSpec(arm, lr, sweepSeed(), { epochs: S.sweep.epochs, S, evaluateEachEpoch: false }) })));
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
      if (acc > bestAcc) { // strict: on a tie the smaller (safer) rate stays
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
    else out.push({ name, value: p.valAcc ?? NaN, ...(p.collapsed ? { note: 'collapsed: the trained net computes a constant function' } : {}) });
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
  return ARMS.map((arm) => `${arm} [${sw.points.filter((p) => p.arm === arm).map(fmt).join(' ')}]`).join('; ') +
    ` → low ${sw.low}, high ${sw.high}, best none/all/final ${sw.best.none}/${sw.best.all}/${sw.best.final}`;
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

// ---------------------------------------------------------------------------------------------
// What the training claims' assertions and figures share

/**
 * The training claims' preconditions (c.require): without them an assertion compares nets that
 * did not train, so it does not test the paper, and the verdict is 'inconclusive'.
 *  - LEARNED: a net "learned" when its mean test accuracy over seeds is ≥ 0.5, five times chance
 *    on the 10-class data sets (Fashion-MNIST, CIFAR-10) and well under the paper's ~81–93 %:
 *    far enough from chance that a ratio or a difference against it means something.
 *  - CONVERGED: "trained to the end" as Fig. 1 shows it: last-epoch train accuracy ≥ 0.95 (the
 *    paper's train curves reach ~100 %).
 */
export const LEARNED = 0.5;
export const CONVERGED = 0.95;

/** "mean 0.113 (0.131, 0.106, 0.104)": what a precondition on accuracies was judged on. */
export function describeAccuracies(accs: readonly number[]): string {
  return `mean ${mean(accs).toFixed(3)} (${accs.map((a) => a.toFixed(3)).join(', ')})`;
}

/** Neither diverged nor collapsed, and finished with a test accuracy. */
export function survived(r: RunResult): boolean {
  return !r.diverged && !r.collapsed && r.final.testAcc !== null;
}

/**
 * Final test accuracies over seeds. A diverged run has none (its weights are not finite): it counts
 * as `chance`, which is what a net that failed to train is worth.
 */
export function testAccuracies(runs: readonly RunResult[], chance = 0.1): number[] {
  return runs.map((r) => r.final.testAcc ?? chance);
}

/** Per-epoch mean and min–max over seeds of one history field (epochs a run did not finish are left out). */
export function curve(runs: readonly RunResult[], field: 'trainAcc' | 'testAcc'): { x: number[]; y: number[]; lo: number[]; hi: number[] } {
  const epochs = Math.max(0, ...runs.map((r) => r.spec.epochs));
  const out = { x: [] as number[], y: [] as number[], lo: [] as number[], hi: [] as number[] };
  for (let e = 1; e <= epochs; e++) {
    const vs = runs.map((r) => r.history.find((h) => h.epoch === e)?.[field]).filter((v): v is number => typeof v === 'number');
    if (!vs.length) continue;
    out.x.push((100 * e) / epochs);
    out.y.push(vs.reduce((a, b) => a + b, 0) / vs.length);
    out.lo.push(Math.min(...vs));
    out.hi.push(Math.max(...vs));
  }
  return out;
}

/** Fig. 1: train and test accuracy against % of training, one line per arm, the seeds' min–max shaded. */
export function accuracyCurves(o: { title: string; caption: string; arms: { name: string; runs: readonly RunResult[] }[] }): LinesSpec {
  const panel = (field: 'trainAcc' | 'testAcc', yLabel: string) => ({
    series: o.arms.map((a) => ({ name: a.name, ...curve(a.runs, field) })),
    xLabel: '% of training',
    yLabel,
    xDomain: [0, 100] as [number, number],
    legend: 'bottom-right' as const,
  });
  return { kind: 'lines', title: o.title, caption: o.caption, panels: [panel('trainAcc', 'train accuracy'), panel('testAcc', 'test accuracy')] };
}

/**
 * How every training claim opens: its data and scale into the record (the claim's own `extra`
 * entries after the epochs), then the shared sweep, logged and recorded as supporting statistics
 * (after the claim's own, so a reader meets the claim's numbers first).
 */
export async function openTrainingClaim(
  c: ClaimContext,
  extra: (S: TrainingScale) => Record<string, string | number | boolean> = () => ({}),
): Promise<{ S: TrainingScale; train: Dataset; sweep: Sweep }> {
  const S = trainingScale();
  const { train } = trainingData();
  c.data(dataName(train));
  c.scale({
    model: `ResNet-${S.depth}`, depth: S.depth, width: S.width, images: S.trainImages, batch: S.batch, seeds: trainingSeeds().length,
    extra: { epochs: S.epochs, ...extra(S) },
  });
  const sweep = await lrSweep({ log: (l) => c.log(l) });
  c.log(`sweep: ${sweepSummary(sweep)}`);
  for (const st of sweepStatistics(sweep)) c.supportingStat(st.name, st.value, st); // listed after the claim's own
  return { S, train, sweep };
}
