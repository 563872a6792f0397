/**
 * Computing one training run: the data it trains on (train / validation / test), src/train's
 * loop, and what a run measures besides (collapse, validation accuracy, sharpness). Runs in the
 * training phase's worker processes (train-worker.ts) and in scripts/calibration.
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { config } from '../config';
import type { Dataset } from '../data/dataset';
import { take } from '../data/dataset';
import { subsetIndices } from '../data/subset';
import { filterNormalisedSharpness } from '../probes/sharpness';
import { hasCollapsed } from '../probes/stability';
import { deriveSeed } from '../rng';
import { evaluate, sliceToTensors, train } from '../train';
import { claimData, makeResNet } from '../setup';
import { describeRun, EpochStats, RunResult, runKey, type RunEnd, type RunRequest } from './protocol';
import { trainingScale, type SharpnessSpec, type TrainingScale } from '../profile';

export interface TrainingData {
  train: Dataset;
  validation: Dataset;
  /** the whole test split: final accuracies */
  test: Dataset;
  /** a balanced, seeded subset of it: the accuracy curve during training */
  curveTest: Dataset;
}

const dataCache = new Map<string, TrainingData>();

/** The active dataset split into the images trained on, a balanced held-out validation set, and test. */
export function trainingData(
  S: Pick<TrainingScale, 'trainImages' | 'validationImages' | 'curveTestImages'> = trainingScale(),
): TrainingData {
  // the images are BN_DATA_SEED's, not BN_SEED's: a seed base varies initialisation, batch order
  // and augmentation over one set of images, as the paper's seeds do over CIFAR-10 (version 5)
  const seed = config().dataSeed;
  const key = `${S.trainImages}|${S.validationImages}|${S.curveTestImages}|${seed}`;
  let d = dataCache.get(key);
  if (!d) {
    const { train: all, test } = claimData({ trainLimit: S.trainImages + S.validationImages, seed });
    if (all.n < S.trainImages + S.validationImages)
      throw new Error(
        `the training split has ${all.n} images, fewer than ${S.trainImages} to train on + ${S.validationImages} to validate on`,
      );
    const val = subsetIndices(all.labels, all.numClasses, S.validationImages, deriveSeed(seed, 0x7a1d));
    const isVal = new Uint8Array(all.n);
    for (const i of val) isVal[i] = 1;
    const rest = Uint32Array.from({ length: all.n }, (_, i) => i).filter((i) => !isVal[i]);
    const curve =
      S.curveTestImages >= test.n
        ? test
        : take(test, subsetIndices(test.labels, test.numClasses, S.curveTestImages, deriveSeed(seed, 0x7e57)));
    d = { train: take(all, rest), validation: take(all, val, `${all.name} (validation)`), test, curveTest: curve };
    dataCache.set(key, d);
  }
  return d;
}

const finiteOrNull = (v: number | null | undefined): number | null => (v !== null && v !== undefined && Number.isFinite(v) ? v : null);

/** Train one run as its spec says and measure what the request asks for. The training loop is src/train's. */
export async function computeRun(req: RunRequest): Promise<RunResult> {
  const { spec } = req;
  const c = config();
  if (spec.profile !== c.profile || spec.data !== c.dataName || spec.dataSeed !== c.dataSeed || spec.fault !== c.fault)
    throw new Error(
      `run ${describeRun(spec)} was asked for profile/data/data seed/fault ${spec.profile}/${spec.data}/${spec.dataSeed}/${spec.fault}, but this process runs ${c.profile}/${c.dataName}/${c.dataSeed}/${c.fault}`,
    );
  const data = trainingData(spec);
  const net = makeResNet({ depth: spec.depth, width: spec.width, bn: spec.arm, seed: spec.seed, data: data.train });
  const sharpProbe = req.sharpness ? sharpnessProbe(data.train, spec.seed, req.sharpness) : undefined;
  const collapseProbe = sliceToTensors(data.train, 0, Math.min(128, data.train.n));
  let matched: NonNullable<RunResult['sharpness']>['matched'] = null;
  const stepsPerEpoch = Math.floor(data.train.n / spec.batch);
  let epochLoss = 0;
  try {
    const r = await train(
      net,
      { train: data.train, test: data.curveTest },
      {
        epochs: Math.ceil(spec.schedule.maxSteps / stepsPerEpoch),
        batchSize: spec.batch,
        schedule: { kind: 'plateau', lr: spec.lr, ...spec.schedule },
        momentum: spec.momentum,
        weightDecay: spec.weightDecay,
        seed: spec.seed,
        augment: spec.augment,
        divergenceFactor: spec.divergenceFactor,
        evaluateEvery: spec.evaluateEvery,
        label: describeRun(spec),
        progress: true,
        onStep: async (step, { loss }) => {
          // a collapsed net cannot learn again (hasCollapsed): the run ends there, a result
          if (step % spec.collapseCheckEvery === 0 && (await hasCollapsed(net, collapseProbe.x))) return 'collapsed';
          if (!sharpProbe) return;
          // sharpness at the matched training loss: at the end of the first epoch whose mean loss reaches it
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
        },
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
    const stoppedCollapsed = r.stopped?.reason === 'collapsed';
    // A too-large step can kill every ReLU feeding the classifier instead of overflowing: the
    // loss falls back to ln(classes), which train()'s divergence detection cannot see.
    const collapsed = !r.diverged && (stoppedCollapsed || (await hasCollapsed(net, collapseProbe.x)));
    const end: RunEnd = r.diverged ? 'diverged' : collapsed ? 'collapsed' : (r.plateau?.ended ?? 'step cap');
    // eval mode, at the end: the un-augmented training images ("converged"), the validation
    // images (rates are picked, and "learned" judged, on them) and the whole test split
    const finished = !r.diverged;
    const trainEval = finished ? await evaluate(net, data.train) : undefined;
    const val = finished && data.validation.n > 0 ? await evaluate(net, data.validation) : undefined;
    const test = finished ? await evaluate(net, data.test) : undefined;
    let sharp: RunResult['sharpness'];
    if (sharpProbe && finished && !collapsed) {
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
      end,
      diverged: r.diverged ? { step: r.diverged.step, loss: finiteOrNull(r.diverged.loss), reason: r.diverged.reason } : null,
      collapsed,
      cutAt: r.plateau?.cutAt ?? null,
      steps: r.steps,
      firstLoss: finiteOrNull(r.firstLoss),
      history,
      final: {
        trainAcc: finiteOrNull(r.final.trainAcc),
        trainLoss: finiteOrNull(r.final.trainLoss),
        trainEvalAcc: finiteOrNull(trainEval?.accuracy),
        valAcc: finiteOrNull(val?.accuracy),
        valLoss: finiteOrNull(val?.loss),
        testAcc: finiteOrNull(test?.accuracy),
        testLoss: finiteOrNull(test?.loss),
      },
      ...(sharp ? { sharpness: sharp } : {}),
      seconds: r.seconds,
      computedBy: { pid: process.pid, host: os.hostname(), at: new Date().toISOString() },
    };
    return RunResult.parse(result);
  } finally {
    net.dispose();
    sharpProbe?.dispose();
    tf.dispose([collapseProbe.x, collapseProbe.y]);
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
