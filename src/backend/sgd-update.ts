/**
 * One SGD step (momentum, weight decay; PyTorch's formulation, src/train/sgd.ts) for every
 * parameter of a net as a single kernel on wasm, run in JS on the wasm heap.
 *
 * Why: the update is 4–6 element-wise kernels per parameter, and a ResNet-56 with BN has 167
 * parameters, 110 of them BN's γ and β of 4–16 numbers: ~800 kernel calls a step whose cost is
 * all dispatch (tfjs's engine, a scalar tensor per constant, allocation), not arithmetic.
 *
 * Bit for bit the same numbers as those tfjs ops: each operation is one float32 operation (the
 * exact result rounded once, as Math.fround of the float64 result is for +, −, × of float32
 * operands), in the same order, with the constants rounded to float32 as tfjs's scalars are:
 *   g ← g + θ·λ (decayed weights),  v ← v·μ + g (v ← g on the first step),  θ ← θ − v·lr.
 * Checked against the tfjs ops on wasm (sgd-update.test.ts).
 */
import * as tf from '@tensorflow/tfjs';

const KERNEL = 'SgdMomentumUpdate';

/** Whether the fused update serves the active backend. */
export function sgdUpdateActive(): boolean {
  return tf.getBackend() === 'wasm';
}

interface WasmHeap {
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

interface Attrs {
  count: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  /** per parameter: 1 when it gets weight decay */
  decay: number[];
  /** per parameter: 1 when it has a velocity (not its first step) */
  hasVelocity: number[];
}

/**
 * The update of one parameter over plain arrays: writes θ' (and v' when momentum > 0). `v` is
 * null on a parameter's first step. Constants are float32 already.
 */
export function sgdUpdateArrays(
  theta: Float32Array,
  v: Float32Array | null,
  g: Float32Array,
  decay: boolean,
  lr: number,
  momentum: number,
  weightDecay: number,
  thetaOut: Float32Array,
  vOut: Float32Array | null,
): void {
  const f = Math.fround;
  for (let i = 0; i < theta.length; i++) {
    let gi = g[i]!;
    if (decay) gi = f(gi + f(theta[i]! * weightDecay));
    if (vOut) {
      gi = v ? f(f(v[i]! * momentum) + gi) : gi;
      vOut[i] = gi;
    }
    thetaOut[i] = f(theta[i]! - f(gi * lr));
  }
}

if (!tf.getKernel(KERNEL, 'wasm'))
  tf.registerKernel({
    kernelName: KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const heap = backend as unknown as WasmHeap;
      const a = attrs as unknown as Attrs;
      const f = Math.fround;
      const withV = a.momentum > 0;
      const ins = inputs as Record<string, tf.TensorInfo>;
      const outs: tf.TensorInfo[] = [];
      for (let k = 0; k < a.count; k++) outs.push(heap.makeOutput(ins[`theta${k}`]!.shape, 'float32'));
      if (withV) for (let k = 0; k < a.count; k++) outs.push(heap.makeOutput(ins[`theta${k}`]!.shape, 'float32'));
      // views only after every allocation: a malloc may grow the heap and detach older views
      const view = (t: tf.TensorInfo) => heap.typedArrayFromHeap(t);
      for (let k = 0; k < a.count; k++) {
        const v = a.hasVelocity[k] ? view(ins[`v${k}`]!) : null;
        sgdUpdateArrays(
          view(ins[`theta${k}`]!),
          v,
          view(ins[`g${k}`]!),
          a.decay[k] === 1 && a.weightDecay > 0,
          f(a.lr),
          f(a.momentum),
          f(a.weightDecay),
          view(outs[k]!),
          withV ? view(outs[a.count + k]!) : null,
        );
      }
      return outs;
    },
  });

export interface SgdSlot {
  theta: tf.Tensor;
  /** undefined on the parameter's first step */
  velocity: tf.Tensor | undefined;
  grad: tf.Tensor;
  decay: boolean;
}

/** θ' per slot and, when momentum > 0, v' per slot: new tensors (the caller assigns them). */
export function sgdUpdate(
  slots: SgdSlot[],
  lr: number,
  momentum: number,
  weightDecay: number,
): { theta: tf.Tensor[]; velocity: tf.Tensor[] } {
  const inputs: Record<string, tf.Tensor> = {};
  slots.forEach((s, k) => {
    inputs[`theta${k}`] = s.theta;
    inputs[`g${k}`] = s.grad;
    if (s.velocity) inputs[`v${k}`] = s.velocity;
  });
  const attrs: Attrs = {
    count: slots.length,
    lr,
    momentum,
    weightDecay,
    decay: slots.map((s) => (s.decay ? 1 : 0)),
    hasVelocity: slots.map((s) => (s.velocity ? 1 : 0)),
  };
  const out = tf.engine().runKernel(KERNEL, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  return { theta: out.slice(0, slots.length), velocity: out.slice(slots.length) };
}
