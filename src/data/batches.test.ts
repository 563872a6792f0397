import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchCount, batches, epochOrder } from './batches';
import { classCounts, type Dataset, take } from './dataset';
import { subset, subsetIndices } from './subset';

/** Example i has every pixel equal to i and label i % k, so rows can be traced through batching. */
function traceable(n: number, k = 10, size = 6): Dataset {
  const images = new Float32Array(n * size);
  for (let i = 0; i < n; i++) images.fill(i, i * size, (i + 1) * size);
  const labels = Uint8Array.from({ length: n }, (_, i) => i % k);
  return { name: 'trace', images, labels, n, height: 1, width: 2, channels: 3, numClasses: k };
}

const all = (ds: Dataset, bs: number, seed: number, opts = {}) => [...batches(ds, bs, seed, opts)];

describe('batches', () => {
  it('covers each example exactly once per epoch, with rows and labels kept together', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 0, max: 1e6 }),
        fc.nat(5),
        (n, bs, seed, epoch) => {
          const ds = traceable(n);
          const bs_ = all(ds, bs, seed, { epoch });
          expect(bs_.length).toBe(batchCount(n, bs));
          const seen = bs_.flatMap((b) => Array.from(b.indices));
          expect(seen.slice().sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
          for (const b of bs_.slice(0, -1)) expect(b.n).toBe(bs);
          for (const b of bs_) {
            expect(b.images.length).toBe(b.n * 6);
            for (let j = 0; j < b.n; j++) {
              expect(b.images[j * 6 + 5]).toBe(b.indices[j]);
              expect(b.labels[j]).toBe(b.indices[j]! % 10);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('dropLast drops only the short final batch', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 50 }), fc.nat(1000), (n, bs, seed) => {
        const got = all(traceable(n), bs, seed, { dropLast: true });
        expect(got.length).toBe(Math.floor(n / bs));
        expect(got.every((b) => b.n === bs)).toBe(true);
        const seen = new Set(got.flatMap((b) => Array.from(b.indices)));
        expect(seen.size).toBe(Math.floor(n / bs) * bs);
      }),
    );
  });

  it('is deterministic in (seed, epoch), differs between seeds and epochs, and shuffle:false keeps order', () => {
    const ds = traceable(100);
    const order = (seed: number, epoch: number) => all(ds, 32, seed, { epoch }).flatMap((b) => Array.from(b.indices));
    expect(order(3, 0)).toEqual(order(3, 0));
    expect(order(3, 0)).toEqual(Array.from(epochOrder(100, 3, 0)));
    expect(order(3, 1)).not.toEqual(order(3, 0));
    expect(order(4, 0)).not.toEqual(order(3, 0));
    const inOrder = all(ds, 32, 3, { shuffle: false }).flatMap((b) => Array.from(b.indices));
    expect(inOrder).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('augmentation changes pixels but not which examples come in which order, and repeats per seed', () => {
    const n = 40;
    const ds: Dataset = { ...traceable(n, 10, 16 * 3), name: 'cifar10', height: 4, width: 4, channels: 3 };
    for (let i = 0; i < ds.images.length; i++) ds.images[i] = 1 + (i % 97);
    const plain = all(ds, 16, 9, { epoch: 2 });
    const aug = all(ds, 16, 9, { epoch: 2, augment: { pad: 1, flip: true } });
    const again = all(ds, 16, 9, { epoch: 2, augment: { pad: 1, flip: true } });
    expect(aug.map((b) => Array.from(b.indices))).toEqual(plain.map((b) => Array.from(b.indices)));
    expect(aug.map((b) => Array.from(b.images))).toEqual(again.map((b) => Array.from(b.images)));
    expect(aug.some((b, k) => b.images.some((v, i) => v !== plain[k]!.images[i]))).toBe(true);
    // augment: true = the dataset's default: CIFAR-10's pad 4 + flip, pad rescaled with the width (4 px → pad 1).
    expect(all(ds, 16, 9, { epoch: 2, augment: true }).map((b) => Array.from(b.images))).toEqual(aug.map((b) => Array.from(b.images)));
    // A pad that does not fit the images is a clear error, not a silent no-op.
    expect(() => all(ds, 16, 9, { augment: { pad: 4, flip: false } })).toThrow(/pad/);
  });

  it('rejects a bad batch size', () => {
    expect(() => all(traceable(5), 0, 1)).toThrow(/batchSize/);
  });
});

describe('subset', () => {
  it('balanced subsets have class counts within one of each other, distinct indices, in order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 400 }),
        fc.integer({ min: 2, max: 10 }),
        fc.nat(1e6),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n, k, seed, frac) => {
          const ds = traceable(n, k);
          const m = Math.floor(frac * n);
          const idx = subsetIndices(ds.labels, k, m, seed);
          expect(idx.length).toBe(m);
          expect(new Set(idx).size).toBe(m);
          for (let i = 1; i < m; i++) expect(idx[i]).toBeGreaterThan(idx[i - 1]!);
          // traceable() has classes of size floor(n/k) or ceil(n/k): a balanced draw must stay within one
          // of equal unless a class runs out.
          const counts = classCounts(take(ds, idx));
          const cap = Math.floor(n / k);
          if (m <= cap * k) expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
          expect(Array.from(subsetIndices(ds.labels, k, m, seed))).toEqual(Array.from(idx));
        },
      ),
      { numRuns: 80 },
    );
  });

  it('gives unrelated subsets for different seeds, and unbalanced subsets of the right size', () => {
    const ds = traceable(1000);
    const a = new Set(subset(ds, 100, 1).images.filter((_, i) => i % 6 === 0));
    const b = new Set(subset(ds, 100, 2).images.filter((_, i) => i % 6 === 0));
    const overlap = [...a].filter((x) => b.has(x)).length;
    expect(overlap).toBeLessThan(30); // expected 10
    const u = subset(ds, 123, 5, { balanced: false });
    expect(u.n).toBe(123);
    expect(new Set(u.images).size).toBe(123);
  });

  it('refuses to make a subset larger than the dataset', () => {
    expect(() => subset(traceable(5), 6, 0)).toThrow(/only 5/);
  });
});
