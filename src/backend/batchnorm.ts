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
 * heap (bn-arrays.ts); no copies either way, float64 totals. The ReLU after a BN runs inside the
 * same two kernels where the net asks for it (the wasm passes: max(y, 0), and dy masked by y > 0).
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
import { bnBackwardArrays, bnForwardArrays, poisonChannel, runningUpdateArrays } from './bn-arrays';
import { relu as reluOp } from './relu';

/** Whether the BN kernels (and the matmul-based channel maps of eval mode) serve the active backend. */
function bnOpActive(): boolean {
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
        const { eps, momentum, relu } = attrs as { eps: number; momentum: number; relu: boolean };
        const c = x.shape[x.shape.length - 1]!;
        const n = x.shape.reduce((p, d) => p * d, 1) / c;
        const outs = [
          heap.makeOutput(x.shape, 'float32'),
          ...Array.from({ length: runMean ? 5 : 3 }, () => heap.makeOutput([c], 'float32')),
        ];
        const own = bnWasmCovers(c);
        if (relu && !own) throw new Error('BnTrainForward: a fused ReLU needs the wasm SIMD passes (channels in fours)');
        const nonFinite = own
          ? bnForwardWasm({ x, gamma, beta, y: outs[0]!, mean: outs[1]!, variance: outs[2]!, rstd: outs[3]! }, n, c, eps, relu)
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
        const { dy, x, mean, rstd, gamma, y } = inputs as Record<'dy' | 'x' | 'mean' | 'rstd' | 'gamma' | 'y', tf.TensorInfo>;
        const c = x.shape[x.shape.length - 1]!;
        const n = x.shape.reduce((p, d) => p * d, 1) / c;
        const outs = [heap.makeOutput(x.shape, 'float32'), heap.makeOutput([c], 'float32'), heap.makeOutput([c], 'float32')] as const;
        if (bnWasmCovers(c)) {
          bnBackwardWasm(
            { dy: dy!, x: x!, mean: mean!, rstd: rstd!, gamma: gamma!, y, dx: outs[0], dgamma: outs[1], dbeta: outs[2] },
            n,
            c,
          );
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

const bnOp = (eps: number, running: RunningStats | undefined, relu: boolean) =>
  tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [x, gamma, beta, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const inputs: tf.NamedTensorMap = running ? { x, gamma, beta, runMean: running.mean, runVar: running.variance } : { x, gamma, beta };
    const [y, mean, , rstd, runMean, runVar] = tf
      .engine()
      .runKernel(FORWARD, inputs, { eps, momentum: running?.momentum ?? 0, relu }) as tf.Tensor[];
    if (running) {
      running.mean.assign(runMean!);
      running.variance.assign(runVar!);
    }
    save(relu ? [x, mean!, rstd!, gamma, y!] : [x, mean!, rstd!, gamma]); // a fused ReLU's gradient masks dy with y
    return {
      value: y!,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ms, rs, gs, ys] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor?];
        const ins = { dy, x: xs, mean: ms, rstd: rs, gamma: gs };
        return tf.engine().runKernel(BACKWARD, ys ? { ...ins, y: ys } : ins) as tf.Tensor[];
      },
    };
  });

const ops = new Map<string, ReturnType<typeof bnOp>>();

/**
 * y = γ·(x − μ_B)/√(σ²_B + ε) + β over all axes but the last, and with `relu`, max(y, 0). With
 * `running`, the batch moments are also folded into the running averages (see RunningStats), in
 * the same kernel on wasm. The ReLU runs inside BN's kernels (both ways) where the wasm SIMD passes
 * serve, else as relu.ts's op.
 */
export function batchNormTrain(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  eps: number,
  running?: RunningStats,
  relu = false,
): tf.Tensor {
  if (relu && !(bnOpActive() && bnWasmCovers(x.shape[x.rank - 1]!))) return reluOp(batchNormTrain(x, gamma, beta, eps, running));
  if (!bnOpActive()) return plainBatchNorm(x, gamma, beta, eps, running);
  if (running) return bnOp(eps, running, relu)(x, gamma, beta) as tf.Tensor;
  let op = ops.get(`${eps}:${relu}`);
  if (!op) ops.set(`${eps}:${relu}`, (op = bnOp(eps, undefined, relu)));
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
