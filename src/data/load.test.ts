import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CIFAR10_TEST_FILE, CIFAR10_TRAIN_FILES, encodeCifarBatch } from './cifar10';
import { classCounts, DataError } from './dataset';
import { loadData } from './load';
import { channelStats } from './transforms';

const root = mkdtempSync(join(tmpdir(), 'bn-load-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('loadData', () => {
  it('embedded Fashion-MNIST, normalised by default with the train statistics', () => {
    const s = loadData({ kind: 'fashion-mnist' });
    expect([s.train.n, s.test.n]).toEqual([10_000, 10_000]);
    const st = channelStats(s.train);
    expect(Math.abs(st.mean[0]!)).toBeLessThan(1e-4);
    expect(Math.abs(st.std[0]! - 1)).toBeLessThan(1e-4);
    expect(s.normalisation!.mean[0]).toBeCloseTo(0.286, 2);
    expect(s.normalisation!.std[0]).toBeCloseTo(0.353, 2);
  });

  it('limits take balanced, seeded subsets; normalise:false leaves pixels in [0, 1]', () => {
    const a = loadData({ kind: 'fashion-mnist' }, { trainLimit: 500, testLimit: 100, normalise: false, seed: 1 });
    expect([a.train.n, a.test.n]).toEqual([500, 100]);
    expect(classCounts(a.train)).toEqual(new Array(10).fill(50));
    expect(classCounts(a.test)).toEqual(new Array(10).fill(10));
    expect(a.normalisation).toBeUndefined();
    expect(a.train.images.reduce((x, y) => Math.min(x, y))).toBe(0);
    expect(a.train.images.reduce((x, y) => Math.max(x, y))).toBe(1);
    const again = loadData({ kind: 'fashion-mnist' }, { trainLimit: 500, testLimit: 100, normalise: false, seed: 1 });
    expect(Buffer.from(again.train.images.buffer).equals(Buffer.from(a.train.images.buffer))).toBe(true);
    const other = loadData({ kind: 'fashion-mnist' }, { trainLimit: 500, normalise: false, seed: 2 });
    expect(Buffer.from(other.train.images.buffer).equals(Buffer.from(a.train.images.buffer))).toBe(false);
    // A limit above the split's size is a cap, not an error.
    expect(loadData({ kind: 'fashion-mnist' }, { testLimit: 50_000, normalise: false }).test.n).toBe(10_000);
  });

  it('synthetic: 28x28x1, 10 classes by default; limits set the sizes; other shapes on request', () => {
    const s = loadData({ kind: 'synthetic' }, { trainLimit: 64, testLimit: 32, seed: 4 });
    expect([s.train.n, s.test.n, s.train.height, s.train.width, s.train.channels, s.train.numClasses]).toEqual([64, 32, 28, 28, 1, 10]);
    const t = loadData({ kind: 'synthetic' }, { trainLimit: 64, testLimit: 32, seed: 4 });
    expect(Array.from(t.test.images)).toEqual(Array.from(s.test.images));
    const c = loadData({ kind: 'synthetic' }, { trainLimit: 8, testLimit: 8, synthetic: { height: 32, width: 32, channels: 3 } });
    expect([c.train.height, c.train.channels, c.normalisation!.mean.length]).toEqual([32, 3, 3]);
  });

  it('cifar10 from a directory: bytes scaled to [0, 1], per-channel statistics', () => {
    const dir = join(root, 'cifar');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE].forEach((f, fi) => {
      const n = 4;
      // Channel ch of every pixel = 50 * ch + record index, so channel means differ by 50/255.
      const pixels = Uint8Array.from({ length: n * 3072 }, (_, i) => 50 * (i % 3) + Math.floor(i / 3072) + fi);
      writeFileSync(
        join(dir, f),
        encodeCifarBatch(
          pixels,
          Uint8Array.from({ length: n }, (_, i) => (fi + i) % 10),
        ),
      );
    });
    const raw = loadData({ kind: 'cifar10', dir }, { normalise: false });
    expect([raw.train.n, raw.test.n, raw.train.channels, raw.train.name]).toEqual([20, 4, 3, 'cifar10']);
    expect(raw.train.images[0]).toBeCloseTo(0, 6);
    expect(raw.train.images[2]).toBeCloseTo(100 / 255, 6);
    const norm = loadData({ kind: 'cifar10', dir });
    const m = norm.normalisation!.mean;
    expect(m[1]! - m[0]!).toBeCloseTo(50 / 255, 5);
    expect(m[2]! - m[1]!).toBeCloseTo(50 / 255, 5);
  });

  it('bad options and bad directories fail clearly', () => {
    expect(() => loadData({ kind: 'synthetic' }, { trainLimit: 0 })).toThrow(/trainLimit must be a positive integer/);
    expect(() => loadData({ kind: 'cifar10', dir: join(root, 'none') })).toThrow(DataError);
    expect(() => loadData({ kind: 'fashion-mnist', dir: join(root, 'none') })).toThrow(/none: Fashion-MNIST directory not found/);
  });
});
