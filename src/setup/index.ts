/**
 * What the claim specs share: the data they probe and train on at the active profile's scale
 * (src/profile.ts, re-exported here), and the network factory that honours BN_FAULT. A claim spec
 * states its own experiment; the numbers that make a profile (depth, width, resolution, seeds) live
 * in src/profile.ts, once.
 */
import * as tf from '@tensorflow/tfjs';
import { assertFitsBackend } from '../backend/memory';
import { config } from '../config';
import type { Dataset, Split } from '../data/dataset';
import { loadData } from '../data/load';
import { subset } from '../data/subset';
import { downsample } from '../data/transforms';
import { buildResNet, type BnPlacement, type Init, type Net } from '../nets';
import { scale } from '../profile';
import { deriveSeed } from '../rng';
import { sliceToTensors } from '../train/tensors';

/** The profiles' scales and seeds live in src/profile.ts; the claim specs take them from here. */
export { scale, seeds } from '../profile';

const dataCache = new Map<string, Split>();

/**
 * The active dataset (BN_DATA) at the active profile's resolution, normalised per channel,
 * limited to balanced seeded subsets when asked, drawn with `seed` (default BN_SEED; the training
 * claims pass BN_DATA_SEED). Cached per process.
 */
export function claimData(opts: { trainLimit?: number; testLimit?: number; seed?: number } = {}): Split {
  const seed = opts.seed ?? config().seed;
  const key = `${config().dataName}|${opts.trainLimit}|${opts.testLimit}|${scale().downsample}|${seed}`;
  let split = dataCache.get(key);
  if (!split) {
    const raw = loadData(config().data, { trainLimit: opts.trainLimit, testLimit: opts.testLimit, seed });
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
