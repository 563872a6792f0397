/**
 * CIFAR-10, binary version (cifar-10-binary.tar.gz → cifar-10-batches-bin/).
 *
 * Each file is a run of 3073-byte records: 1 label byte, then 1024 red, 1024 green, 1024 blue
 * bytes, each plane a row-major 32x32 image. We return NHWC bytes (pixel-major, channels last),
 * which is what tfjs convolutions take. Train = data_batch_1..5.bin (50,000), test =
 * test_batch.bin (10,000).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataError, type RawDataset, type RawSplit } from './dataset';

export const CIFAR10_TRAIN_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'];
export const CIFAR10_TEST_FILE = 'test_batch.bin';

const SIDE = 32;
const PLANE = SIDE * SIDE;
export const CIFAR10_RECORD_BYTES = 1 + 3 * PLANE;

/** Parse one batch file's bytes into NHWC pixels and labels. `file` is for error messages. */
export function parseCifarBatch(bytes: Uint8Array, file: string): { n: number; pixels: Uint8Array; labels: Uint8Array } {
  if (bytes.length === 0) throw new DataError(file, 'is empty');
  if (bytes.length % CIFAR10_RECORD_BYTES !== 0) {
    throw new DataError(
      file,
      `size ${bytes.length} is not a multiple of the ${CIFAR10_RECORD_BYTES}-byte record (truncated, or not the binary version of CIFAR-10)`,
    );
  }
  const n = bytes.length / CIFAR10_RECORD_BYTES;
  const pixels = new Uint8Array(n * 3 * PLANE);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const rec = i * CIFAR10_RECORD_BYTES;
    const label = bytes[rec]!;
    if (label > 9) throw new DataError(file, `label ${label} in record ${i} is out of range [0, 10)`);
    labels[i] = label;
    const out = i * 3 * PLANE;
    for (let ch = 0; ch < 3; ch++) {
      const plane = rec + 1 + ch * PLANE;
      for (let p = 0; p < PLANE; p++) pixels[out + p * 3 + ch] = bytes[plane + p]!;
    }
  }
  return { n, pixels, labels };
}

/** The inverse of parseCifarBatch: NHWC pixels and labels → record bytes (tests, format samples). */
export function encodeCifarBatch(pixels: Uint8Array, labels: Uint8Array): Uint8Array {
  const n = labels.length;
  if (pixels.length !== n * 3 * PLANE)
    throw new RangeError(`encodeCifarBatch: ${pixels.length} pixel bytes for ${n} labels (need ${n * 3 * PLANE})`);
  const out = new Uint8Array(n * CIFAR10_RECORD_BYTES);
  for (let i = 0; i < n; i++) {
    const rec = i * CIFAR10_RECORD_BYTES;
    out[rec] = labels[i]!;
    for (let ch = 0; ch < 3; ch++) {
      for (let p = 0; p < PLANE; p++) out[rec + 1 + ch * PLANE + p] = pixels[i * 3 * PLANE + p * 3 + ch]!;
    }
  }
  return out;
}

function readBatchFiles(dir: string, files: string[], name: string): RawDataset {
  const parts = files.map((f) => {
    const path = join(dir, f);
    if (!statSync(path).isFile()) throw new DataError(path, 'is not a regular file');
    return parseCifarBatch(readFileSync(path), path);
  });
  const n = parts.reduce((a, p) => a + p.n, 0);
  const images = new Uint8Array(n * 3 * PLANE);
  const labels = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    images.set(p.pixels, at * 3 * PLANE);
    labels.set(p.labels, at);
    at += p.n;
  }
  return { name, images, labels, n, height: SIDE, width: SIDE, channels: 3, numClasses: 10 };
}

/**
 * Where the batch files are: `dir` itself, or its `cifar-10-batches-bin/` (what the tarball
 * unpacks to), so both the folder and its parent work.
 */
function resolveCifarDir(dir: string): string {
  if (!existsSync(dir)) throw new DataError(dir, 'CIFAR-10 directory not found');
  if (!statSync(dir).isDirectory()) throw new DataError(dir, 'is not a directory (expected the CIFAR-10 binary batches folder)');
  const nested = join(dir, 'cifar-10-batches-bin');
  if (!existsSync(join(dir, CIFAR10_TRAIN_FILES[0]!)) && existsSync(join(nested, CIFAR10_TRAIN_FILES[0]!))) return nested;
  return dir;
}

/** Read the whole binary CIFAR-10 from `dir` as bytes (NHWC). */
export function readCifar10(dir: string, name = 'cifar10'): RawSplit {
  const root = resolveCifarDir(dir);
  const missing = [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE].filter((f) => !existsSync(join(root, f)));
  if (missing.length > 0) {
    throw new DataError(
      root,
      `missing CIFAR-10 file${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (the binary version has data_batch_1..5.bin and test_batch.bin)`,
    );
  }
  return { train: readBatchFiles(root, CIFAR10_TRAIN_FILES, name), test: readBatchFiles(root, [CIFAR10_TEST_FILE], name) };
}
