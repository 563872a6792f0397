/**
 * The training loop, visible in one place: for each epoch, for each shuffled (augmented) batch,
 * one SGD step; the loss is watched for divergence (non-finite, or above `divergenceFactor` × the
 * first batch's loss), which ends the run with `diverged` and the step: a result, never a crash.
 * Evaluation at the end of every epoch, on the test split, in eval mode (BN running averages).
 */
import * as tf from '@tensorflow/tfjs';
import { batches, type BatchOptions } from '../data/batches';
import type { Net } from '../nets/types';
import { correctCount, crossEntropy } from './loss';
import { Plateau, type PlateauEnd, type PlateauRule, type WindowRecord } from './plateau';
import { lrAt, type Schedule } from './schedule';
import { DIVERGENCE_FACTOR, PAPER_SGD } from './recipe';
import { Sgd } from './sgd';
import { batchToTensors, sliceToTensors, type ImageSet } from './tensors';

export interface TrainConfig {
  /** epochs to train (with a plateau rule: at most; its step cap decides) */
  epochs: number;
  batchSize: number;
  /** a rate by fraction of training, or the cut when progress stalls (src/train/plateau.ts) */
  schedule: Schedule | PlateauRule;
  /** default PAPER_SGD's (src/train/recipe.ts) */
  momentum?: number;
  /** default PAPER_SGD's */
  weightDecay?: number;
  seed: number;
  /** true = the dataset's default augmentation (src/data/transforms), false = none (default) */
  augment?: BatchOptions['augment'];
  /** diverged when loss > factor × first loss, or non-finite. Default DIVERGENCE_FACTOR. */
  divergenceFactor?: number;
  /** stop after this many steps (for probes and quick tests) */
  maxSteps?: number;
  /** evaluate on the test split during training (default true): every `evaluateEvery` epochs and at the last */
  evaluateEachEpoch?: boolean;
  /** epochs between evaluations when evaluateEachEpoch (default 1) */
  evaluateEvery?: number;
  /** a label for progress lines */
  label?: string;
  /** print progress lines (default: when the run takes more than a few seconds) */
  progress?: boolean;
  /**
   * called after every step (e.g. to probe at mini-batch k); a string returned ends training there,
   * with that reason (e.g. "collapsed": a result, not a failure)
   */
  onStep?: (step: number, info: { loss: number; lr: number }) => void | string | Promise<void | string>;
}

export interface EpochRecord {
  epoch: number;
  step: number;
  lr: number;
  trainLoss: number;
  trainAcc: number;
  testLoss: number | null;
  testAcc: number | null;
}

export interface TrainResult {
  diverged: null | { step: number; loss: number; reason: 'non-finite' | 'exceeded' };
  /** training ended before its last epoch for a reason other than divergence: the plateau rule's end, or onStep's */
  stopped: null | { step: number; reason: PlateauEnd | string };
  /** under a plateau rule: the step after which the rate was cut (null: never), and its windows */
  plateau?: { cutAt: number | null; ended: PlateauEnd | null; windows: WindowRecord[] };
  steps: number;
  firstLoss: number;
  history: EpochRecord[];
  /** per-step training losses */
  losses: number[];
  final: { testLoss: number | null; testAcc: number | null; trainLoss: number; trainAcc: number };
  imagesPerSecond: number;
  seconds: number;
}

export interface Evaluation {
  loss: number;
  accuracy: number;
}

/**
 * Loss and accuracy over a whole set, eval mode unless `training` (batch statistics) is asked for.
 * Reads asynchronously (webgpu under Node has no synchronous read), two reads per batch of 500.
 */
export async function evaluate(net: Net, ds: ImageSet, opts: { batchSize?: number; training?: boolean } = {}): Promise<Evaluation> {
  const bs = opts.batchSize ?? 500;
  let lossSum = 0;
  let correct = 0;
  for (let s = 0; s < ds.n; s += bs) {
    const count = Math.min(bs, ds.n - s);
    const [l, c] = tf.tidy(() => {
      const { x, y } = sliceToTensors(ds, s, count);
      const logits = net.forward(x, { training: opts.training ?? false });
      return [crossEntropy(logits, y).mul(count), correctCount(logits, y)];
    });
    try {
      const [lv, cv] = await Promise.all([l.data(), c.data()]);
      lossSum += lv[0]!;
      correct += cv[0]!;
    } finally {
      l.dispose();
      c.dispose();
    }
  }
  return { loss: lossSum / ds.n, accuracy: correct / ds.n };
}

/**
 * One SGD step on (x, y); returns the batch loss before the step and the number correct.
 * `microBatch` splits the batch and accumulates the gradients (the mean over the pieces), for
 * batches whose activations exceed the wasm backend's 4 GiB heap (ResNet-56 at 32x32 and batch
 * 128 needs ~6 GiB); BN then normalises with each piece's statistics. The loss and the count are
 * read asynchronously, once per (micro-)batch (webgpu under Node has no synchronous read); the
 * loss is needed before the update, which is skipped when it is not finite.
 */
export async function trainStep(
  net: Net,
  opt: Sgd,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  lr: number,
  opts: { microBatch?: number } = {},
): Promise<{ loss: number; correct: number }> {
  const vars = [...net.params.values()];
  const n = x.shape[0];
  const mb = Math.min(opts.microBatch ?? n, n);
  let lossSum = 0;
  let correct = 0;
  let acc: Record<string, tf.Tensor> | undefined;
  try {
    for (let s = 0; s < n; s += mb) {
      const count = Math.min(mb, n - s);
      const xs = mb === n ? x : x.slice([s, 0, 0, 0], [count, -1, -1, -1]);
      const ys = mb === n ? y : y.slice([s], [count]);
      let c: tf.Tensor | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const logits = net.forward(xs, { training: true, updateStats: true });
        c = tf.keep(correctCount(logits, ys));
        return crossEntropy(logits, ys);
      }, vars);
      if (xs !== x) tf.dispose([xs, ys]);
      // variableGrads keys gradients by tfjs variable name; the optimiser knows parameters by ours
      const weight = count / n;
      const next: Record<string, tf.Tensor> = {};
      for (const [name, v] of net.params) {
        const g = grads[v.name]!;
        next[name] = acc ? tf.tidy(() => acc![name]!.add(g.mul(weight))) : weight === 1 ? g : tf.tidy(() => g.mul(weight));
      }
      if (acc) tf.dispose(Object.values(acc));
      const kept = new Set(Object.values(next));
      for (const g of Object.values(grads)) if (!kept.has(g)) g.dispose();
      acc = next;
      try {
        const [cv, lv] = await Promise.all([c!.data(), value.data()]);
        correct += cv[0]!;
        lossSum += lv[0]! * count;
      } finally {
        tf.dispose([c!, value]);
      }
    }
    const loss = lossSum / n;
    if (Number.isFinite(loss)) opt.step(acc!, lr);
    return { loss, correct };
  } finally {
    if (acc) tf.dispose(Object.values(acc));
  }
}

export async function train(net: Net, data: { train: ImageSet; test?: ImageSet }, cfg: TrainConfig): Promise<TrainResult> {
  const { train: trainSet, test } = data;
  const opt = new Sgd(net.params, net.decayed, {
    momentum: cfg.momentum ?? PAPER_SGD.momentum,
    weightDecay: cfg.weightDecay ?? PAPER_SGD.weightDecay,
  });
  const factor = cfg.divergenceFactor ?? DIVERGENCE_FACTOR;
  const stepsPerEpoch = Math.floor(trainSet.n / cfg.batchSize);
  if (stepsPerEpoch < 1) throw new Error(`batch size ${cfg.batchSize} exceeds the training set (${trainSet.n} images)`);
  const plateau = cfg.schedule.kind === 'plateau' ? new Plateau(cfg.schedule) : undefined;
  const totalSteps = Math.min(cfg.epochs * stepsPerEpoch, cfg.maxSteps ?? Infinity, plateau?.rule.maxSteps ?? Infinity);
  const rateAt = (step: number) => (plateau ? plateau.lr() : lrAt(cfg.schedule as Schedule, step / totalSteps));
  const t0 = performance.now();
  let lastPrint = t0;
  const label = cfg.label ?? net.description;
  const shouldPrint = (now: number) => cfg.progress ?? now - t0 > 5000;

  const result: TrainResult = {
    diverged: null,
    stopped: null,
    steps: 0,
    firstLoss: NaN,
    history: [],
    losses: [],
    final: { testLoss: null, testAcc: null, trainLoss: NaN, trainAcc: NaN },
    imagesPerSecond: 0,
    seconds: 0,
  };
  let step = 0;
  try {
    outer: for (let epoch = 1; epoch <= cfg.epochs; epoch++) {
      if (step >= totalSteps || result.stopped) break;
      let epochLoss = 0;
      let epochCorrect = 0;
      let epochSeen = 0;
      for (const b of batches(trainSet, cfg.batchSize, cfg.seed, { dropLast: true, augment: cfg.augment ?? false, epoch })) {
        if (step >= totalSteps || result.stopped) break;
        const lr = rateAt(step);
        const { x, y } = batchToTensors(b, trainSet);
        let stepped: { loss: number; correct: number };
        try {
          stepped = await trainStep(net, opt, x, y, lr);
        } finally {
          x.dispose();
          y.dispose();
        }
        const { loss, correct } = stepped;
        step++;
        result.steps = step;
        result.losses.push(loss);
        if (step === 1) result.firstLoss = loss;
        if (!Number.isFinite(loss) || loss > factor * result.firstLoss) {
          result.diverged = { step, loss, reason: Number.isFinite(loss) ? 'exceeded' : 'non-finite' };
          if (cfg.progress !== false) console.log(`[train] ${label}: diverged at step ${step} (loss ${loss.toPrecision(3)}, lr ${lr})`);
          break outer;
        }
        epochLoss += loss * b.n;
        epochCorrect += correct;
        epochSeen += b.n;
        const end = plateau?.observe(loss, correct, b.n) ?? null;
        const asked = await cfg.onStep?.(step, { loss, lr });
        if (end !== null && end !== 'step cap') result.stopped = { step, reason: end };
        else if (typeof asked === 'string') result.stopped = { step, reason: asked };
        const now = performance.now();
        if (shouldPrint(now) && now - lastPrint > 10_000) {
          lastPrint = now;
          const ips = (step * cfg.batchSize) / ((now - t0) / 1000);
          console.log(
            `[train] ${label}: epoch ${epoch}/${cfg.epochs} step ${step}/${totalSteps} loss ${loss.toFixed(4)} ` +
              `acc ${(epochCorrect / epochSeen).toFixed(3)} lr ${lr.toPrecision(2)} ${ips.toFixed(1)} img/s`,
          );
        }
      }
      const rec: EpochRecord = {
        epoch,
        step,
        lr: plateau ? plateau.lr() : lrAt(cfg.schedule as Schedule, Math.min(step / totalSteps, 0.999999)),
        trainLoss: epochSeen ? epochLoss / epochSeen : NaN,
        trainAcc: epochSeen ? epochCorrect / epochSeen : NaN,
        testLoss: null,
        testAcc: null,
      };
      const lastEpoch = epoch === cfg.epochs || step >= totalSteps || result.stopped !== null;
      if (test && (cfg.evaluateEachEpoch ?? true) && (epoch % (cfg.evaluateEvery ?? 1) === 0 || lastEpoch)) {
        const ev = await evaluate(net, test);
        rec.testLoss = ev.loss;
        rec.testAcc = ev.accuracy;
      }
      result.history.push(rec);
      if (result.stopped && cfg.progress !== false) console.log(`[train] ${label}: stopped at step ${step}: ${result.stopped.reason}`);
      if (shouldPrint(performance.now()))
        console.log(
          `[train] ${label}: epoch ${epoch}/${cfg.epochs} done: train loss ${rec.trainLoss.toFixed(4)} acc ${rec.trainAcc.toFixed(3)}` +
            (rec.testAcc !== null ? `, test acc ${rec.testAcc.toFixed(3)}` : ''),
        );
    }
  } finally {
    opt.dispose();
  }
  if (plateau) result.plateau = { cutAt: plateau.cutAt, ended: plateau.ended, windows: plateau.windows };
  const last = result.history[result.history.length - 1];
  result.final.trainLoss = last?.trainLoss ?? NaN;
  result.final.trainAcc = last?.trainAcc ?? NaN;
  if (!result.diverged && test) {
    if (last?.testAcc != null && last.step === step) {
      result.final.testLoss = last.testLoss;
      result.final.testAcc = last.testAcc;
    } else {
      const ev = await evaluate(net, test);
      result.final.testLoss = ev.loss;
      result.final.testAcc = ev.accuracy;
    }
  }
  result.seconds = (performance.now() - t0) / 1000;
  result.imagesPerSecond = (step * cfg.batchSize) / result.seconds;
  return result;
}
