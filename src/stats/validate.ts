/**
 * Input checks shared by the estimators: every public function parses its arrays here, so bad
 * input fails loudly with a message naming the argument and the problem (an empty sample, a NaN
 * at index 7, two samples of different lengths) instead of returning a silent NaN.
 */

/** Copy `xs` into a Float64Array after checking that it has `minLength` finite numbers. */
export function finiteSample(xs: ArrayLike<number>, name: string, minLength = 1): Float64Array {
  if (xs == null || typeof xs.length !== 'number') throw new TypeError(`${name} must be an array of numbers, got ${String(xs)}`);
  if (xs.length < minLength) {
    throw new RangeError(`${name} needs at least ${minLength} value${minLength === 1 ? '' : 's'}, got ${xs.length}`);
  }
  const out = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${name}[${i}] is ${String(v)}: expected a finite number`);
    out[i] = v;
  }
  return out;
}

/** Two samples that must pair up element by element. */
export function pairedSamples(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  names: [string, string],
  minLength = 1,
): [Float64Array, Float64Array] {
  const x = finiteSample(xs, names[0], minLength);
  const y = finiteSample(ys, names[1], minLength);
  if (x.length !== y.length) throw new RangeError(`${names[0]} and ${names[1]} must have the same length, got ${x.length} and ${y.length}`);
  return [x, y];
}

/** A probability-like level strictly inside (0, 1), e.g. a confidence level. */
export function openUnit(v: number, name: string): number {
  if (!(v > 0 && v < 1)) throw new RangeError(`${name} must lie strictly between 0 and 1, got ${v}`);
  return v;
}

/** A finite number. */
export function finiteNumber(v: number, name: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${name} must be a finite number, got ${String(v)}`);
  return v;
}

/** Ascending sorted copy (numeric, not lexicographic). */
export function sortedCopy(x: Float64Array): Float64Array {
  return Float64Array.from(x).sort();
}
