/**
 * What is done to pixels between the file and the network: per-channel normalisation (once, on
 * load), augmentation (per batch, seeded) and optional down-sampling for cheap smoke runs.
 *
 * Normalisation follows the paper's setup: each channel's mean and standard deviation are
 * computed on the train split and applied to both splits (the test set must not leak into them).
 *
 * Augmentation, per dataset:
 *  - CIFAR-10: the paper's (He et al.'s) standard one: pad 4 pixels with zeros on each side,
 *    crop a random 32x32 window back out, flip horizontally with probability 0.5.
 *  - Fashion-MNIST: pad 2 + random 28x28 crop, and NO horizontal flip. Why no flip: the dataset's
 *    product photos are aligned, and the footwear always faces the same way. In the full train
 *    set 99.4 % of sneakers and 100 % of ankle boots have more ink in the right half, and their
 *    mean images differ from their mirror images by 65 % and 95 % (relative L2), against ~10 %
 *    for the tops. Flipping would train on mirrored shoes the test set never shows, making the
 *    task harder for no gain, whereas small shifts are what a photo's framing varies by.
 *    The pad is 2 rather than 4 because the images are smaller (28 vs 32) with the object
 *    filling most of the frame; 2/28 is about the same relative shift as 4/32.
 *  - synthetic: none (its pixels are i.i.d.; shifting them means nothing).
 *
 * Padding is with zeros *after* normalisation, i.e. with the channel mean. torchvision's
 * RandomCrop pads the raw image with black instead; for the claims here (relative effects of BN
 * at equal augmentation) the two are interchangeable, and zero is what tf/airbench-style
 * pipelines that normalise first do.
 */
import { type ChannelStats, type Dataset, DataError, imageSize } from './dataset';
import type { Rng } from '../rng';

// ---------------------------------------------------------------------------------------------
// Normalisation

/** Per-channel mean and (population) standard deviation, accumulated in float64, two passes. */
export function channelStats(ds: Dataset): ChannelStats {
  const c = ds.channels;
  const count = ds.n * ds.height * ds.width;
  if (count === 0) throw new DataError(ds.name, 'cannot compute channel statistics of an empty dataset');
  const x = ds.images;
  const mean: number[] = [];
  const std: number[] = [];
  for (let ch = 0; ch < c; ch++) {
    let sum = 0;
    for (let i = ch; i < x.length; i += c) sum += x[i]!;
    const m = sum / count;
    let sq = 0;
    for (let i = ch; i < x.length; i += c) sq += (x[i]! - m) * (x[i]! - m);
    mean.push(m);
    std.push(Math.sqrt(sq / count));
  }
  return { mean, std };
}

/** (x - mean) / std per channel, into a new dataset. */
export function normalise(ds: Dataset, stats: ChannelStats): Dataset {
  const c = ds.channels;
  if (stats.mean.length !== c || stats.std.length !== c) {
    throw new DataError(ds.name, `normalisation statistics have ${stats.mean.length} channels, the images ${c}`);
  }
  stats.std.forEach((s, ch) => {
    // A constant channel has no scale to divide by; that is a data problem, not something to paper over with an epsilon.
    if (!(s > 1e-12)) throw new DataError(ds.name, `channel ${ch} has standard deviation ${s}; cannot normalise a constant channel`);
  });
  const x = ds.images;
  const images = new Float32Array(x.length);
  for (let ch = 0; ch < c; ch++) {
    const m = stats.mean[ch]!;
    const inv = 1 / stats.std[ch]!;
    for (let i = ch; i < x.length; i += c) images[i] = (x[i]! - m) * inv;
  }
  return { ...ds, images };
}

/** Normalise both splits with the train split's statistics. */
export function normaliseSplit(split: { train: Dataset; test: Dataset }): { train: Dataset; test: Dataset; normalisation: ChannelStats } {
  const normalisation = channelStats(split.train);
  return { train: normalise(split.train, normalisation), test: normalise(split.test, normalisation), normalisation };
}

// ---------------------------------------------------------------------------------------------
// Augmentation

export interface AugmentSpec {
  /** Pixels of zero padding on each side before the random crop back to the original size (0 = no crop). */
  pad: number;
  /** Flip horizontally with probability 0.5. */
  flip: boolean;
}

export const NO_AUGMENT: AugmentSpec = { pad: 0, flip: false };
/** The paper's CIFAR-10 augmentation. */
export const CIFAR10_AUGMENT: AugmentSpec = { pad: 4, flip: true };
/** Our Fashion-MNIST choice (see the module comment for why no flip). */
export const FASHION_MNIST_AUGMENT: AugmentSpec = { pad: 2, flip: false };

/**
 * The augmentation for a dataset, chosen by its name; the pad scales with the width when the
 * images were down-sampled (pad 4 at 32 px → 2 at 16 px), so the relative shift stays the paper's.
 */
export function defaultAugment(ds: Pick<Dataset, 'name' | 'width'>): AugmentSpec {
  const scaled = (spec: AugmentSpec, nativeWidth: number): AugmentSpec =>
    ds.width === nativeWidth ? spec : { ...spec, pad: Math.max(1, Math.round((spec.pad * ds.width) / nativeWidth)) };
  if (ds.name.startsWith('cifar10')) return scaled(CIFAR10_AUGMENT, 32);
  if (ds.name.startsWith('fashion-mnist')) return scaled(FASHION_MNIST_AUGMENT, 28);
  return NO_AUGMENT;
}

/**
 * Write into `dst` the image `src` shifted by (dy, dx) with zeros coming in at the edges,
 * then mirrored left-right when `flip`: dst[y][x] = src[y+dy][x'+dx], x' = flip ? w-1-x : x.
 * A shift by (dy, dx) is the same as padding by p >= |dy|, |dx| and cropping at (p+dy, p+dx).
 */
export function shiftFlipInto(
  src: Float32Array,
  srcOff: number,
  dst: Float32Array,
  dstOff: number,
  h: number,
  w: number,
  c: number,
  dy: number,
  dx: number,
  flip: boolean,
): void {
  for (let y = 0; y < h; y++) {
    const sy = y + dy;
    const rowOut = dstOff + y * w * c;
    if (sy < 0 || sy >= h) {
      dst.fill(0, rowOut, rowOut + w * c);
      continue;
    }
    const rowIn = srcOff + sy * w * c;
    for (let x = 0; x < w; x++) {
      const sx = (flip ? w - 1 - x : x) + dx;
      const o = rowOut + x * c;
      if (sx < 0 || sx >= w) {
        for (let ch = 0; ch < c; ch++) dst[o + ch] = 0;
      } else {
        const s = rowIn + sx * c;
        for (let ch = 0; ch < c; ch++) dst[o + ch] = src[s + ch]!;
      }
    }
  }
}

/**
 * Augment a batch of n HWC images into a new array: for each image an independent uniform
 * crop offset in [-pad, pad]^2 and, when `spec.flip`, a fair coin for the flip.
 */
export function augmentBatch(
  images: Float32Array,
  n: number,
  shape: { height: number; width: number; channels: number },
  spec: AugmentSpec,
  rng: Rng,
): Float32Array {
  const { height: h, width: w, channels: c } = shape;
  const size = h * w * c;
  if (images.length !== n * size) throw new RangeError(`augmentBatch: ${images.length} values for ${n} images of ${h}x${w}x${c}`);
  if (!Number.isInteger(spec.pad) || spec.pad < 0 || spec.pad >= Math.min(h, w)) {
    throw new RangeError(`augmentBatch: pad must be an integer in [0, ${Math.min(h, w)}), got ${spec.pad}`);
  }
  const out = new Float32Array(images.length);
  for (let i = 0; i < n; i++) {
    // Draw order is fixed (dy, dx, flip) so a given rng state always gives the same transform.
    const dy = spec.pad > 0 ? rng.int(2 * spec.pad + 1) - spec.pad : 0;
    const dx = spec.pad > 0 ? rng.int(2 * spec.pad + 1) - spec.pad : 0;
    const flip = spec.flip && rng.uniform() < 0.5;
    shiftFlipInto(images, i * size, out, i * size, h, w, c, dy, dx, flip);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Down-sampling

/**
 * Average-pool by `factor` in both spatial dims (e.g. 32x32 → 16x16 for factor 2): a cheap way
 * to make smoke runs 4x faster while keeping every image and label. Height and width must be
 * divisible by the factor.
 */
export function downsample(ds: Dataset, factor: number): Dataset {
  if (!Number.isInteger(factor) || factor < 1) throw new RangeError(`downsample: factor must be a positive integer, got ${factor}`);
  if (factor === 1) return ds;
  const { height: h, width: w, channels: c, n } = ds;
  if (h % factor !== 0 || w % factor !== 0) throw new RangeError(`downsample: ${h}x${w} images are not divisible by ${factor}`);
  const H = h / factor;
  const W = w / factor;
  const out = new Float32Array(n * H * W * c);
  const inv = 1 / (factor * factor);
  const size = imageSize(ds);
  for (let i = 0; i < n; i++) {
    for (let Y = 0; Y < H; Y++) {
      for (let X = 0; X < W; X++) {
        for (let ch = 0; ch < c; ch++) {
          let s = 0;
          for (let dy = 0; dy < factor; dy++) {
            for (let dx = 0; dx < factor; dx++) s += ds.images[i * size + ((Y * factor + dy) * w + X * factor + dx) * c + ch]!;
          }
          out[((i * H + Y) * W + X) * c + ch] = s * inv;
        }
      }
    }
  }
  return { ...ds, name: `${ds.name} (downsampled ${factor}x)`, images: out, height: H, width: W };
}
