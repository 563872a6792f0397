/**
 * BN's arithmetic over plain arrays (x is [n, c] row-major, channels last; sums in float64): what
 * batchnorm.ts's kernels run in JS on the wasm heap where bn-wasm.ts's SIMD passes do not serve
 * (channels not in fours), and the running averages' update, which they always run.
 */

/**
 * Forward: per channel the batch mean and biased variance, r = 1/√(σ² + ε), and
 * y = (x − μ)·γr + β. The sums are shifted by each channel's first value (Σ(x − K), Σ(x − K)²):
 * one pass, and no cancellation when |μ| ≫ σ (an unnormalised net's activations).
 */
export function bnForwardArrays(
  x: Float32Array,
  n: number,
  c: number,
  gamma: Float32Array,
  beta: Float32Array,
  eps: number,
  y: Float32Array,
  mean: Float32Array,
  variance: Float32Array,
  rstd: Float32Array,
): void {
  // sizes as small integers for V8: a shape computed by a division (tfjs reshapes) can arrive as a
  // float64, and loops indexed by it ran ~3× slower (12 vs 4 ns an element inside a training step)
  n |= 0;
  c |= 0;
  const len = n * c;
  const m = new Float64Array(c),
    a = new Float64Array(c),
    b = new Float64Array(c);
  const nonFinite: number[] = [];
  for (let j = 0; j < c; j++) {
    // channel j is every c-th element from j: scalar accumulators run ~3× faster than an array of them
    const k = x[j]!;
    let s = 0,
      q = 0;
    for (let i = j; i < len; i += c) {
      const d = x[i]! - k;
      s += d;
      q += d * d;
    }
    const mu = s / n;
    const v = Math.max(q / n - mu * mu, 0);
    const r = 1 / Math.sqrt(v + eps);

    m[j] = k + mu;
    a[j] = gamma[j]! * r;
    b[j] = beta[j]!;
    mean[j] = k + mu;
    variance[j] = v;
    rstd[j] = r;
    if (!Number.isFinite(mu) || !Number.isFinite(v) || !Number.isFinite(a[j]! + b[j]!)) nonFinite.push(j);
  }
  if (c % 4 === 0) {
    // four channels at a time, their coefficients in locals: ~4× faster than indexing them per element
    for (let g = 0; g < c; g += 4) {
      const m0 = m[g]!,
        m1 = m[g + 1]!,
        m2 = m[g + 2]!,
        m3 = m[g + 3]!;
      const a0 = a[g]!,
        a1 = a[g + 1]!,
        a2 = a[g + 2]!,
        a3 = a[g + 3]!;
      const b0 = b[g]!,
        b1 = b[g + 1]!,
        b2 = b[g + 2]!,
        b3 = b[g + 3]!;
      for (let i = g; i < len; i += c) {
        y[i] = (x[i]! - m0) * a0 + b0;
        y[i + 1] = (x[i + 1]! - m1) * a1 + b1;
        y[i + 2] = (x[i + 2]! - m2) * a2 + b2;
        y[i + 3] = (x[i + 3]! - m3) * a3 + b3;
      }
    }
  } else {
    for (let i = 0, j = 0; i < len; i++) {
      y[i] = (x[i]! - m[j]!) * a[j]! + b[j]!;
      if (++j === c) j = 0;
    }
  }
  // A NaN or an infinity in a channel (or in its γ, β) makes the whole channel NaN (as the textbook
  // formula does for x):
  // the NaN JS writes, positive. Arithmetic on x86 can give a negative NaN, which wasm's ReLU
  // turns into 0, and a NaN input would then leave the loss finite.
  for (const j of nonFinite) poisonChannel(j, c, y, mean, variance, rstd);
}

/** Channel j of y [n, c], and its statistics, all NaN (the positive NaN JS writes). */
export function poisonChannel(j: number, c: number, y: Float32Array, mean: Float32Array, variance: Float32Array, rstd: Float32Array): void {
  mean[j] = NaN;
  variance[j] = NaN;
  rstd[j] = NaN;
  for (let i = j; i < y.length; i += c) y[i] = NaN;
}

/**
 * Backward (Ioffe & Szegedy 2015), with xc = x − μ: dβ = Σdy, S = Σdy·xc, dγ = r·S,
 * dx = dy·γr + xc·(−γr³S/n) − γr·dβ/n.
 */
export function bnBackwardArrays(
  dy: Float32Array,
  x: Float32Array,
  n: number,
  c: number,
  mean: Float32Array,
  rstd: Float32Array,
  gamma: Float32Array,
  dx: Float32Array,
  dgamma: Float32Array,
  dbeta: Float32Array,
): void {
  n |= 0; // small integers for V8, as in bnForwardArrays
  c |= 0;
  const len = n * c;
  const m = new Float64Array(c),
    a = new Float64Array(c),
    k1 = new Float64Array(c),
    k0 = new Float64Array(c);
  for (let j = 0; j < c; j++) {
    const mu = mean[j]!;
    let sdy = 0,
      sdyx = 0;
    for (let i = j; i < len; i += c) {
      const g = dy[i]!;
      sdy += g;
      sdyx += g * (x[i]! - mu);
    }
    const r = rstd[j]!;
    const gr = gamma[j]! * r;
    dbeta[j] = sdy;
    dgamma[j] = sdyx * r;
    m[j] = mu;
    a[j] = gr;
    k1[j] = (-gr * r * r * sdyx) / n;
    k0[j] = (-gr * sdy) / n;
  }
  if (c % 4 === 0) {
    for (let g = 0; g < c; g += 4) {
      const m0 = m[g]!,
        m1 = m[g + 1]!,
        m2 = m[g + 2]!,
        m3 = m[g + 3]!;
      const a0 = a[g]!,
        a1 = a[g + 1]!,
        a2 = a[g + 2]!,
        a3 = a[g + 3]!;
      const p0 = k1[g]!,
        p1 = k1[g + 1]!,
        p2 = k1[g + 2]!,
        p3 = k1[g + 3]!;
      const q0 = k0[g]!,
        q1 = k0[g + 1]!,
        q2 = k0[g + 2]!,
        q3 = k0[g + 3]!;
      for (let i = g; i < len; i += c) {
        dx[i] = dy[i]! * a0 + (x[i]! - m0) * p0 + q0;
        dx[i + 1] = dy[i + 1]! * a1 + (x[i + 1]! - m1) * p1 + q1;
        dx[i + 2] = dy[i + 2]! * a2 + (x[i + 2]! - m2) * p2 + q2;
        dx[i + 3] = dy[i + 3]! * a3 + (x[i + 3]! - m3) * p3 + q3;
      }
    }
    return;
  }
  for (let i = 0, j = 0; i < len; i++) {
    dx[i] = dy[i]! * a[j]! + (x[i]! - m[j]!) * k1[j]! + k0[j]!;
    if (++j === c) j = 0;
  }
}

/**
 * The running averages' update over plain arrays: bit for bit what the tfjs ops of
 * updateRunning (batchnorm.ts) give, one float32 rounding per operation in the same order.
 */
export function runningUpdateArrays(
  runMean: Float32Array,
  runVar: Float32Array,
  mean: Float32Array,
  variance: Float32Array,
  n: number,
  momentum: number,
  outMean: Float32Array,
  outVar: Float32Array,
): void {
  const f = Math.fround;
  const keep = f(1 - momentum),
    m = f(momentum),
    mv = f((momentum * n) / Math.max(n - 1, 1));
  for (let j = 0; j < mean.length; j++) {
    outMean[j] = f(f(runMean[j]! * keep) + f(mean[j]! * m));
    outVar[j] = f(f(runVar[j]! * keep) + f(variance[j]! * mv));
  }
}
