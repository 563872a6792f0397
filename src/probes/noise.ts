/**
 * SGD noise at a fixed θ (the bound of the paper's §3.1): E‖α∇ℓ(x) − α∇_SGD(x)‖² ≤ α²C/|B|, C
 * the variance of one example's gradient. We take per-example gradients g_i over a pool of N
 * examples, the full gradient g = mean g_i, C = mean ‖g_i − g‖², and measure the noise of
 * mini-batches drawn with replacement from the pool (then E‖g_B − g‖² = C/|B| exactly) or
 * without (then it is C/|B|·(N−|B|)/(N−1), below the bound). Because the loss of a net without
 * BN is a mean over examples, g_B is exactly the mean of the drawn g_i: no extra passes needed.
 * Nets with BN have no per-example gradient in training mode; they are probed in eval mode.
 */
import * as tf from '@tensorflow/tfjs';
import type { Net } from '../nets/types';
import { Rng } from '../stats/rng';
import { disposeAll, flatten, lossAndGrads } from './common';

export interface PerExampleGradients {
  /** n flat gradients of length dim */
  grads: Float32Array[];
  dim: number;
  /** the full gradient (mean over the pool) */
  full: Float64Array;
  /** C = mean over i of ‖g_i − g‖² */
  C: number;
}

export function perExampleGradients(net: Net, x: tf.Tensor4D, y: tf.Tensor1D): PerExampleGradients {
  const n = x.shape[0];
  const names = [...net.params.keys()];
  const grads: Float32Array[] = [];
  const training = net.bn === 'none';
  for (let i = 0; i < n; i++) {
    const xi = x.slice([i, 0, 0, 0], [1, -1, -1, -1]);
    const yi = y.slice([i], [1]);
    const { grads: g } = lossAndGrads(net, xi, yi, { training });
    grads.push(flatten(names.map((k) => g[k]!)));
    disposeAll(g);
    xi.dispose();
    yi.dispose();
  }
  const dim = grads[0]!.length;
  const full = new Float64Array(dim);
  for (const g of grads) for (let j = 0; j < dim; j++) full[j]! += g[j]! / n;
  let C = 0;
  for (const g of grads) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += (g[j]! - full[j]!) ** 2;
    C += s / n;
  }
  return { grads, dim, full, C };
}

export interface NoiseMeasurement {
  alpha: number;
  batchSize: number;
  draws: number;
  withReplacement: boolean;
  /** mean over draws of ‖α(g_B − g)‖² */
  measured: number;
  /** standard error of that mean */
  stderr: number;
  /** α²C/|B| */
  bound: number;
}

/** Measure E‖α(g_B − g)‖² over `draws` mini-batches of size |B| drawn from the pool. */
export function sgdNoise(
  pe: PerExampleGradients,
  alpha: number,
  batchSize: number,
  draws: number,
  seed: number,
  withReplacement = true,
): NoiseMeasurement {
  const n = pe.grads.length;
  if (batchSize < 1 || (!withReplacement && batchSize > n)) throw new Error(`batch size ${batchSize} does not fit a pool of ${n}`);
  const rng = new Rng(seed);
  const gB = new Float64Array(pe.dim);
  const values: number[] = [];
  for (let d = 0; d < draws; d++) {
    gB.fill(0);
    const idx = withReplacement
      ? Array.from({ length: batchSize }, () => rng.int(n))
      : rng.shuffle(Array.from({ length: n }, (_, i) => i)).slice(0, batchSize);
    for (const i of idx) {
      const g = pe.grads[i]!;
      for (let j = 0; j < pe.dim; j++) gB[j]! += g[j]!;
    }
    let s = 0;
    for (let j = 0; j < pe.dim; j++) s += (gB[j]! / batchSize - pe.full[j]!) ** 2;
    values.push(alpha * alpha * s);
  }
  const mean = values.reduce((a, b) => a + b, 0) / draws;
  const v = values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(draws - 1, 1);
  return { alpha, batchSize, draws, withReplacement, measured: mean, stderr: Math.sqrt(v / draws), bound: (alpha * alpha * pe.C) / batchSize };
}
