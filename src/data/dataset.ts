/**
 * The shapes every reader produces and every consumer takes: plain typed arrays, NHWC, no tfjs.
 * The training code turns batches into tensors; keeping tensors out of here means the data layer
 * can be tested (and the fixtures built) without starting a backend.
 */

/** Images NHWC float32, already normalised when `normalise` was applied. */
export interface Dataset {
  /** e.g. 'fashion-mnist (embedded subset)', 'cifar10', 'synthetic'. */
  name: string;
  images: Float32Array;
  /** Labels in [0, numClasses). */
  labels: Uint8Array;
  n: number;
  height: number;
  width: number;
  channels: number;
  numClasses: number;
}

/**
 * Per-channel statistics of a train split, for records (a run that normalised can say how).
 * `mean` and `std` have one entry per channel.
 */
export interface ChannelStats {
  mean: number[];
  std: number[];
}

export interface Split {
  train: Dataset;
  test: Dataset;
  /** The train split's per-channel statistics when `loadData` normalised both splits with them. */
  normalisation?: ChannelStats;
}

/**
 * The same as a Dataset but with the file's bytes as pixels (0..255). Readers return this so a
 * subset can be taken before the 4x larger float copy is made (full CIFAR-10 is 150 MB as bytes).
 */
export interface RawDataset {
  name: string;
  images: Uint8Array;
  labels: Uint8Array;
  n: number;
  height: number;
  width: number;
  channels: number;
  numClasses: number;
}

export interface RawSplit {
  train: RawDataset;
  test: RawDataset;
}

/** Anything with the Dataset layout; the helpers that only move rows work on both kinds. */
export type ImageSet = Dataset | RawDataset;

/**
 * A data problem a person has to fix (missing file, corrupt file, wrong format). The message
 * starts with the file or directory so that the one line a test runner prints is enough.
 */
export class DataError extends Error {
  override name = 'DataError';
  constructor(
    /** The file or directory at fault. */
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

/** Floats per image. */
export function imageSize(ds: Pick<ImageSet, 'height' | 'width' | 'channels'>): number {
  return ds.height * ds.width * ds.channels;
}

/**
 * Check that a dataset's arrays agree with its header and its labels are in range. Cheap (one
 * pass over the labels), and it turns a silent shape mismatch downstream into a clear error here.
 */
export function validateDataset(ds: ImageSet, where = ds.name): void {
  const fail = (problem: string): never => {
    throw new DataError(where, problem);
  };
  for (const k of ['n', 'height', 'width', 'channels', 'numClasses'] as const) {
    if (!Number.isSafeInteger(ds[k]) || ds[k] < 0) fail(`${k} = ${ds[k]} is not a non-negative integer`);
  }
  if (ds.height === 0 || ds.width === 0 || ds.channels === 0) fail(`empty image shape ${ds.height}x${ds.width}x${ds.channels}`);
  if (ds.numClasses < 1 || ds.numClasses > 256) fail(`numClasses = ${ds.numClasses} must be in 1..256`);
  if (ds.images.length !== ds.n * imageSize(ds)) {
    fail(
      `images has ${ds.images.length} values, expected n*h*w*c = ${ds.n}*${ds.height}*${ds.width}*${ds.channels} = ${ds.n * imageSize(ds)}`,
    );
  }
  if (ds.labels.length !== ds.n) fail(`labels has ${ds.labels.length} entries, expected n = ${ds.n}`);
  for (let i = 0; i < ds.n; i++) {
    if (ds.labels[i]! >= ds.numClasses) fail(`label ${ds.labels[i]} at index ${i} is out of range [0, ${ds.numClasses})`);
  }
}

/** Bytes 0..255 → floats in [0, 1], the scale the per-channel normalisation then works on. */
export function toFloat(raw: RawDataset): Dataset {
  const bytes = raw.images;
  const images = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) images[i] = bytes[i]! / 255;
  return { ...raw, images };
}

/**
 * Copy rows `indices` of `src` (each `rowLen` long) into a new array of the same element type
 * (a plain Uint8Array for byte input, even when `src` is a Node Buffer).
 */
export function gatherRows<A extends Float32Array | Uint8Array>(src: A, rowLen: number, indices: ArrayLike<number>): A {
  const length = indices.length * rowLen;
  const out = (src instanceof Float32Array ? new Float32Array(length) : new Uint8Array(length)) as A;
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    out.set(src.subarray(i * rowLen, (i + 1) * rowLen), k * rowLen);
  }
  return out;
}

/** The examples at `indices`, in that order, as a new dataset of the same kind. */
export function take<D extends ImageSet>(ds: D, indices: ArrayLike<number>, name = ds.name): D {
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    if (!Number.isInteger(i) || i < 0 || i >= ds.n) throw new RangeError(`take: index ${i} is out of range [0, ${ds.n}) of ${ds.name}`);
  }
  return {
    ...ds,
    name,
    n: indices.length,
    images: gatherRows(ds.images, imageSize(ds), indices),
    labels: gatherRows(ds.labels, 1, indices),
  };
}

/** How many examples of each class (index = label). */
export function classCounts(ds: Pick<ImageSet, 'labels' | 'numClasses'>): number[] {
  const counts = new Array<number>(ds.numClasses).fill(0);
  for (const y of ds.labels) {
    const c = counts[y];
    if (c === undefined) throw new RangeError(`classCounts: label ${y} is out of range [0, ${ds.numClasses})`);
    counts[y] = c + 1;
  }
  return counts;
}
