/**
 * What the claim specs share: the scale each profile runs at, the data they probe and train on,
 * and the network factory that honours BN_FAULT. A claim spec states its own experiment; the
 * numbers that make a profile (depth, width, resolution, seeds) live here, once.
 *
 * smoke: minutes on a 2-core CPU. Depth is kept at the paper's 110 where the effect needs depth
 *   (with Glorot initialisation an unnormalised ResNet-56 barely diverges; see paper/CLAIMS.md),
 *   and the cost is cut by width (8 instead of 16: Glorot's variance gain per layer does not
 *   depend on width), by resolution (Fashion-MNIST average-pooled 28x28 → 14x14) and by the batch of the step-size scans.
 * full: the training claims at a scale where their preconditions can be met on a CPU (see
 *   TRAINING_SCALES.full); everything else as smoke.
 * paper: ResNet-110, width 16, full resolution, CIFAR-10 when BN_DATA=cifar10:DIR, 5 seeds.
 */
import * as tf from '@tensorflow/tfjs';
import { assertFitsBackend } from '../backend/memory';
import { config, type Profile } from '../config';
import type { Dataset, Split } from '../data/dataset';
import { loadData } from '../data/load';
import { subset } from '../data/subset';
import { downsample } from '../data/transforms';
import { buildResNet, type BnPlacement, type Init, type Net } from '../nets';
import { deriveSeed } from '../rng';
import { sliceToTensors } from '../train/tensors';

export interface ProfileScale {
  profile: Profile;
  /** depth of the deep ResNet probed at initialisation */
  depth: number;
  width: number;
  /** average-pool factor applied to the images (1 = full resolution) */
  downsample: number;
  /** batch for probes at initialisation (the paper's 128) */
  batch: number;
  /**
   * batch for the step-size scans of divergence-vs-step-size (16 step sizes × 3 mini-batches × 2
   * nets per seed): smaller at smoke. Everything else uses `batch`, the paper's: statistics over a
   * batch change with its size (a sum of N random-sign terms has |Σ|/Σ|·| ~ 1/√N; kurtosis and
   * per-layer variances are estimated from it), and at batch 64 three init claims moved.
   */
  scanBatch: number;
  /** seeds for claims that compare across seeds */
  seeds: number;
}

export const SCALES: Record<Profile, ProfileScale> = {
  smoke: { profile: 'smoke', depth: 110, width: 8, downsample: 2, batch: 128, scanBatch: 64, seeds: 5 },
  // full: the initialisation claims as at smoke (they are conclusive there); only the training
  // claims scale up (TRAINING_SCALES.full in src/runs)
  full: { profile: 'full', depth: 110, width: 8, downsample: 2, batch: 128, scanBatch: 64, seeds: 5 },
  paper: { profile: 'paper', depth: 110, width: 16, downsample: 1, batch: 128, scanBatch: 128, seeds: 5 },
};

/** The active profile's scale; BN_SEEDS, when set, overrides its number of seeds. */
export function scale(): ProfileScale {
  const s = SCALES[config().profile];
  const n = config().seeds;
  return n === undefined ? s : { ...s, seeds: n };
}

/** Seeds for a claim: BN_SEED, BN_SEED+1, ... */
export function seeds(n = scale().seeds): number[] {
  return Array.from({ length: n }, (_, i) => config().seed + i);
}

const dataCache = new Map<string, Split>();

/**
 * The active dataset (BN_DATA) at the active profile's resolution, normalised per channel,
 * limited to balanced seeded subsets when asked. Cached per process.
 */
export function claimData(opts: { trainLimit?: number; testLimit?: number } = {}): Split {
  const key = `${config().dataName}|${opts.trainLimit}|${opts.testLimit}|${scale().downsample}`;
  let split = dataCache.get(key);
  if (!split) {
    const raw = loadData(config().data, { trainLimit: opts.trainLimit, testLimit: opts.testLimit, seed: config().seed });
    const f = scale().downsample;
    split = f > 1 ? { ...raw, train: downsample(raw.train, f), test: downsample(raw.test, f) } : raw;
    dataCache.set(key, split);
  }
  return split;
}

/** A human-readable name of the data a claim ran on, for records. */
export function dataName(ds: Dataset): string {
  return `${ds.name}, ${ds.height}x${ds.width}x${ds.channels}`;
}

/** A seeded batch of `size` training images as tensors (the caller disposes). */
export function probeBatch(ds: Dataset, size: number, seed: number): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const sub = subset(ds, size, deriveSeed(seed, 0xba7c), { balanced: false });
  return sliceToTensors(sub, 0, sub.n);
}

/**
 * A ResNet for the active data and profile; BN_FAULT=bn-no-normalise breaks its BN on purpose.
 * On wasm, a net whose gradient at the profile's batch cannot fit the 4 GiB heap stops the claim
 * here, before it computes, with one line saying what to use instead (src/backend/memory.ts).
 * The profile's deep net (no depth given) is checked with BN on every conv whatever `bn` is: the
 * claims that build it compare it with and without BN, so they stop at their first net rather
 * than after computing the unnormalised one.
 */
export function makeResNet(o: {
  depth?: number;
  width?: number;
  bn: BnPlacement;
  seed: number;
  init?: Init;
  data: Dataset;
  /** 'zero': the classifier's weights and bias start at zero (logits 0, loss ln classes); default 'init' */
  classifier?: 'init' | 'zero';
}): Net {
  const depth = o.depth ?? scale().depth,
    width = o.width ?? scale().width;
  const batch = Math.max(scale().batch, scale().scanBatch);
  assertFitsBackend(tf.getBackend(), {
    depth,
    width,
    bn: o.depth === undefined ? 'all' : o.bn,
    batch,
    height: o.data.height,
    imageWidth: o.data.width,
    channels: o.data.channels,
  });
  const net = buildResNet({
    depth,
    width,
    inChannels: o.data.channels,
    numClasses: o.data.numClasses,
    bn: o.bn,
    init: o.init ?? 'glorot',
    seed: o.seed,
    bnMode: config().fault === 'bn-no-normalise' ? 'no-normalise' : 'batch',
  });
  if (o.classifier === 'zero')
    for (const name of ['fc.w', 'fc.b']) {
      const v = net.params.get(name);
      if (!v) throw new Error(`makeResNet: ${net.description} has no classifier parameter ${name}`);
      tf.tidy(() => v.assign(tf.zerosLike(v)));
    }
  return net;
}
export { disposing, type Disposable } from './dispose';
