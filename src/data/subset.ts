/**
 * Seeded subsets: the smoke profile trains on a few thousand images, and the claims compare
 * arms (BN vs no BN) that must see the same images, so a subset is a pure function of
 * (dataset, n, seed). Balanced subsets keep every class equally present, which matters when n
 * is small: an unlucky draw with few trousers would move accuracies for reasons unrelated to BN.
 */
import { type ImageSet, take } from './dataset';
import { Rng } from '../rng';

export interface SubsetOptions {
  /** Equal counts per class (as equal as the class sizes allow). Default true. */
  balanced?: boolean;
}

/**
 * The indices (ascending) of a seeded subset of `n` examples.
 *
 * Balanced: each class's indices are shuffled, then classes are visited round-robin in a seeded
 * order, each giving its next index, until n are taken; a class that runs out is skipped. So
 * with enough examples every class gets floor(n/k) or ceil(n/k), and which classes get the
 * extra one is seeded too.
 */
export function subsetIndices(labels: Uint8Array, numClasses: number, n: number, seed: number, opts: SubsetOptions = {}): Uint32Array {
  const total = labels.length;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`subset: n must be a non-negative integer, got ${n}`);
  if (n > total) throw new RangeError(`subset: asked for ${n} examples but the dataset has only ${total}`);
  const rng = new Rng(seed);
  let picked: Uint32Array;
  if (opts.balanced ?? true) {
    const pools: number[][] = Array.from({ length: numClasses }, () => []);
    for (let i = 0; i < total; i++) {
      const label = labels[i]!;
      if (label >= numClasses) throw new RangeError(`subset: label ${label} at index ${i} is out of range [0, ${numClasses})`);
      pools[label]!.push(i);
    }
    for (const pool of pools) rng.shuffle(pool);
    const order = rng.permutation(numClasses);
    picked = new Uint32Array(n);
    const next = new Array<number>(numClasses).fill(0);
    let k = 0;
    while (k < n) {
      for (const c of order) {
        if (k === n) break;
        const pool = pools[c]!; // order is a permutation of the classes
        if (next[c]! < pool.length) picked[k++] = pool[next[c]!++]!;
      }
    }
  } else {
    picked = rng.permutation(total).slice(0, n);
  }
  return picked.sort();
}

/** A seeded subset of `n` examples, in their original order. */
export function subset<D extends ImageSet>(ds: D, n: number, seed: number, opts: SubsetOptions = {}): D {
  return take(ds, subsetIndices(ds.labels, ds.numClasses, n, seed, opts));
}
