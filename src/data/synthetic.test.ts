import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classCounts, validateDataset } from './dataset';
import { synthetic, syntheticSplit } from './synthetic';

describe('synthetic data', () => {
  it('has the asked shape, valid labels, and is a pure function of its options', () => {
    fc.assert(
      fc.property(
        fc.record({
          n: fc.integer({ min: 0, max: 30 }),
          height: fc.integer({ min: 1, max: 6 }),
          width: fc.integer({ min: 1, max: 6 }),
          channels: fc.integer({ min: 1, max: 3 }),
          numClasses: fc.integer({ min: 1, max: 12 }),
          seed: fc.nat(1e6),
          signal: fc.double({ min: 0, max: 2, noNaN: true }),
        }),
        (o) => {
          const a = synthetic(o);
          validateDataset(a);
          expect([a.n, a.height, a.width, a.channels, a.numClasses]).toEqual([o.n, o.height, o.width, o.channels, o.numClasses]);
          const b = synthetic(o);
          expect(Array.from(b.images)).toEqual(Array.from(a.images));
          expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('defaults to 28x28x1 with 10 classes', () => {
    const d = synthetic({ n: 3, seed: 1 });
    expect([d.height, d.width, d.channels, d.numClasses, d.name]).toEqual([28, 28, 1, 10, 'synthetic']);
  });

  it('with signal 0: pixels are standard normal and labels uniform', () => {
    const d = synthetic({ n: 2000, height: 4, width: 4, channels: 1, seed: 3, signal: 0 });
    let s = 0;
    let s2 = 0;
    for (const v of d.images) {
      s += v;
      s2 += v * v;
    }
    const m = d.images.length;
    expect(Math.abs(s / m)).toBeLessThan(0.03); // se = 1/sqrt(32000) ≈ 0.0056
    expect(Math.abs(s2 / m - 1)).toBeLessThan(0.05); // se ≈ 0.008
    const chi2 = classCounts(d).reduce((a, c) => a + (c - 200) ** 2 / 200, 0);
    expect(chi2).toBeLessThan(27.9); // chi-square(9) 0.999 quantile
  });

  it('with signal: train and test share class templates, so the task is learnable', () => {
    const size = 8 * 8;
    const { train, test } = syntheticSplit({ trainN: 1000, testN: 300, height: 8, width: 8, channels: 1, seed: 5, signal: 0.5 });
    // Class means of train estimate the templates; a nearest-mean classifier should beat chance (10 %) by far on test.
    const means = Array.from({ length: 10 }, () => new Float64Array(size));
    const counts = classCounts(train);
    for (let i = 0; i < train.n; i++)
      for (let p = 0; p < size; p++) means[train.labels[i]!]![p]! += train.images[i * size + p]! / counts[train.labels[i]!]!;
    let correct = 0;
    for (let i = 0; i < test.n; i++) {
      let best = -1;
      let bestD = Infinity;
      for (let c = 0; c < 10; c++) {
        let d = 0;
        for (let p = 0; p < size; p++) d += (test.images[i * size + p]! - means[c]![p]!) ** 2;
        if (d < bestD) [best, bestD] = [c, d];
      }
      if (best === test.labels[i]) correct++;
    }
    expect(correct / test.n).toBeGreaterThan(0.6);
    // and the two splits are different draws
    expect(Array.from(test.images.subarray(0, size))).not.toEqual(Array.from(train.images.subarray(0, size)));
  });

  it('rejects impossible shapes', () => {
    expect(() => synthetic({ n: 2, seed: 0, height: 0 })).toThrow(/height/);
    expect(() => synthetic({ n: 2, seed: 0, numClasses: 300 })).toThrow(/numClasses/);
    expect(() => synthetic({ n: 2, seed: 0, signal: -1 })).toThrow(/signal/);
  });
});
