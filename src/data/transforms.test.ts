import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Dataset, DataError } from './dataset';
import { Rng } from '../rng';
import {
  augmentBatch,
  CIFAR10_AUGMENT,
  channelStats,
  defaultAugment,
  downsample,
  FASHION_MNIST_AUGMENT,
  NO_AUGMENT,
  normalise,
  normaliseSplit,
  shiftFlipInto,
} from './transforms';

/** A dataset of n HWC images with pixel values from `f`. */
function makeDs(n: number, h: number, w: number, c: number, f: (i: number) => number, name = 'test'): Dataset {
  const images = Float32Array.from({ length: n * h * w * c }, (_, i) => f(i));
  return { name, images, labels: new Uint8Array(n), n, height: h, width: w, channels: c, numClasses: 1 };
}

const sorted = (a: ArrayLike<number>) => Array.from(a).sort((x, y) => x - y);

/** One image (h*w*c floats, HWC) shifted by (dy, dx) with zero fill, or mirrored left-right. */
function shiftCrop(img: Float32Array, h: number, w: number, c: number, dy: number, dx: number): Float32Array {
  const out = new Float32Array(h * w * c);
  shiftFlipInto(img, 0, out, 0, h, w, c, dy, dx, false);
  return out;
}
function flipHorizontal(img: Float32Array, h: number, w: number, c: number): Float32Array {
  const out = new Float32Array(h * w * c);
  shiftFlipInto(img, 0, out, 0, h, w, c, 0, 0, true);
  return out;
}

/** Image shape plus an image with strictly positive pixels (so padding zeros are recognisable). */
const imageArb = fc
  .record({ h: fc.integer({ min: 1, max: 7 }), w: fc.integer({ min: 1, max: 7 }), c: fc.integer({ min: 1, max: 3 }) })
  .chain(({ h, w, c }) =>
    fc.record({
      h: fc.constant(h),
      w: fc.constant(w),
      c: fc.constant(c),
      img: fc.array(fc.integer({ min: 1, max: 255 }), { minLength: h * w * c, maxLength: h * w * c }).map((a) => Float32Array.from(a)),
    }),
  );

describe('per-channel normalisation', () => {
  it('gives mean ≈ 0 and std ≈ 1 per channel on the train split, and uses the train statistics on test', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 20 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 1e6 }),
        fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 4, maxLength: 4 }),
        fc.array(fc.double({ min: 0.1, max: 20, noNaN: true }), { minLength: 4, maxLength: 4 }),
        (n, c, seed, offsets, scales) => {
          const rng = new Rng(seed);
          const gen = (i: number) => offsets[i % c]! + scales[i % c]! * rng.normal();
          const train = makeDs(n, 3, 3, c, gen);
          const test = makeDs(5, 3, 3, c, gen);
          const { train: nt, test: ns, normalisation } = normaliseSplit({ train, test });
          const after = channelStats(nt);
          for (let ch = 0; ch < c; ch++) {
            expect(Math.abs(after.mean[ch]!)).toBeLessThan(1e-4);
            expect(Math.abs(after.std[ch]! - 1)).toBeLessThan(1e-4);
          }
          for (let i = 0; i < test.images.length; i++) {
            const ch = i % c;
            expect(ns.images[i]).toBeCloseTo((test.images[i]! - normalisation.mean[ch]!) / normalisation.std[ch]!, 4);
          }
          expect(normalisation).toEqual(channelStats(train));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('computes statistics per channel, not over all values', () => {
    // channel 0 is always 1, channel 1 alternates 0/4: means 1 and 2, stds 0 and 2.
    const ds = makeDs(2, 1, 2, 2, (i) => (i % 2 === 0 ? 1 : (i >> 1) % 2 === 0 ? 0 : 4));
    expect(channelStats(ds)).toEqual({ mean: [1, 2], std: [0, 2] });
  });

  it('refuses a constant channel and mismatched statistics with a clear error', () => {
    const ds = makeDs(3, 2, 2, 2, (i) => (i % 2 === 0 ? 5 : i));
    expect(() => normalise(ds, channelStats(ds))).toThrow(/channel 0 has standard deviation 0/);
    expect(() => normalise(ds, { mean: [0], std: [1] })).toThrow(DataError);
  });
});

describe('crop and flip', () => {
  it('flip preserves the pixel multiset, mirrors columns, and is an involution', () => {
    fc.assert(
      fc.property(imageArb, ({ h, w, c, img }) => {
        const f = flipHorizontal(img, h, w, c);
        expect(sorted(f)).toEqual(sorted(img));
        expect(Array.from(flipHorizontal(f, h, w, c))).toEqual(Array.from(img));
        for (let y = 0; y < h; y++)
          for (let x = 0; x < w; x++)
            for (let ch = 0; ch < c; ch++) {
              expect(f[(y * w + x) * c + ch]).toBe(img[(y * w + (w - 1 - x)) * c + ch]);
            }
      }),
    );
  });

  it('a zero shift is the identity; any shift keeps the overlapping window and zero-fills the rest', () => {
    fc.assert(
      fc.property(imageArb, fc.integer({ min: -4, max: 4 }), fc.integer({ min: -4, max: 4 }), ({ h, w, c, img }, dy, dx) => {
        expect(Array.from(shiftCrop(img, h, w, c, 0, 0))).toEqual(Array.from(img));
        const out = shiftCrop(img, h, w, c, dy, dx);
        const kept = Math.max(0, h - Math.abs(dy)) * Math.max(0, w - Math.abs(dx));
        // Pixels are >= 1, so zeros are exactly the padding: h*w - kept positions, all channels.
        expect(out.filter((v) => v === 0).length).toBe((h * w - kept) * c);
        // The non-zero pixels are exactly the source's pixels in the shifted window.
        const window: number[] = [];
        for (let y = Math.max(0, dy); y < Math.min(h, h + dy); y++) {
          for (let x = Math.max(0, dx); x < Math.min(w, w + dx); x++)
            for (let ch = 0; ch < c; ch++) window.push(img[(y * w + x) * c + ch]!);
        }
        expect(sorted(out.filter((v) => v !== 0))).toEqual(sorted(window));
        for (let y = 0; y < h; y++)
          for (let x = 0; x < w; x++) {
            const sy = y + dy;
            const sx = x + dx;
            const inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
            expect(out[(y * w + x) * c]).toBe(inside ? img[(sy * w + sx) * c] : 0);
          }
      }),
    );
  });

  it('augmentBatch turns each image into one of its pad-crop-flip candidates, seed-deterministically', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 3, max: 6 }),
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 0, max: 2 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 1e6 }),
        (n, side, c, pad, flip, seed) => {
          const size = side * side * c;
          const images = Float32Array.from({ length: n * size }, (_, i) => 1 + ((i * 7919) % 1000));
          const shape = { height: side, width: side, channels: c };
          const out = augmentBatch(images, n, shape, { pad, flip }, new Rng(seed));
          expect(Array.from(augmentBatch(images, n, shape, { pad, flip }, new Rng(seed)))).toEqual(Array.from(out));
          for (let i = 0; i < n; i++) {
            const src = images.subarray(i * size, (i + 1) * size);
            const got = Array.from(out.subarray(i * size, (i + 1) * size));
            let found = false;
            for (let dy = -pad; dy <= pad && !found; dy++)
              for (let dx = -pad; dx <= pad && !found; dx++)
                for (const fl of flip ? [false, true] : [false]) {
                  const cand = new Float32Array(size);
                  shiftFlipInto(src, 0, cand, 0, side, side, c, dy, dx, fl);
                  if (Array.from(cand).every((v, k) => v === got[k])) found = true;
                }
            expect(found).toBe(true);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('no augmentation is the identity; flips happen about half the time; shifts cover [-pad, pad]', () => {
    const n = 2000;
    const side = 5;
    // Image i: a single bright pixel at the centre-left, so flip and shift are readable from where it lands.
    const images = new Float32Array(n * side * side);
    for (let i = 0; i < n; i++) images[i * 25 + 2 * side + 1] = 1;
    expect(Array.from(augmentBatch(images, n, { height: side, width: side, channels: 1 }, NO_AUGMENT, new Rng(1)))).toEqual(
      Array.from(images),
    );
    const out = augmentBatch(images, n, { height: side, width: side, channels: 1 }, { pad: 1, flip: true }, new Rng(1));
    const xs = new Map<number, number>();
    const ys = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const at = out.subarray(i * 25, (i + 1) * 25).indexOf(1);
      expect(at).toBeGreaterThanOrEqual(0); // the pixel is 1 away from the edges, pad 1 never drops it
      xs.set(at % side, (xs.get(at % side) ?? 0) + 1);
      ys.set(Math.floor(at / side), (ys.get(Math.floor(at / side)) ?? 0) + 1);
    }
    // x = 1 - dx unflipped (0..2), 3 - dx flipped (2..4); x = 2 arises both ways.
    const flipped = (xs.get(3) ?? 0) + (xs.get(4) ?? 0) + (xs.get(2) ?? 0) / 2;
    expect(flipped / n).toBeGreaterThan(0.45);
    expect(flipped / n).toBeLessThan(0.55);
    expect([...ys.keys()].sort()).toEqual([1, 2, 3]);
    for (const y of [1, 2, 3]) expect(ys.get(y)! / n).toBeGreaterThan(0.28); // each of 3 shifts ≈ 1/3
  });

  it('rejects a pad as large as the image', () => {
    expect(() => augmentBatch(new Float32Array(4), 1, { height: 2, width: 2, channels: 1 }, { pad: 2, flip: false }, new Rng(0))).toThrow(
      /pad/,
    );
  });

  it('default augmentation: paper for CIFAR-10, pad 2 without flip for Fashion-MNIST, none for synthetic', () => {
    expect(defaultAugment({ name: 'cifar10', width: 32 })).toEqual(CIFAR10_AUGMENT);
    expect(CIFAR10_AUGMENT).toEqual({ pad: 4, flip: true });
    expect(defaultAugment({ name: 'cifar10 (downsampled 2x)', width: 16 })).toEqual({ pad: 2, flip: true });
    expect(defaultAugment({ name: 'fashion-mnist (embedded subset)', width: 28 })).toEqual(FASHION_MNIST_AUGMENT);
    expect(FASHION_MNIST_AUGMENT).toEqual({ pad: 2, flip: false });
    expect(defaultAugment({ name: 'synthetic', width: 28 })).toEqual(NO_AUGMENT);
  });
});

describe('downsample', () => {
  it('average-pools by the factor and keeps the mean of every channel', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        (n, k, f, c) => {
          const side = k * f;
          const ds = makeDs(n, side, side, c, (i) => (i * 13) % 17);
          const d = downsample(ds, f);
          expect([d.n, d.height, d.width, d.channels]).toEqual([n, k, k, c]);
          const a = channelStats(ds).mean;
          const b = channelStats(d).mean;
          a.forEach((m, ch) => expect(b[ch]).toBeCloseTo(m, 4));
        },
      ),
    );
    const ds = makeDs(1, 2, 2, 1, (i) => [1, 2, 3, 6][i]!);
    expect(Array.from(downsample(ds, 2).images)).toEqual([3]);
    expect(() =>
      downsample(
        makeDs(1, 3, 3, 1, () => 0),
        2,
      ),
    ).toThrow(/not divisible by 2/);
  });
});
