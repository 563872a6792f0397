/**
 * Mini-batches for one epoch: a seeded shuffle, then consecutive slices of it.
 *
 * One call is one epoch; pass `epoch` so each epoch gets its own order (the order is a function
 * of (seed, epoch) only). The shuffle and the augmentation draw from separate streams, so
 * switching augmentation on or off leaves the order of examples unchanged, and a BN and a no-BN
 * arm given the same seed see exactly the same batches.
 */
import { type Dataset, gatherRows, imageSize } from './dataset';
import { deriveSeed, Rng } from '../rng';
import { type AugmentSpec, augmentBatch, defaultAugment } from './transforms';

export { subset, subsetIndices, type SubsetOptions } from './subset';

export interface Batch {
  /** n images, NHWC, a fresh array the caller may keep or hand to a tensor. */
  images: Float32Array;
  labels: Uint8Array;
  n: number;
  /** Which examples of the dataset these are (for tests and per-example probes). */
  indices: Uint32Array;
}

export interface BatchOptions {
  /** Drop the last batch when it would be smaller than batchSize (default false). */
  dropLast?: boolean;
  /** `true` = the dataset's default augmentation (see transforms.ts), a spec, or false/absent = none. */
  augment?: boolean | AugmentSpec;
  /** Epoch number, mixed into the seed so epochs differ (default 0). */
  epoch?: number;
  /** Shuffle (default true); false visits the examples in order, e.g. for evaluation. */
  shuffle?: boolean;
}

const STREAM_SHUFFLE = 1;
const STREAM_AUGMENT = 2;

/** The order examples are visited in during `epoch` (a permutation of 0..n-1). */
export function epochOrder(n: number, seed: number, epoch = 0): Uint32Array {
  return new Rng(deriveSeed(seed, STREAM_SHUFFLE, epoch)).permutation(n);
}

/** Number of batches one epoch yields. */
export function batchCount(n: number, batchSize: number, dropLast = false): number {
  return dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
}

export function* batches(ds: Dataset, batchSize: number, seed: number, opts: BatchOptions = {}): Generator<Batch, void, undefined> {
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batches: batchSize must be a positive integer, got ${batchSize}`);
  const epoch = opts.epoch ?? 0;
  const order = opts.shuffle === false ? Uint32Array.from({ length: ds.n }, (_, i) => i) : epochOrder(ds.n, seed, epoch);
  const spec = opts.augment === true ? defaultAugment(ds) : opts.augment || undefined;
  const augmenting = spec !== undefined && (spec.pad > 0 || spec.flip);
  const augRng = new Rng(deriveSeed(seed, STREAM_AUGMENT, epoch));
  const size = imageSize(ds);
  const count = batchCount(ds.n, batchSize, opts.dropLast);
  for (let b = 0; b < count; b++) {
    const indices = order.slice(b * batchSize, Math.min((b + 1) * batchSize, ds.n));
    let images = gatherRows(ds.images, size, indices);
    if (augmenting) images = augmentBatch(images, indices.length, ds, spec, augRng);
    yield { images, labels: gatherRows(ds.labels, 1, indices), n: indices.length, indices };
  }
}
