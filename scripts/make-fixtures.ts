/**
 * Build the embedded Fashion-MNIST subset in fixtures/fashion-mnist/ from the full set.
 *
 *   npx tsx scripts/make-fixtures.ts [SOURCE_DIR] [OUT_DIR]      (or: npm run fixtures)
 *
 * SOURCE_DIR defaults to Debian's /usr/share/datasets/fashion-mnist (package
 * dataset-fashion-mnist). The subset is balanced and seeded: 1,000 train images per class, each
 * class's images picked by a seeded shuffle, and the whole test split (1,000 per class: the
 * training claims report accuracy on all 10,000 test images), kept in their original order, written
 * as gzipped IDX files with the original names, plus a README with the sha256 of each file.
 * Deterministic: gzip at a fixed level with no timestamp, so running it twice gives identical
 * bytes (the unit tests check the committed files against the README's hashes).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { encodeIdxImages, encodeIdxLabels, writeIdx } from '../src/data/idx';
import {
  DEBIAN_FASHION_MNIST_DIR,
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_FILES,
  findFashionMnistFile,
  readFashionMnist,
} from '../src/data/fashion-mnist';
import { classCounts, DataError, type RawDataset, type RawSplit } from '../src/data/dataset';
import { subset } from '../src/data/subset';
import { deriveSeed } from '../src/rng';

export const FIXTURE_SEED = 20180601;
export const FIXTURE_PER_CLASS = { train: 1000, test: 1000 } as const;
export const FIXTURE_DIR = fileURLToPath(new URL('../fixtures/fashion-mnist/', import.meta.url));

export interface FixtureOptions {
  perClassTrain?: number;
  perClassTest?: number;
  seed?: number;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function write(ds: RawDataset, outDir: string, imagesName: string, labelsName: string): void {
  writeIdx(join(outDir, imagesName), encodeIdxImages(ds.images, ds.n, ds.height, ds.width));
  writeIdx(join(outDir, labelsName), encodeIdxLabels(ds.labels));
}

/** The balanced seeded subset of a full split (pure: the same input and options give the same bytes). */
export function selectFixtureSubset(full: RawSplit, opts: FixtureOptions = {}, source = 'source'): RawSplit {
  const seed = opts.seed ?? FIXTURE_SEED;
  const pick = (ds: RawDataset, perClass: number, stream: number, what: string): RawDataset => {
    const counts = classCounts(ds);
    const short = counts.findIndex((c) => c < perClass);
    if (short >= 0)
      throw new DataError(source, `${what} class ${short} has ${counts[short]} images, fewer than the ${perClass} per class asked for`);
    return subset(ds, perClass * ds.numClasses, deriveSeed(seed, stream), { balanced: true });
  };
  return {
    train: pick(full.train, opts.perClassTrain ?? FIXTURE_PER_CLASS.train, 1, 'train'),
    test: pick(full.test, opts.perClassTest ?? FIXTURE_PER_CLASS.test, 2, 'test'),
  };
}

/** Write the subset's four files and README.md to outDir; returns the file names and their sha256. */
export function makeFixtures(sourceDir: string, outDir: string, opts: FixtureOptions = {}): Record<string, string> {
  const perTrain = opts.perClassTrain ?? FIXTURE_PER_CLASS.train;
  const perTest = opts.perClassTest ?? FIXTURE_PER_CLASS.test;
  const seed = opts.seed ?? FIXTURE_SEED;
  const full = readFashionMnist(sourceDir);
  const { train, test } = selectFixtureSubset(full, opts, sourceDir);

  mkdirSync(outDir, { recursive: true });
  const f = FASHION_MNIST_FILES;
  write(train, outDir, f.trainImages, f.trainLabels);
  write(test, outDir, f.testImages, f.testLabels);

  const hashes: Record<string, string> = {};
  for (const name of Object.values(f)) hashes[name] = sha256(readFileSync(join(outDir, name)));
  const sources = Object.values(f).map((name) => {
    const path = findFashionMnistFile(sourceDir, name);
    return `| \`${path}\` | \`${sha256(readFileSync(path))}\` |`;
  });

  const readme = `# Embedded Fashion-MNIST subset

A balanced, deterministic subset of Fashion-MNIST (Xiao, Rasul & Vollgraf 2017,
https://github.com/zalandoresearch/fashion-mnist, MIT licence, © 2017 Zalando SE), embedded so the
suite runs offline: the default data set (\`BN_DATA=fashion-mnist\`). Use the full set with
\`BN_DATA=fashion-mnist:${DEBIAN_FASHION_MNIST_DIR}\`.

- train: ${perTrain} images per class, ${train.n} in all (of ${full.train.n})
- test: ${perTest} images per class, ${test.n} in all (of ${full.test.n})
- classes: ${FASHION_MNIST_CLASSES.map((c, i) => `${i} ${c}`).join(', ')}

## How it was chosen

Per split, the images of each class were shuffled with a seeded PRNG (xoshiro128**, \`src/rng.ts\`;
seed ${seed}, stream 1 for train and 2 for test via \`deriveSeed\`) and the first ${perTrain} (train) or
${perTest} (test) of each class were kept (\`subset(..., { balanced: true })\`, \`src/data/subset.ts\`).
The kept images stay in their original order. Pixels and labels are unchanged bytes.

## Files

Gzipped IDX files with the original names and format (images magic 0x00000803, labels 0x00000801),
gzip level 9 with no timestamp, so regenerating gives identical bytes.

| file | sha256 |
|---|---|
${Object.entries(hashes)
  .map(([n, h]) => `| \`${n}\` | \`${h}\` |`)
  .join('\n')}

## Source

${resolve(sourceDir) === DEBIAN_FASHION_MNIST_DIR ? 'Debian package `dataset-fashion-mnist` (version 0.0~git20200523.55506a9-1), which installs the original release files:' : 'The full set read from:'}

| file | sha256 |
|---|---|
${sources.join('\n')}

## Regenerate

\`\`\`
npm run fixtures            # = npx tsx scripts/make-fixtures.ts [SOURCE_DIR] [OUT_DIR]
\`\`\`
`;
  writeFileSync(join(outDir, 'README.md'), readme);
  return hashes;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const [src = DEBIAN_FASHION_MNIST_DIR, out = FIXTURE_DIR] = process.argv.slice(2);
  const hashes = makeFixtures(src, out);
  console.log(`wrote ${out}`);
  for (const [name, h] of Object.entries(hashes)) console.log(`  ${h}  ${name}`);
}
