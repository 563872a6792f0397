import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classCounts } from '../src/data/dataset';
import { DEBIAN_FASHION_MNIST_DIR, FASHION_MNIST_FILES, readFashionMnist } from '../src/data/fashion-mnist';
import { encodeIdxImages, encodeIdxLabels, writeIdx } from '../src/data/idx';
import { makeFixtures, selectFixtureSubset } from './make-fixtures';
import { systemPackage } from '../src/vitest/testing/system-package';

const hasDebianSet = systemPackage(
  "Debian's full Fashion-MNIST",
  existsSync(DEBIAN_FASHION_MNIST_DIR),
  `${DEBIAN_FASHION_MNIST_DIR} is missing: apt-get install dataset-fashion-mnist`,
);

const root = mkdtempSync(join(tmpdir(), 'bn-fixtures-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A small full-set stand-in: `perClass` images of each class per split, pixel bytes that identify the image. */
function writeSource(dir: string, perClass: { train: number; test: number }): void {
  mkdirSync(dir, { recursive: true });
  const f = FASHION_MNIST_FILES;
  for (const [img, lab, k, salt] of [
    [f.trainImages, f.trainLabels, perClass.train, 0],
    [f.testImages, f.testLabels, perClass.test, 97],
  ] as const) {
    const n = 10 * k;
    const labels = Uint8Array.from({ length: n }, (_, i) => (i * 7) % 10);
    const pixels = Uint8Array.from({ length: n * 784 }, (_, p) => (Math.floor(p / 784) * 13 + (p % 784) + salt) & 0xff);
    writeIdx(join(dir, img), encodeIdxImages(pixels, n, 28, 28));
    writeIdx(join(dir, lab), encodeIdxLabels(labels));
  }
}

describe('make-fixtures', () => {
  const src = join(root, 'src');
  writeSource(src, { train: 12, test: 5 });

  it('writes a balanced subset that reads back, with README hashes, byte-identical on a second run', () => {
    const out1 = join(root, 'out1');
    const out2 = join(root, 'out2');
    const opts = { perClassTrain: 4, perClassTest: 2, seed: 11 };
    const h1 = makeFixtures(src, out1, opts);
    const h2 = makeFixtures(src, out2, opts);
    expect(h2).toEqual(h1);
    for (const name of [...Object.values(FASHION_MNIST_FILES), 'README.md']) {
      expect(readFileSync(join(out2, name)).equals(readFileSync(join(out1, name)))).toBe(true);
    }
    const readme = readFileSync(join(out1, 'README.md'), 'utf8');
    for (const [name, h] of Object.entries(h1)) expect(readme).toContain(`| \`${name}\` | \`${h}\` |`);
    const { train, test } = readFashionMnist(out1);
    expect(classCounts(train)).toEqual(new Array(10).fill(4));
    expect(classCounts(test)).toEqual(new Array(10).fill(2));
    // Every kept image is one of the source's, with its own label.
    const full = readFashionMnist(src);
    const key = (px: Uint8Array, i: number) => Buffer.from(px.subarray(i * 784, (i + 1) * 784)).toString('base64');
    const labelOf = new Map(Array.from({ length: full.train.n }, (_, i) => [key(full.train.images, i), full.train.labels[i]]));
    for (let i = 0; i < train.n; i++) expect(labelOf.get(key(train.images, i))).toBe(train.labels[i]);
  });

  it('another seed picks other images', () => {
    const full = readFashionMnist(src);
    const a = selectFixtureSubset(full, { perClassTrain: 4, perClassTest: 2, seed: 1 });
    const b = selectFixtureSubset(full, { perClassTrain: 4, perClassTest: 2, seed: 2 });
    expect(Buffer.from(a.train.images).equals(Buffer.from(b.train.images))).toBe(false);
  });

  it('refuses to build an unbalanced subset when a class is too small', () => {
    expect(() => makeFixtures(src, join(root, 'out3'), { perClassTrain: 13 })).toThrow(
      /train class 0 has 12 images, fewer than the 13 per class/,
    );
  });

  it.skipIf(!hasDebianSet)('the committed fixtures are exactly the subset of the Debian set it selects', () => {
    const full = readFashionMnist(DEBIAN_FASHION_MNIST_DIR);
    expect([full.train.n, full.test.n, full.train.height, full.train.width]).toEqual([60_000, 10_000, 28, 28]);
    expect(classCounts(full.train)).toEqual(new Array(10).fill(6000));
    const expected = selectFixtureSubset(full);
    const embedded = readFashionMnist();
    for (const part of ['train', 'test'] as const) {
      expect(Buffer.from(embedded[part].images).equals(Buffer.from(expected[part].images))).toBe(true);
      expect(Buffer.from(embedded[part].labels).equals(Buffer.from(expected[part].labels))).toBe(true);
    }
  });
});
