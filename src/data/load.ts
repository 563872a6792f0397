/**
 * The one entry point the claims use: a DataSpec (from BN_DATA) → train and test splits.
 *
 *   const { train, test } = loadData(config().data, { trainLimit: 2000, seed: config().seed });
 *
 * Order of work: read bytes → take the (balanced, seeded) limited subsets → convert to floats in
 * [0, 1] → normalise per channel with the train split's statistics. Limits are taken before the
 * float copy so a small run on full CIFAR-10 does not allocate 600 MB.
 *
 * It is synchronous (files are read with readFileSync; the full Fashion-MNIST loads in about a
 * second), so `await loadData(...)` and `loadData(...)` both work.
 */
import type { DataSpec } from '../config';
import { type Dataset, type RawDataset, type Split, toFloat, validateDataset } from './dataset';
import { readCifar10 } from './cifar10';
import { readFashionMnist } from './fashion-mnist';
import { deriveSeed } from '../rng';
import { subset } from './subset';
import { SYNTHETIC_DEFAULT_SHAPE, type SyntheticShape, syntheticSplit } from './synthetic';
import { normaliseSplit } from './transforms';

export interface LoadOptions {
  /** Use at most this many train images: a balanced seeded subset when the split is larger. */
  trainLimit?: number;
  /** Use at most this many test images (balanced, seeded). */
  testLimit?: number;
  /** Per-channel normalisation with the train split's mean/std (default true). */
  normalise?: boolean;
  /** Seed for the subsets and for synthetic data (default 0). */
  seed?: number;
  /** Synthetic data only: image shape and class count (default 28x28x1, 10 classes), template scale. */
  synthetic?: Partial<SyntheticShape> & { signal?: number };
}

/** Synthetic split sizes when no limit is given: the same as the embedded Fashion-MNIST subset. */
const SYNTHETIC_DEFAULT_SIZES = { train: 10_000, test: 2_000 } as const;

const STREAM_TRAIN_SUBSET = 11;
const STREAM_TEST_SUBSET = 12;

function checkLimit(name: string, v: number | undefined): void {
  if (v !== undefined && (!Number.isSafeInteger(v) || v < 1))
    throw new RangeError(`loadData: ${name} must be a positive integer, got ${v}`);
}

function limit(ds: RawDataset, max: number | undefined, seed: number): RawDataset {
  return max === undefined || max >= ds.n ? ds : subset(ds, max, seed, { balanced: true });
}

export function loadData(spec: DataSpec, opts: LoadOptions = {}): Split {
  checkLimit('trainLimit', opts.trainLimit);
  checkLimit('testLimit', opts.testLimit);
  const seed = opts.seed ?? 0;
  let split: { train: Dataset; test: Dataset };
  if (spec.kind === 'synthetic') {
    split = syntheticSplit({
      ...SYNTHETIC_DEFAULT_SHAPE,
      ...opts.synthetic,
      seed,
      trainN: opts.trainLimit ?? SYNTHETIC_DEFAULT_SIZES.train,
      testN: opts.testLimit ?? SYNTHETIC_DEFAULT_SIZES.test,
    });
  } else {
    const raw = spec.kind === 'cifar10' ? readCifar10(spec.dir) : readFashionMnist(spec.dir);
    split = {
      train: toFloat(limit(raw.train, opts.trainLimit, deriveSeed(seed, STREAM_TRAIN_SUBSET))),
      test: toFloat(limit(raw.test, opts.testLimit, deriveSeed(seed, STREAM_TEST_SUBSET))),
    };
  }
  validateDataset(split.train, `${split.train.name} (train)`);
  validateDataset(split.test, `${split.test.name} (test)`);
  return opts.normalise === false ? split : normaliseSplit(split);
}
