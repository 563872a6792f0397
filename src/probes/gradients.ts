/**
 * Gradient samples: of any layer's weights (the paper's Fig. 4 histograms), and of the loss with
 * respect to any probe point's activations (zero perturbations added there; their gradient is
 * the activation gradient). Training mode: the gradients an SGD step would use.
 */
import * as tf from '@tensorflow/tfjs';
import type { Net } from '../nets/types';
import { crossEntropy } from '../train/loss';
import { disposeAll, gradientsAt } from './common';

/** Flat gradient of the loss on (x, y) with respect to the named parameters (read asynchronously). */
export async function parameterGradients(net: Net, x: tf.Tensor, y: tf.Tensor1D, names: string[]): Promise<Record<string, Float32Array>> {
  for (const n of names) if (!net.params.has(n)) throw new Error(`${net.description} has no parameter ${n}`);
  const grads = gradientsAt(net, x, y);
  try {
    const out: Record<string, Float32Array> = {};
    for (const n of names) out[n] = (await grads[n]!.data()) as Float32Array;
    return out;
  } finally {
    disposeAll(grads);
  }
}

/**
 * Gradient of the loss with respect to the activations at the given probe points, and (from the
 * same forward pass) copies of the activations at the `keep` points. One forward pass to learn
 * the shapes, one forward-backward for the gradients. The caller owns the returned tensors.
 */
export function activationGradientsAndValues(
  net: Net,
  x: tf.Tensor,
  y: tf.Tensor1D,
  points: string[],
  keep: string[] = [],
): { grads: Record<string, tf.Tensor>; values: Record<string, tf.Tensor> } {
  const shapes = new Map<string, number[]>();
  const values: Record<string, tf.Tensor> = {};
  tf.tidy(() => {
    net.forward(x, {
      training: true,
      capture: (p, a) => {
        if (points.includes(p)) shapes.set(p, a.shape);
        if (keep.includes(p)) values[p] = tf.keep(a.clone());
      },
    });
  });
  const missing = [...points.filter((p) => !shapes.has(p)), ...keep.filter((p) => !values[p])];
  if (missing.length) {
    disposeAll(values);
    throw new Error(`probe points not produced by ${net.description}: ${missing.join(', ')}`);
  }
  const zeros = points.map((p) => tf.zeros(shapes.get(p)!));
  const f = (...zs: tf.Tensor[]) =>
    crossEntropy(net.forward(x, { training: true, perturb: Object.fromEntries(points.map((p, i) => [p, zs[i]!])) }), y);
  const grads = tf.grads(f)(zeros);
  disposeAll(zeros);
  return { grads: Object.fromEntries(points.map((p, i) => [p, grads[i]!])), values };
}
