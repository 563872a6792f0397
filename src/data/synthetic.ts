/**
 * Synthetic data: seeded Gaussian images, labels uniform over the classes.
 *
 * For probes at initialisation (gradient histograms, moments per layer) any input distribution
 * with unit-scale pixels does, and this one needs no files and costs nothing to make. So that
 * a training run on it has something to learn, each class adds a fixed Gaussian template times
 * `signal` to the noise:  x = signal * template[label] + N(0, 1).  With the default signal 0.1
 * on 28x28 images two class templates are ~4 noise-sd apart along the line joining them, so a
 * linear classifier can do well but not perfectly; `signal: 0` gives pure noise (labels then carry
 * no information, and any accuracy above chance is memorisation).
 *
 * The templates come from the seed alone, so a train and a test set made with the same seed
 * (`syntheticSplit`) share them and differ only in their noise and labels.
 */
import type { Dataset, Split } from './dataset';
import { deriveSeed, Rng } from '../rng';

export interface SyntheticShape {
  height: number;
  width: number;
  channels: number;
  numClasses: number;
}

export const SYNTHETIC_DEFAULT_SHAPE: SyntheticShape = { height: 28, width: 28, channels: 1, numClasses: 10 };
const SYNTHETIC_DEFAULT_SIGNAL = 0.1;

export interface SyntheticOptions extends Partial<SyntheticShape> {
  n: number;
  seed: number;
  /** Scale of the class templates added to the noise (default 0.1; 0 = labels independent of images). */
  signal?: number;
  /** Which draw of the noise and labels (0, 1, ...); the templates depend on `seed` only. */
  stream?: number;
}

const STREAM_TEMPLATES = 0x7e3;

function checkShape(s: SyntheticShape & { n: number; signal: number }): void {
  for (const k of ['n', 'height', 'width', 'channels', 'numClasses'] as const) {
    const v = s[k];
    const min = k === 'n' ? 0 : 1;
    if (!Number.isSafeInteger(v) || v < min) throw new RangeError(`synthetic: ${k} must be an integer >= ${min}, got ${v}`);
  }
  if (s.numClasses > 256) throw new RangeError(`synthetic: numClasses must be at most 256 (labels are bytes), got ${s.numClasses}`);
  if (!Number.isFinite(s.signal) || s.signal < 0) throw new RangeError(`synthetic: signal must be a finite number >= 0, got ${s.signal}`);
}

/** One synthetic dataset. Deterministic in all its options. */
export function synthetic(opts: SyntheticOptions): Dataset {
  const d = SYNTHETIC_DEFAULT_SHAPE;
  const { n, height = d.height, width = d.width, channels = d.channels, numClasses = d.numClasses } = opts;
  const signal = opts.signal ?? SYNTHETIC_DEFAULT_SIGNAL;
  checkShape({ n, height, width, channels, numClasses, signal });
  const size = height * width * channels;

  const templates = new Float32Array(numClasses * size);
  if (signal > 0) {
    const trng = new Rng(deriveSeed(opts.seed, STREAM_TEMPLATES));
    for (let i = 0; i < templates.length; i++) templates[i] = signal * trng.normal();
  }

  const rng = new Rng(deriveSeed(opts.seed, opts.stream ?? 0));
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) labels[i] = rng.int(numClasses);
  const images = new Float32Array(n * size);
  for (let i = 0; i < n; i++) {
    const t = labels[i]! * size;
    for (let p = 0; p < size; p++) images[i * size + p] = templates[t + p]! + rng.normal();
  }
  return { name: 'synthetic', images, labels, n, height, width, channels, numClasses };
}

/** A train and a test set sharing their class templates (streams 0 and 1 of the seed). */
export function syntheticSplit(opts: Omit<SyntheticOptions, 'n' | 'stream'> & { trainN: number; testN: number }): Split {
  const { trainN, testN, ...rest } = opts;
  return { train: synthetic({ ...rest, n: trainN, stream: 0 }), test: synthetic({ ...rest, n: testN, stream: 1 }) };
}
