/**
 * The project's one source of seeded random numbers: data (subsets, shuffles, augmentation,
 * synthetic images), initial weights (src/nets/layers.ts), probes, random matrices, statistics and
 * claims all draw from this generator, and every sub-stream comes from `deriveSeed`.
 *
 * xoshiro128** (Blackman & Vigna 2018): 128 bits of state, 32-bit integer arithmetic only (fast
 * in JS through Math.imul), period 2^128 − 1, passes BigCrush. The 128-bit state is filled from
 * the seed by splitmix32, so neighbouring seeds (0, 1, 2, ...) give unrelated streams.
 * `uniform()` uses 53 random bits, so it can take every double in [0, 1) on a 2^-53 grid (the
 * Box–Muller tail benefits from the extra bits over a 32-bit uniform).
 *
 * Why not Math.random (or tfjs's seeded initialisers): every shuffle, crop, weight and random
 * matrix has to repeat exactly for a given seed, across processes, machines and backends, so that
 * a claim run twice, or on wasm and on WebGPU, sees the same numbers. `derive(...labels)` gives an
 * independent child stream (e.g. one per matrix factor, one per epoch) without consuming the parent.
 */

/** splitmix32 step: a well-mixed 32-bit output from a 32-bit counter. */
function splitmix32(state: number): [next: number, out: number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return [next, z >>> 0];
}

function checkSeed(seed: number): number {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  return seed;
}

export class Rng {
  readonly seed: number;
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  /** The second normal of the last Box–Muller pair. */
  private spare: number | undefined;

  constructor(seed: number) {
    this.seed = checkSeed(seed);
    // Fold the high bits of a large safe-integer seed into the low 32 so they are not lost.
    let st = (seed >>> 0) ^ (Math.floor(seed / 4294967296) * 0x632be5ab);
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [next, out] = splitmix32(st | 0);
      st = next;
      words.push(out);
    }
    [this.s0, this.s1, this.s2, this.s3] = words as [number, number, number, number];
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  /** A generator started from a raw xoshiro128** state (for the reference test vectors). */
  static fromState(state: readonly [number, number, number, number]): Rng {
    if (state.every((w) => (w | 0) === 0)) throw new RangeError('xoshiro128** state must not be all zero');
    const r = new Rng(0);
    [r.s0, r.s1, r.s2, r.s3] = state.map((w) => w | 0) as [number, number, number, number];
    return r;
  }

  /** A uniform unsigned 32-bit integer (xoshiro128**). */
  uint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.uint32() >>> 5; // 27 bits
    const lo = this.uint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n) without modulo bias (rejection on a 32-bit draw). */
  int(n: number): number {
    if (!Number.isSafeInteger(n) || n < 1 || n > 4294967296) throw new RangeError(`int(n) needs an integer 1 <= n <= 2^32, got ${n}`);
    const limit = 4294967296 - (4294967296 % n);
    let u = this.uint32();
    while (u >= limit) u = this.uint32();
    return u % n;
  }

  /** A standard normal, by Box–Muller (both values of a pair are used). */
  normal(mean = 0, sd = 1): number {
    let z: number;
    if (this.spare !== undefined) {
      z = this.spare;
      this.spare = undefined;
    } else {
      const u1 = 1 - this.uniform(); // in (0, 1], so the log is finite
      const u2 = this.uniform();
      const r = Math.sqrt(-2 * Math.log(u1));
      this.spare = r * Math.sin(2 * Math.PI * u2);
      z = r * Math.cos(2 * Math.PI * u2);
    }
    return mean + sd * z;
  }

  /** Fisher–Yates shuffle, in place; returns the same array. */
  shuffle<T extends { length: number; [i: number]: unknown }>(xs: T): T {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = xs[i];
      xs[i] = xs[j];
      xs[j] = tmp;
    }
    return xs;
  }

  /** A uniformly random permutation of 0..n-1. */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /** `n` standard normals (times sd, plus mean) in a Float64Array. */
  normals(n: number, mean = 0, sd = 1): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal(mean, sd);
    return out;
  }

  /** `n` uniforms on [0, 1). */
  uniforms(n: number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.uniform();
    return out;
  }

  /** An independent stream for a sub-task, a function of this stream's seed and the labels only. */
  derive(...labels: number[]): Rng {
    return new Rng(deriveSeed(this.seed, ...labels));
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A 31-bit seed mixed from a seed and integer labels (splitmix32 over the parts). */
export function deriveSeed(seed: number, ...labels: number[]): number {
  let h = (checkSeed(seed) >>> 0) ^ 0x5bd1e995;
  for (const part of [Math.floor(seed / 4294967296), ...labels]) {
    checkSeed(part);
    h = splitmix32((h ^ Math.imul(part >>> 0, 0x27d4eb2d) ^ Math.floor(part / 4294967296)) | 0)[1];
  }
  return splitmix32(h | 0)[1] >>> 1;
}
