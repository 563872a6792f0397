/**
 * Batch normalisation in training mode as one differentiable op with a closed-form backward: on
 * wasm, two kernels of its own (forward, backward) that work directly on the wasm heap.
 *
 * Why: autodiff through tf.moments + broadcasting costs many reductions over the batch axes (wasm
 * reduces a non-trailing axis by transposing first), and built from tfjs's fast kernels a BN
 * layer was still ~35 kernel calls forward and backward: at these sizes (16k–50k elements a
 * layer) the cost was dispatch and passes over memory, not arithmetic. Here a layer is one kernel
 * each way, two passes over x forward (the moments; y) and two backward (the sums; dx): wasm SIMD
 * loops (bn-wasm.ts) where the channels come in fours, else JS over Float32Array views of the
 * heap; no copies either way, float64 totals.
 * Forward:  μ = Σx/N,  xc = x − μ,  σ² = Σxc²/N,  r = 1/√(σ² + ε),  y = xc·(γr) + β.
 * Backward (Ioffe & Szegedy 2015), with x̂ = xc·r, dβ = Σdy, S = Σdy·xc, dγ = r·S:
 *   dx = (γr/N)(N·dy − dβ − x̂·dγ) = dy·(γr) + xc·(−γr³S/N) − γr·dβ/N.
 * Deterministic (a fixed order of plain loops). Checked against autodiff of the plain formula on
 * the cpu backend (batchnorm.test.ts) and in the whole-ResNet gradient test (nets.test.ts).
 *
 * Used on wasm only. Elsewhere BN is the plain formula through tf.moments and tfjs's own autodiff:
 * on cpu that is the reference the wasm op is checked against; on webgpu it is checked by
 * webgpu.test.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { bnBackwardWasm, bnForwardWasm, bnWasmCovers } from './bn-wasm';

/** Whether the BN kernels (and the matmul-based channel maps of eval mode) serve the active backend. */
export function bnOpActive(): boolean {
  return tf.getBackend() === 'wasm';
}

// Cached constants (an identity per C), per backend instance: tests switch
// backends, and initBackend may replace one (its tensors then belong to no live backend).
const constants = new WeakMap<object, Map<string, tf.Tensor>>();
function cached(key: string, make: () => tf.Tensor): tf.Tensor {
  const backend = tf.backend();
  let m = constants.get(backend);
  if (!m) constants.set(backend, (m = new Map()));
  let t = m.get(key);
  if (!t || t.isDisposed) {
    t = tf.keep(make());
    m.set(key, t);
  }
  return t;
}
/**
 * Dispose the cached constants of the active backend (they are recreated on next use). The cache
 * holds one tensor per distinct C seen, so tests that count tensors around a first use
 * release it before counting.
 */
export function disposeCachedConstants(): void {
  const m = constants.get(tf.backend());
  if (!m) return;
  for (const t of m.values()) if (!t.isDisposed) t.dispose();
  m.clear();
}

const eye = (c: number) => cached(`eye:${c}`, () => tf.eye(c)) as tf.Tensor2D;

/** diag(v) for a [C] vector (small: C ≤ a few hundred). */
function diag(v: tf.Tensor): tf.Tensor2D {
  const c = v.size;
  return eye(c).mul(v.reshape([c, 1])) as tf.Tensor2D;
}

/**
 * x·scale + shift per channel (the last axis), as one fused matmul; scale and shift are [C]
 * (eval mode's BN). Differentiable (tf.fused.matMul has gradients for all three inputs).
 */
export function channelAffine(x: tf.Tensor, scale: tf.Tensor, shift: tf.Tensor): tf.Tensor {
  if (!bnOpActive()) return tf.tidy(() => x.mul(scale).add(shift));
  return tf.tidy(() => {
    const c = x.shape[x.shape.length - 1]!;
    const n = x.size / c;
    return tf.fused.matMul({ a: x.reshape([n, c]), b: diag(scale), bias: shift.reshape([c]) }).reshape(x.shape);
  });
}

/**
 * BN's running averages, into which a training step folds the batch moments (PyTorch's
 * convention): running ← (1 − m)·running + m·batch, the variance's batch term the unbiased
 * estimate (·n/(n − 1)), as PyTorch keeps it.
 */
export interface RunningStats {
  mean: tf.Variable;
  variance: tf.Variable;
  momentum: number;
}

// ---------------------------------------------------------------------------------------------
// The arithmetic, over plain arrays: x is [n, c] row-major (channels last), sums in float64.

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
function poisonChannel(j: number, c: number, y: Float32Array, mean: Float32Array, variance: Float32Array, rstd: Float32Array): void {
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
 * updateRunning (below) give, one float32 rounding per operation in the same order.
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

/** The same update as tfjs ops (the backends without the kernels). */
function updateRunning(r: RunningStats, mean: tf.Tensor, variance: tf.Tensor, n: number): void {
  tf.tidy(() => {
    r.mean.assign(r.mean.mul(1 - r.momentum).add(mean.mul(r.momentum)));
    r.variance.assign(r.variance.mul(1 - r.momentum).add(variance.mul((r.momentum * n) / Math.max(n - 1, 1))));
  });
}

// ---------------------------------------------------------------------------------------------
// The two kernels on the wasm backend: the arithmetic above, run in JS directly on the wasm heap
// (each tensor is a Float32Array view of its memory: no copies).

const FORWARD = 'BnTrainForward';
const BACKWARD = 'BnTrainBackward';

interface WasmHeap {
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

function registerWasmKernels(): void {
  if (!tf.getKernel(FORWARD, 'wasm'))
    tf.registerKernel({
      kernelName: FORWARD,
      backendName: 'wasm',
      // outputs y, mean, variance, rstd, and with runMean and runVar given, their updates
      kernelFunc: ({ inputs, backend, attrs }) => {
        const heap = backend as unknown as WasmHeap;
        const { x, gamma, beta, runMean, runVar } = inputs as Record<'x' | 'gamma' | 'beta', tf.TensorInfo> &
          Partial<Record<'runMean' | 'runVar', tf.TensorInfo>>;
        const { eps, momentum } = attrs as { eps: number; momentum: number };
        const c = x.shape[x.shape.length - 1]!;
        const n = x.shape.reduce((p, d) => p * d, 1) / c;
        const outs = [
          heap.makeOutput(x.shape, 'float32'),
          ...Array.from({ length: runMean ? 5 : 3 }, () => heap.makeOutput([c], 'float32')),
        ];
        const own = bnWasmCovers(c);
        const nonFinite = own
          ? bnForwardWasm({ x, gamma, beta, y: outs[0]!, mean: outs[1]!, variance: outs[2]!, rstd: outs[3]! }, n, c, eps)
          : [];
        // views only after every allocation: a malloc may grow the heap and detach older views
        const [y, mean, variance, rstd, outMean, outVar] = outs.map((t) => heap.typedArrayFromHeap(t));
        const v = (t: tf.TensorInfo) => heap.typedArrayFromHeap(t);
        if (!own) bnForwardArrays(v(x), n, c, v(gamma), v(beta), eps, y!, mean!, variance!, rstd!);
        else for (const j of nonFinite) poisonChannel(j, c, y!, mean!, variance!, rstd!);
        if (runMean && runVar) runningUpdateArrays(v(runMean), v(runVar), mean!, variance!, n, momentum, outMean!, outVar!);
        return outs;
      },
    });
  if (!tf.getKernel(BACKWARD, 'wasm'))
    tf.registerKernel({
      kernelName: BACKWARD,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend }) => {
        const heap = backend as unknown as WasmHeap;
        const { dy, x, mean, rstd, gamma } = inputs as Record<'dy' | 'x' | 'mean' | 'rstd' | 'gamma', tf.TensorInfo>;
        const c = x.shape[x.shape.length - 1]!;
        const n = x.shape.reduce((p, d) => p * d, 1) / c;
        const outs = [heap.makeOutput(x.shape, 'float32'), heap.makeOutput([c], 'float32'), heap.makeOutput([c], 'float32')] as const;
        if (bnWasmCovers(c)) {
          bnBackwardWasm({ dy: dy!, x: x!, mean: mean!, rstd: rstd!, gamma: gamma!, dx: outs[0], dgamma: outs[1], dbeta: outs[2] }, n, c);
          return [...outs];
        }
        const [dx, dgamma, dbeta] = outs.map((t) => heap.typedArrayFromHeap(t));
        const v = (t: tf.TensorInfo) => heap.typedArrayFromHeap(t);
        bnBackwardArrays(v(dy!), v(x!), n, c, v(mean!), v(rstd!), v(gamma!), dx!, dgamma!, dbeta!);
        return [...outs];
      },
    });
}
registerWasmKernels();

const bnOp = (eps: number, running: RunningStats | undefined) =>
  tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [x, gamma, beta, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const inputs: tf.NamedTensorMap = running ? { x, gamma, beta, runMean: running.mean, runVar: running.variance } : { x, gamma, beta };
    const [y, mean, , rstd, runMean, runVar] = tf
      .engine()
      .runKernel(FORWARD, inputs, { eps, momentum: running?.momentum ?? 0 }) as tf.Tensor[];
    if (running) {
      running.mean.assign(runMean!);
      running.variance.assign(runVar!);
    }
    save([x, mean!, rstd!, gamma]);
    return {
      value: y!,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ms, rs, gs] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
        return tf.engine().runKernel(BACKWARD, { dy, x: xs, mean: ms, rstd: rs, gamma: gs }) as tf.Tensor[];
      },
    };
  });

const ops = new Map<number, ReturnType<typeof bnOp>>();

/**
 * y = γ·(x − μ_B)/√(σ²_B + ε) + β over all axes but the last. With `running`, the batch moments
 * are also folded into the running averages (see RunningStats), in the same kernel on wasm.
 */
export function batchNormTrain(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number, running?: RunningStats): tf.Tensor {
  if (!bnOpActive()) return plainBatchNorm(x, gamma, beta, eps, running);
  if (running) return bnOp(eps, running)(x, gamma, beta) as tf.Tensor;
  let op = ops.get(eps);
  if (!op) ops.set(eps, (op = bnOp(eps, undefined)));
  return op(x, gamma, beta) as tf.Tensor;
}

/** The textbook formula, differentiated by tfjs: what backends other than wasm run. */
function plainBatchNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number, running?: RunningStats): tf.Tensor {
  return tf.tidy(() => {
    const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
    const { mean, variance } = tf.moments(x, axes);
    if (running) updateRunning(running, mean, variance, x.size / x.shape[x.rank - 1]!);
    return x
      .sub(mean)
      .mul(tf.rsqrt(variance.add(eps)).mul(gamma))
      .add(beta);
  });
}
