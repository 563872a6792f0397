/**
 * Batch normalisation in training mode as one differentiable op with a closed-form backward,
 * built from the kernels the wasm backend runs fast: plain matmuls and same-shape element-wise ops.
 *
 * Why: autodiff through tf.moments + broadcasting costs many reductions over the batch axes, and
 * wasm reduces a non-trailing axis by transposing first (BN's backward ran 5× slower than the
 * convolutions'). Broadcasting a [C] vector over [N, C] is slow too: 3–6 ns per element against
 * ~1 ns for a same-shape op (measured at 64x14x14x4). So, with x as [N, C] (N = B·H·W):
 *   - per-channel sums are a matmul with a cached row of ones, [1,N]·[N,C];
 *   - per-channel affine maps x·s + t are one fused matmul with a diagonal matrix and a bias,
 *     [N,C]·diag(s) + t (exact: one product per output, the other terms are zeros).
 * Forward:  μ = Σx/N,  xc = x − μ,  σ² = Σxc²/N,  r = 1/√(σ² + ε),  y = xc·(γr) + β.
 * Backward (Ioffe & Szegedy 2015), with x̂ = xc·r, dβ = Σdy, S = Σdy·xc, dγ = r·S:
 *   dx = (γr/N)(N·dy − dβ − x̂·dγ) = dy·(γr) + xc·(−γr³S/N) − γr·dβ/N.
 * What the 55 BN layers add to a ResNet-56 width-4 training step (batch 64, 14x14) fell from
 * ~150 ms to ~100 ms (2026-12-01). Checked against autodiff of the plain formula on the cpu
 * backend (batchnorm.test.ts).
 *
 * Used only where it is proven: on wasm (the whole-ResNet gradient test against cpu, nets.test.ts)
 * and on cpu (batchnorm.test.ts). Elsewhere (webgpu, tensorflow) BN is the plain formula through
 * tf.moments and tfjs's own autodiff, checked on webgpu by webgpu.test.ts.
 */
import * as tf from '@tensorflow/tfjs';

/** Whether the fused BN op (and the matmul-based channel maps) serve the active backend. */
export function bnOpActive(): boolean {
  const b = tf.getBackend();
  return b === 'wasm' || b === 'cpu';
}

// Cached constants (a row of ones per N, an identity per C), per backend instance: tests switch
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
 * holds one tensor per distinct N and C seen, so tests that count tensors around a first use
 * release it before counting.
 */
export function disposeCachedConstants(): void {
  const m = constants.get(tf.backend());
  if (!m) return;
  for (const t of m.values()) if (!t.isDisposed) t.dispose();
  m.clear();
}

const onesRow = (n: number) => cached(`ones:${n}`, () => tf.ones([1, n])) as tf.Tensor2D;
const eye = (c: number) => cached(`eye:${c}`, () => tf.eye(c)) as tf.Tensor2D;

/** Per-channel sums over all axes but the last, as a matmul with ones: [.., C] → [C]. */
export function channelSums(x: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const c = x.shape[x.shape.length - 1]!;
    const n = x.size / c;
    return tf.matMul(onesRow(n), x.reshape([n, c])).reshape([c]) as tf.Tensor1D;
  });
}

/** diag(v) for a [C] vector (small: C ≤ a few hundred). */
function diag(v: tf.Tensor): tf.Tensor2D {
  const c = v.size;
  return eye(c).mul(v.reshape([c, 1])) as tf.Tensor2D;
}

/**
 * x·scale + shift per channel (the last axis), as one fused matmul; scale and shift are [C].
 * Differentiable (tf.fused.matMul has gradients for all three inputs).
 */
export function channelAffine(x: tf.Tensor, scale: tf.Tensor, shift: tf.Tensor): tf.Tensor {
  if (!bnOpActive()) return tf.tidy(() => x.mul(scale).add(shift));
  return tf.tidy(() => {
    const c = x.shape[x.shape.length - 1]!;
    const n = x.size / c;
    return tf.fused.matMul({ a: x.reshape([n, c]), b: diag(scale), bias: shift.reshape([c]) }).reshape(x.shape);
  });
}

type OnMoments = (mean: tf.Tensor1D, variance: tf.Tensor1D) => void;

const bnOp = (eps: number, onMoments: OnMoments | undefined) =>
  tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [x, gamma, beta, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const c = x.shape[x.shape.length - 1]!;
    const n = x.size / c;
    const x2 = x.reshape([n, c]);
    const mean = channelSums(x2).div(n) as tf.Tensor1D;
    const xc = tf.fused.matMul({ a: x2, b: eye(c), bias: mean.neg() }); // x − μ
    const variance = channelSums(xc.square()).div(n) as tf.Tensor1D;
    onMoments?.(mean, variance);
    const r = tf.rsqrt(variance.add(eps));
    const gr = gamma.mul(r);
    save([xc, r, gr]);
    const value = channelAffine(xc, gr, beta).reshape(x.shape);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xcs, rs, grs] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
        const dy2 = dy.reshape([n, c]);
        const dbeta = channelSums(dy2);
        const S = channelSums(dy2.mul(xcs));
        const dgamma = S.mul(rs);
        const coefXc = grs.mul(rs.square()).mul(S).div(-n);
        const shift = grs.mul(dbeta).div(-n);
        const dx = channelAffine(dy2, grs, shift).add(tf.matMul(xcs, diag(coefXc))).reshape(x.shape);
        return [dx, dgamma, dbeta];
      },
    };
  });

const ops = new Map<number, ReturnType<typeof bnOp>>();

/**
 * y = γ·(x − μ_B)/√(σ²_B + ε) + β over all axes but the last. `onMoments`, when given, receives
 * the batch mean and biased variance (constants, e.g. for the running averages) while the op
 * runs: they are computed once, for both.
 */
export function batchNormTrain(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number, onMoments?: OnMoments): tf.Tensor {
  if (!bnOpActive()) return plainBatchNorm(x, gamma, beta, eps, onMoments);
  if (onMoments) return bnOp(eps, onMoments)(x, gamma, beta) as tf.Tensor;
  let op = ops.get(eps);
  if (!op) ops.set(eps, (op = bnOp(eps, undefined)));
  return op(x, gamma, beta) as tf.Tensor;
}

/** The textbook formula, differentiated by tfjs: what backends other than wasm and cpu run. */
function plainBatchNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number, onMoments?: OnMoments): tf.Tensor {
  return tf.tidy(() => {
    const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
    const { mean, variance } = tf.moments(x, axes);
    onMoments?.(mean as tf.Tensor1D, variance as tf.Tensor1D);
    return x.sub(mean).mul(tf.rsqrt(variance.add(eps)).mul(gamma)).add(beta);
  });
}
