import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classCounts, DataError } from './dataset';
import {
  DEBIAN_FASHION_MNIST_DIR,
  EMBEDDED_FASHION_MNIST_DIR,
  EMBEDDED_NAME,
  FASHION_MNIST_FILES,
  findFashionMnistFile,
  readFashionMnist,
} from './fashion-mnist';
import { encodeIdxImages, encodeIdxLabels, readIdxLabels, writeIdx } from './idx';
import { systemPackage } from '../vitest/testing/system-package';

const hasDebianSet = systemPackage(
  "Debian's full Fashion-MNIST",
  existsSync(DEBIAN_FASHION_MNIST_DIR),
  `${DEBIAN_FASHION_MNIST_DIR} is missing: apt-get install dataset-fashion-mnist`,
);

const root = mkdtempSync(join(tmpdir(), 'bn-fmnist-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the embedded Fashion-MNIST subset (fixtures/fashion-mnist)', () => {
  const { train, test } = readFashionMnist();

  it('has 10,000 train and all 10,000 test 28x28x1 images, 1,000 per class in each', () => {
    expect(train.name).toBe(EMBEDDED_NAME);
    expect([train.n, train.height, train.width, train.channels, train.numClasses]).toEqual([10_000, 28, 28, 1, 10]);
    expect([test.n, test.height, test.width, test.channels]).toEqual([10_000, 28, 28, 1]);
    expect(classCounts(train)).toEqual(new Array(10).fill(1000));
    expect(classCounts(test)).toEqual(new Array(10).fill(1000));
  });

  it('holds real images: pixel statistics of Fashion-MNIST (mean 0.286, std 0.353 on [0, 1]) and no duplicates', () => {
    let s = 0;
    let s2 = 0;
    for (const v of train.images) {
      s += v / 255;
      s2 += (v / 255) ** 2;
    }
    const mean = s / train.images.length;
    expect(mean).toBeGreaterThan(0.27);
    expect(mean).toBeLessThan(0.3);
    expect(Math.sqrt(s2 / train.images.length - mean * mean)).toBeCloseTo(0.353, 1);
    const rows = new Set<string>();
    for (let i = 0; i < train.n; i++) rows.add(Buffer.from(train.images.subarray(i * 784, (i + 1) * 784)).toString('base64'));
    expect(rows.size).toBeGreaterThan(9_990); // the full set itself has a handful of exact duplicates
  });

  it('matches the sha256 sums its README records (the fixture files have not been changed by hand)', () => {
    const readme = readFileSync(join(EMBEDDED_FASHION_MNIST_DIR, 'README.md'), 'utf8');
    for (const name of Object.values(FASHION_MNIST_FILES)) {
      const sum = createHash('sha256')
        .update(readFileSync(join(EMBEDDED_FASHION_MNIST_DIR, name)))
        .digest('hex');
      expect(readme).toContain(`| \`${name}\` | \`${sum}\` |`);
    }
  });
});

describe('a Fashion-MNIST directory', () => {
  /** A tiny dataset in the IDX layout, written under the given names. */
  function writeTiny(dir: string, names: Record<keyof typeof FASHION_MNIST_FILES, string>, gzip: boolean, n = 20) {
    mkdirSync(dir, { recursive: true });
    const pixels = Uint8Array.from({ length: n * 784 }, (_, i) => i % 251);
    const labels = Uint8Array.from({ length: n }, (_, i) => i % 10);
    for (const [img, lab] of [
      [names.trainImages, names.trainLabels],
      [names.testImages, names.testLabels],
    ] as const) {
      writeIdx(join(dir, img), encodeIdxImages(pixels, n, 28, 28), { gzip });
      writeIdx(join(dir, lab), encodeIdxLabels(labels), { gzip });
    }
  }

  it('accepts the gzipped names, the plain names and the dotted names', () => {
    const plain = Object.fromEntries(
      Object.entries(FASHION_MNIST_FILES).map(([k, v]) => [k, v.replace(/\.gz$/, '')]),
    ) as typeof FASHION_MNIST_FILES;
    const dotted = Object.fromEntries(
      Object.entries(plain).map(([k, v]) => [k, v.replace(/-(idx\d-ubyte)$/, '.$1')]),
    ) as typeof FASHION_MNIST_FILES;
    for (const [names, gzip] of [
      [FASHION_MNIST_FILES, true],
      [plain, false],
      [dotted, false],
    ] as const) {
      const dir = join(root, `layout-${Object.values(names)[0]}`);
      writeTiny(dir, names, gzip);
      const s = readFashionMnist(dir);
      expect([s.train.n, s.test.n, s.train.name]).toEqual([20, 20, 'fashion-mnist']);
      expect(s.train.images[783]).toBe(783 % 251);
    }
  });

  it('a missing directory or file is a DataError naming it', () => {
    const gone = join(root, 'missing');
    expect(() => readFashionMnist(gone)).toThrow(DataError);
    expect(() => readFashionMnist(gone)).toThrow(`${gone}: Fashion-MNIST directory not found`);
    const dir = join(root, 'partial');
    writeTiny(dir, FASHION_MNIST_FILES, true);
    rmSync(join(dir, FASHION_MNIST_FILES.testLabels));
    expect(() => readFashionMnist(dir)).toThrow(
      /missing Fashion-MNIST file: none of t10k-labels-idx1-ubyte\.gz, t10k-labels-idx1-ubyte, t10k-labels\.idx1-ubyte exists/,
    );
  });

  // The full read of Debian's set (60,000 images) happens once, in scripts/make-fixtures.test.ts;
  // here only the layout and the small label files, to keep the unit tests fast.
  it.skipIf(!hasDebianSet)("finds the four files in Debian's dataset-fashion-mnist layout", () => {
    const f = FASHION_MNIST_FILES;
    for (const name of Object.values(f))
      expect(findFashionMnistFile(DEBIAN_FASHION_MNIST_DIR, name)).toBe(join(DEBIAN_FASHION_MNIST_DIR, name));
    expect(classCounts({ labels: readIdxLabels(findFashionMnistFile(DEBIAN_FASHION_MNIST_DIR, f.trainLabels)), numClasses: 10 })).toEqual(
      new Array(10).fill(6000),
    );
    expect(classCounts({ labels: readIdxLabels(findFashionMnistFile(DEBIAN_FASHION_MNIST_DIR, f.testLabels)), numClasses: 10 })).toEqual(
      new Array(10).fill(1000),
    );
  });
});
