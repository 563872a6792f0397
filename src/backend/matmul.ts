/**
 * A differentiable a·b whose gradients are plain matmuls of explicitly transposed operands.
 *
 * Why: tfjs-backend-wasm runs a plain MatMul through XNNPACK but one with transposeA/transposeB
 * (what tf.matMul's own gradient uses) through a plain C++ loop, ~10x slower; an explicit
 * transpose costs far less than the difference (~7× faster forward + backward at 128x784 ·
 * 784x100: docs/measurements.md). Below ~100k multiply-adds the two extra transposes' op overhead
 * makes it slightly slower than tf's; not worth a second path.
 * On backends with native kernels 'auto' mode just calls tf.matMul.
 */
import * as tf from '@tensorflow/tfjs';
import { fastGradientsActive, transpose2d } from './conv';

export { setFastGradients } from './conv';

let fastMatMul: ((a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D) | undefined;

/** a [m,k] · b [k,n] → [m,n]; da = dy·bᵀ and db = aᵀ·dy as plain matmuls on wasm. */
export function matMul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  if (!fastGradientsActive()) return tf.matMul(a, b);
  if (a.rank !== 2 || b.rank !== 2) throw new Error(`matMul: expected rank-2 operands, got ${a.rank} and ${b.rank}`);
  if (a.shape[1] !== b.shape[0]) throw new Error(`matMul: inner sizes differ: [${a.shape}]·[${b.shape}]`);
  fastMatMul ??= tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [x, y, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    save([x, y]);
    return {
      value: tf.matMul(x, y),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ys] = saved as [tf.Tensor2D, tf.Tensor2D];
        return tf.tidy(() => [tf.matMul(dy as tf.Tensor2D, transpose2d(ys)), tf.matMul(transpose2d(xs), dy as tf.Tensor2D)]);
      },
    };
  }) as unknown as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;
  return fastMatMul(a, b);
}
