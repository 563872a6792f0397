/**
 * The data layer's own seeded random numbers: mulberry32 for uniforms, Box–Muller for normals.
 *
 * Why not Math.random: every shuffle, crop and synthetic pixel has to repeat exactly for a given
 * seed, across processes and machines, so that a claim run twice sees the same batches.
 * mulberry32 is tiny, fast in JS (32-bit integer ops only) and good enough for shuffling and
 * augmentation; it is not for cryptography. Separate streams come from `deriveSeed`, so that,
 * e.g., switching augmentation on does not change the order examples are visited in.
 */

/** Check a seed and map it to an unsigned 32-bit integer. */
function toUint32Seed(seed: number): number {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  return seed >>> 0;
}

/** murmur3's 32-bit finaliser: spreads every input bit over the output. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A seed for an independent sub-stream, e.g. `deriveSeed(seed, epoch)` or
 * `deriveSeed(seed, STREAM_AUGMENT, epoch)`. Different parts give unrelated seeds, so
 * neighbouring seeds (0, 1, 2, ...) do not give correlated streams.
 */
export function deriveSeed(seed: number, ...parts: number[]): number {
  let h = fmix32(toUint32Seed(seed) ^ 0x9e3779b9);
  for (const p of parts) h = fmix32((h + Math.imul(toUint32Seed(p) + 0x7f4a7c15, 0x9e3779b1)) >>> 0);
  return h;
}

export class Rng {
  private state: number;
  /** The second normal of the last Box–Muller pair, waiting to be used. */
  private spare: number | undefined;

  constructor(seed: number) {
    this.state = toUint32Seed(seed);
  }

  /** A uniform unsigned 32-bit integer (mulberry32). */
  uint32(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [0, n), without modulo bias (rejection sampling). */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 4294967296) throw new RangeError(`int(n) needs an integer 1 <= n <= 2^32, got ${n}`);
    const limit = 4294967296 - (4294967296 % n);
    let u = this.uint32();
    while (u >= limit) u = this.uint32();
    return u % n;
  }

  /** A standard normal (Box–Muller; pairs are generated and the second one is kept). */
  normal(): number {
    if (this.spare !== undefined) {
      const z = this.spare;
      this.spare = undefined;
      return z;
    }
    const u1 = 1 - this.next(); // in (0, 1], so the log is finite
    const u2 = this.next();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  /** Fisher–Yates shuffle in place; returns the same array. */
  shuffle<A extends { length: number; [i: number]: unknown }>(a: A): A {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** A uniformly random permutation of 0..n-1. */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }
}
