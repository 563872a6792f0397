/**
 * Sharpness that a rescaling of the weights cannot change: the curvature of the training loss
 * along filter-normalised random directions (Li, Xu, Taylor, Studer, Goldstein 2018, "Visualizing
 * the Loss Landscape of Neural Nets", §4).
 *
 * Why: with BN after a conv, the loss does not change when that conv's kernel is scaled, so the
 * raw Hessian scales as 1/‖w‖² and weight decay, or a larger rate (which grows ‖w‖), moves the top
 * eigenvalue without any change of the function (Li et al. §3; van Laarhoven 2017). A direction d
 * whose every filter has the norm of the matching filter of w moves with such a rescaling, and the
 * curvature along it does not.
 *
 * Directions: for every weight that gets weight decay (conv kernels and the classifier's matrix:
 * `net.decayed`), a Gaussian tensor whose every output filter (last axis) is rescaled to the norm
 * of the same filter of w; biases and BN's γ, β are not moved (d = 0, as Li et al. do).
 * Curvature along d: the central second difference κ(d) = [L(w + εd) + L(w − εd) − 2 L(w)] / ε²,
 * L the training-mode loss (batch statistics, the loss SGD minimises) averaged over fixed,
 * un-augmented batches. Sharpness = the mean of κ over `directions` seeded directions: an unbiased
 * estimate of tr(P H P)/… along the filter-normalised metric, i.e. an average curvature rather than
 * the top one, which a random direction would not find anyway.
 * ε = 0.05: a 5 % move of every filter; L changes by ~ε²κ/2, far above float32's resolution of a
 * mean loss (~1e-6) even for κ ~ 0.1, and small enough that the loss is close to quadratic
 * (Li et al.'s 1-D plots are flat-bottomed bowls to α ≈ 0.2–0.5 for trained ResNets).
 */
import * as tf from '@tensorflow/tfjs';
import type { Net } from '../nets/types';
import { crossEntropy } from '../train/loss';
import { Rng } from '../rng';
import type { ParamValues } from './common';

export interface SharpnessOptions {
  directions: number;
  epsilon: number;
  seed: number;
}

export interface SharpnessResult {
  /** mean curvature over the directions */
  value: number;
  /** κ per direction */
  perDirection: number[];
  /** L(w) on the probe batches */
  loss: number;
}

/** A filter-normalised Gaussian direction (the caller disposes). */
export function filterNormalisedDirection(net: Net, rng: Rng): ParamValues {
  const out: ParamValues = {};
  for (const name of net.decayed) {
    const w = net.params.get(name);
    if (!w) continue;
    const noise = Float32Array.from(rng.normals(w.size));
    out[name] = tf.tidy(() => {
      const d = tf.tensor(noise, w.shape);
      const axes = w.shape.map((_, i) => i).slice(0, -1);
      const wNorm = tf.sqrt(tf.sum(tf.square(w), axes, true));
      const dNorm = tf.sqrt(tf.sum(tf.square(d), axes, true));
      return d.mul(wNorm.div(dNorm.maximum(1e-12)));
    });
  }
  return out;
}

/** Mean training-mode loss over the batches at θ + t·d (the running averages untouched). */
async function meanLoss(
  net: Net,
  batches: readonly { x: tf.Tensor4D; y: tf.Tensor1D }[],
  d: ParamValues | undefined,
  t: number,
): Promise<number> {
  // θ + t·d once, for every batch
  const params: ParamValues = tf.tidy(() =>
    d ? Object.fromEntries(Object.entries(d).map(([name, dir]) => [name, net.params.get(name)!.add(dir.mul(t))])) : {},
  );
  try {
    let sum = 0;
    for (const b of batches) {
      const l = tf.tidy(() => crossEntropy(net.forward(b.x, { training: true, params }), b.y));
      sum += (await l.data())[0]!;
      l.dispose();
    }
    return sum / batches.length;
  } finally {
    tf.dispose(Object.values(params));
  }
}

export async function filterNormalisedSharpness(
  net: Net,
  batches: readonly { x: tf.Tensor4D; y: tf.Tensor1D }[],
  o: SharpnessOptions,
): Promise<SharpnessResult> {
  if (!batches.length) throw new Error('filterNormalisedSharpness: no probe batches');
  if (!(o.epsilon > 0) || !(o.directions >= 1))
    throw new RangeError(`filterNormalisedSharpness: need epsilon > 0 and directions ≥ 1, got ${o.epsilon}, ${o.directions}`);
  const rng = new Rng(o.seed);
  const l0 = await meanLoss(net, batches, undefined, 0);
  const perDirection: number[] = [];
  for (let k = 0; k < o.directions; k++) {
    const d = filterNormalisedDirection(net, rng);
    try {
      const plus = await meanLoss(net, batches, d, o.epsilon);
      const minus = await meanLoss(net, batches, d, -o.epsilon);
      perDirection.push((plus + minus - 2 * l0) / (o.epsilon * o.epsilon));
    } finally {
      tf.dispose(Object.values(d));
    }
  }
  return { value: perDirection.reduce((a, b) => a + b, 0) / perDirection.length, perDirection, loss: l0 };
}
