/**
 * Fashion-MNIST (Xiao, Rasul, Vollgraf 2017): 28x28 greyscale, 10 classes, 60,000 train and
 * 10,000 test images, in IDX files.
 *
 * Two sources:
 *  - the embedded default, `fixtures/fashion-mnist/`: a balanced, seeded subset of 1,000 train
 *    images per class and the whole test split, committed so the suite runs offline with nothing installed
 *    (built by scripts/make-fixtures.ts; its README says how);
 *  - a full directory given as `BN_DATA=fashion-mnist:DIR`, in the layout of the original
 *    release and of Debian's `dataset-fashion-mnist` package, which installs
 *    /usr/share/datasets/fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz.
 *    Un-gzipped files (and the dotted names `train-images.idx3-ubyte` some unpackers produce)
 *    are accepted too.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataError, type RawDataset, type RawSplit } from './dataset';
import { readIdxPair } from './idx';

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

/** Where Debian's dataset-fashion-mnist package puts the full set. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** The embedded subset, resolved from this module so it works from any working directory. */
export const EMBEDDED_FASHION_MNIST_DIR = fileURLToPath(new URL('../../fixtures/fashion-mnist/', import.meta.url));

export const EMBEDDED_NAME = 'fashion-mnist (embedded subset)';

/** The four files by their original (gzipped) names. */
export const FASHION_MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
} as const;

/** The names a file may have on disk: gzipped, plain, and plain with the dotted suffix. */
function candidates(gzName: string): string[] {
  const plain = gzName.replace(/\.gz$/, '');
  const dotted = plain.replace(/-(idx\d-ubyte)$/, '.$1');
  return [gzName, plain, dotted];
}

/** The path of one of the four files in `dir`, or a DataError listing every name tried. */
export function findFashionMnistFile(dir: string, gzName: string): string {
  const names = candidates(gzName);
  for (const name of names) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  throw new DataError(dir, `missing Fashion-MNIST file: none of ${names.join(', ')} exists`);
}

function readPart(dir: string, images: string, labels: string, name: string): RawDataset {
  const p = readIdxPair(findFashionMnistFile(dir, images), findFashionMnistFile(dir, labels), 10);
  return { name, images: p.pixels, labels: p.labels, n: p.n, height: p.height, width: p.width, channels: 1, numClasses: 10 };
}

/**
 * Read Fashion-MNIST from `dir` (default: the embedded subset) as bytes, NHWC with one channel.
 */
export function readFashionMnist(dir?: string): RawSplit {
  const root = dir ?? EMBEDDED_FASHION_MNIST_DIR;
  const name = dir === undefined ? EMBEDDED_NAME : 'fashion-mnist';
  if (!existsSync(root)) {
    throw new DataError(
      root,
      dir === undefined
        ? 'the embedded Fashion-MNIST subset is missing (regenerate it with `npm run fixtures`)'
        : 'Fashion-MNIST directory not found',
    );
  }
  if (!statSync(root).isDirectory())
    throw new DataError(root, 'is not a directory (expected the folder holding the four Fashion-MNIST IDX files)');
  const f = FASHION_MNIST_FILES;
  const train = readPart(root, f.trainImages, f.trainLabels, name);
  const test = readPart(root, f.testImages, f.testLabels, name);
  if (train.height !== test.height || train.width !== test.width) {
    throw new DataError(root, `train images are ${train.height}x${train.width} but test images are ${test.height}x${test.width}`);
  }
  return { train, test };
}
