/**
 * ReLU, optionally of a sum (a ResNet block's relu(shortcut + residual)), as one wasm SIMD kernel
 * each way on wasm: forward y = max(a + b, 0) in one pass, backward dx = dy where y > 0 in one.
 *
 * Why: tfjs differentiates relu as dy · cast(step(x)): three kernels and three passes over the
 * tensor, and the sum before it is a fourth: a ResNet-56 step ran 55 ReLUs, each at a fixed cost
 * per kernel that dominates at these sizes.
 *
 * The same numbers as tf.relu(a.add(b)) and its gradient, up to the sign of a NaN or a zero: a
 * NaN in a + b stays NaN (f32x4.max), and its gradient is NaN (tfjs: dy · step(NaN)); where y > 0
 * dx is dy exactly, elsewhere 0 (tfjs gives dy · 0, which is NaN for an infinite dy). Other
 * backends, and sizes not a multiple of 4, take tfjs's ops. Checked against cpu autodiff in
 * relu.test.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { bump, get, i32, offsetOf, wasmBackend, wasmKernelsReady, wasmModule } from './wasm-module';

const FORWARD = 'ReluSumForward',
  BACKWARD = 'ReluSumBackward';

/** The two loops, for n floats (n a multiple of 4), 4 at a time. */
const WAT = `(module (import "env" "memory" (memory 0))
(func $sum (param $a i32) (param $b i32) (param $y i32) (param $n i32)
  (loop $l
    (v128.store ${get('y')} (f32x4.max (f32x4.add (v128.load ${get('a')}) (v128.load ${get('b')})) (v128.const i32x4 0 0 0 0)))
    ${bump('a', 16)} ${bump('b', 16)} ${bump('y', 16)}
    (local.set $n (i32.sub ${get('n')} ${i32(4)}))
    (br_if $l ${get('n')})))
(func $one (param $a i32) (param $y i32) (param $n i32)
  (loop $l
    (v128.store ${get('y')} (f32x4.max (v128.load ${get('a')}) (v128.const i32x4 0 0 0 0)))
    ${bump('a', 16)} ${bump('y', 16)}
    (local.set $n (i32.sub ${get('n')} ${i32(4)}))
    (br_if $l ${get('n')})))
(func $grad (param $dy i32) (param $y i32) (param $dx i32) (param $n i32) (local $v v128)
  (loop $l
    (local.set $v (v128.load ${get('y')}))
    ;; dy where y > 0, all ones (a NaN) where y is NaN, else 0
    (v128.store ${get('dx')} (v128.or (v128.and (v128.load ${get('dy')}) (f32x4.gt ${get('v')} (v128.const i32x4 0 0 0 0))) (f32x4.ne ${get('v')} ${get('v')})))
    ${bump('dy', 16)} ${bump('y', 16)} ${bump('dx', 16)}
    (local.set $n (i32.sub ${get('n')} ${i32(4)}))
    (br_if $l ${get('n')})))
(export "sum" (func $sum)) (export "one" (func $one)) (export "grad" (func $grad)))`;

type Run = (...args: number[]) => void;
const kernels = () => wasmModule('relu', () => WAT) as Record<'sum' | 'one' | 'grad', Run>;

if (!tf.getKernel(FORWARD, 'wasm'))
  tf.registerKernel({
    kernelName: FORWARD,
    backendName: 'wasm',
    kernelFunc: ({ inputs }) => {
      const { a, b } = inputs as { a: tf.TensorInfo; b?: tf.TensorInfo };
      const y = wasmBackend().makeOutput(a.shape, 'float32');
      const n = a.shape.reduce((p, d) => p * d, 1);
      if (b) kernels().sum(offsetOf(a), offsetOf(b), offsetOf(y), n);
      else kernels().one(offsetOf(a), offsetOf(y), n);
      return y;
    },
  });

if (!tf.getKernel(BACKWARD, 'wasm'))
  tf.registerKernel({
    kernelName: BACKWARD,
    backendName: 'wasm',
    kernelFunc: ({ inputs }) => {
      const { dy, y } = inputs as { dy: tf.TensorInfo; y: tf.TensorInfo };
      const dx = wasmBackend().makeOutput(y.shape, 'float32');
      kernels().grad(
        offsetOf(dy),
        offsetOf(y),
        offsetOf(dx),
        y.shape.reduce((p, d) => p * d, 1),
      );
      return dx;
    },
  });

// The gradient as tfjs's own ops have theirs (no customGrad around the kernel): the engine saves
// y; for a sum, b's gradient is a's, computed once (again if the tape has disposed it meanwhile).
tf.registerGradient({
  kernelName: FORWARD,
  outputsToSave: [true],
  gradFunc: (dy, [y], attrs) => {
    let g: tf.Tensor | undefined;
    const grad = () => (g && !g.isDisposed ? g : (g = tf.engine().runKernel(BACKWARD, { dy: dy as tf.Tensor, y: y! }) as tf.Tensor));
    const grads: Record<string, () => tf.Tensor> = { a: grad };
    if ((attrs as { sum: boolean }).sum) grads.b = () => grad().clone();
    return grads;
  },
});

/** max(a (+ b), 0), differentiable (b broadcast as tf.add does: one kernel each way where it has a's shape). */
export function relu(a: tf.Tensor, b?: tf.Tensor): tf.Tensor {
  const same = !b || (b.dtype === 'float32' && tf.util.arraysEqual(a.shape, b.shape));
  if (!wasmKernelsReady() || !same || a.size % 4 !== 0 || a.size === 0 || a.dtype !== 'float32') return tf.relu(b ? a.add(b) : a);
  return tf.engine().runKernel(FORWARD, b ? { a, b } : { a }, { sum: !!b }) as tf.Tensor;
}
