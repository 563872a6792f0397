/**
 * Output gradients (the paper's Fig. 6 and Table 1). At initialisation an unnormalised deep net
 * predicts one class for almost every image, so the gradients of the loss with respect to the
 * logits share their sign across images and add up instead of cancelling.
 */
import * as tf from '@tensorflow/tfjs';
import type { Net } from '../nets/types';
import { conv2d } from '../backend/conv';
import type { LayerInfo } from '../nets/types';
import { median } from '../stats/moments';
import type { Rng } from '../rng';
import { disposeAll } from './common';
import { activationGradientsAndValues } from './gradients';

export interface OutputGradients {
  /** [images × classes], row-major: ∂L/∂logits (L the batch-mean loss) */
  matrix: Float32Array;
  images: number;
  classes: number;
  /** predicted class per image */
  predictions: Int32Array;
  /** share of images predicted as the most common predicted class */
  topClassShare: number;
  topClass: number;
}

export async function outputGradients(net: Net, x: tf.Tensor, y: tf.Tensor1D): Promise<OutputGradients> {
  const { grads, values } = activationGradientsAndValues(net, x, y, ['logits'], ['logits']);
  try {
    return await summariseOutputGradients(grads.logits!, values.logits!);
  } finally {
    disposeAll(grads);
    disposeAll(values);
  }
}

async function summariseOutputGradients(g: tf.Tensor, logits: tf.Tensor): Promise<OutputGradients> {
  const [images, classes] = g.shape as [number, number];
  const matrix = (await g.data()) as Float32Array;
  const argMax = tf.argMax(logits, 1);
  let predictions: Int32Array;
  try {
    predictions = (await argMax.data()) as Int32Array;
  } finally {
    argMax.dispose();
  }
  const counts = new Array<number>(classes).fill(0);
  for (const p of predictions) counts[p]!++;
  const topClass = counts.indexOf(Math.max(...counts));
  return { matrix, images, classes, predictions, topClassShare: counts[topClass]! / images, topClass };
}

export interface Concordance {
  layer: string;
  /** per kernel entry: |Σ_{b,x,y} d| */
  absOfSum: Float32Array;
  /** per kernel entry: Σ_{b,x,y} |d| */
  sumOfAbs: Float32Array;
  /** per kernel entry: |Σd| / Σ|d| ∈ [0, 1]; 1 = every term has the same sign */
  ratio: Float32Array;
  /** median ratio over kernel entries */
  medianRatio: number;
  /**
   * Table 1's quantity, over per-example gradients g_b = Σ_{x,y} d (each image's own kernel
   * gradient): per kernel entry |Σ_b g_b| / Σ_b |g_b|, median over the entries. Input-independent
   * gradients share their sign across images (≈ 1); input-dependent ones cancel (≈ √(π/2)/√B for
   * independent zero-mean terms).
   */
  perExampleMedianRatio: number;
  /** the per-example kernel gradients g_b, flattened: images × kernel entries */
  perExample: Float32Array[];
}

/**
 * The null distribution of `perExampleMedianRatio` for input-dependent gradients: each image's
 * g_b multiplied by an independent random sign (a sign that does not depend on the input has no
 * reason to be shared), the median over entries of |Σ_b s_b g_b| / Σ_b |g_b|, `draws` times.
 */
export function signFlipNull(perExample: Float32Array[], draws: number, rng: Rng): number[] {
  const entries = perExample[0]!.length;
  const sumAbs = new Float64Array(entries);
  for (const g of perExample) for (let i = 0; i < entries; i++) sumAbs[i]! += Math.abs(g[i]!);
  const acc = new Float64Array(entries);
  const ratios = new Float32Array(entries);
  const out: number[] = [];
  for (let d = 0; d < draws; d++) {
    acc.fill(0);
    for (const g of perExample) {
      const s = rng.uniform() < 0.5 ? -1 : 1;
      for (let i = 0; i < entries; i++) acc[i]! += s * g[i]!;
    }
    for (let i = 0; i < entries; i++) ratios[i] = Math.abs(acc[i]!) / Math.max(sumAbs[i]!, 1e-30);
    out.push(median(ratios));
  }
  return out;
}

/**
 * Output gradients and the gradient concordance of one conv layer's kernel (Table 1), from one
 * shared forward-backward pass. The kernel gradient is a sum over images b and positions (x, y)
 * of terms d = input patch value · output gradient. |Σd| is the absolute gradient; Σ|d| is the
 * same filter-gradient computation with both factors replaced by their absolute values
 * (|a·b| = |a|·|b|), so no per-position tensor is ever materialised.
 */
export async function inputDependence(
  net: Net,
  x: tf.Tensor,
  y: tf.Tensor1D,
  layerName: string,
): Promise<{ output: OutputGradients; concordance: Concordance }> {
  const layer = findConv(net, layerName);
  const { grads, values } = activationGradientsAndValues(net, x, y, ['logits', layer.output], ['logits', layer.input]);
  let output: OutputGradients;
  try {
    output = await summariseOutputGradients(grads.logits!, values.logits!);
  } catch (e) {
    disposeAll(grads);
    disposeAll(values);
    throw e;
  }
  grads.logits!.dispose();
  values.logits!.dispose();
  return { output, concordance: await concordanceOf(layerName, net, layer, values[layer.input]!, grads[layer.output]!) };
}

function findConv(net: Net, layerName: string): LayerInfo {
  const layer = net.layers.find((l) => l.name === layerName);
  if (!layer || layer.kind !== 'conv') throw new Error(`${net.description} has no conv layer ${layerName}`);
  return layer;
}

/** A tensor made by `f` (in tf.tidy), read asynchronously as float32 and disposed. */
async function readFloats(f: () => tf.Tensor): Promise<Float32Array> {
  const t = tf.tidy(f);
  try {
    return (await t.data()) as Float32Array;
  } finally {
    t.dispose();
  }
}

/** Disposes `input` and `dy`. */
async function concordanceOf(
  layerName: string,
  net: Net,
  layer: LayerInfo,
  input: tf.Tensor,
  dy: tf.Tensor,
  eps = 1e-30,
): Promise<Concordance> {
  const w = net.params.get(layer.weight)!;
  // dL/dw = grad of Σ conv(input, w)·dy with respect to w; with |input| and |dy| it gives Σ|d|
  const fg = (inp: tf.Tensor, up: tf.Tensor) =>
    tf.tidy(() =>
      tf.grad((k: tf.Tensor) =>
        conv2d(inp as tf.Tensor4D, k as tf.Tensor4D, layer.stride, 'same')
          .mul(up)
          .sum(),
      )(w),
    );
  const sumOfPerExampleAbs = new Float32Array(w.size);
  const perExample: Float32Array[] = [];
  let absOfSum: Float32Array;
  let sumOfAbs: Float32Array;
  try {
    absOfSum = await readFloats(() => tf.abs(fg(input, dy)));
    sumOfAbs = await readFloats(() => fg(tf.abs(input), tf.abs(dy)));
    // Σ_b |g_b|: one filter gradient per image
    for (let b = 0; b < input.shape[0]; b++) {
      const one = (t: tf.Tensor) => t.slice([b, 0, 0, 0], [1, -1, -1, -1]);
      const gb = await readFloats(() => fg(one(input), one(dy)));
      perExample.push(gb);
      for (let i = 0; i < gb.length; i++) sumOfPerExampleAbs[i]! += Math.abs(gb[i]!);
    }
  } finally {
    input.dispose();
    dy.dispose();
  }
  const ratio = absOfSum.map((v, i) => v / Math.max(sumOfAbs[i]!, eps));
  const perExampleRatio = absOfSum.map((v, i) => v / Math.max(sumOfPerExampleAbs[i]!, eps));
  return {
    layer: layerName,
    absOfSum,
    sumOfAbs,
    ratio,
    medianRatio: median(ratio),
    perExampleMedianRatio: median(perExampleRatio),
    perExample,
  };
}
