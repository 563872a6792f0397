/**
 * SGD noise at a fixed θ (the bound of the paper's §3.1): E‖α∇ℓ(x) − α∇_SGD(x)‖² ≤ α²C/|B|, C
 * the variance of one example's gradient. Measured empirically:
 *
 *  - the full gradient g: the net's own gradient on the whole pool of N examples, in training
 *    mode (with BN: the pool's batch statistics), as a gradient-descent step on the pool takes it;
 *  - mini-batch gradients g_B: real mini-batches of |B| examples drawn from the pool without
 *    replacement, each a forward and backward pass of the net on that batch (with BN, training
 *    mode couples the examples through the batch statistics);
 *  - C, independently, from per-example gradients g_i: C = mean ‖g_i − ḡ‖². Without BN the loss is
 *    a mean of per-example terms, g_i is the net on example i alone and ḡ = g. With BN an example
 *    has no gradient of its own in training mode; g_i is taken with the statistics held at the
 *    pool's (BN's inference form with running averages set to the pool's batch moments), which
 *    is the per-example view the bound assumes. Where BN's coupling departs from it is then
 *    visible in the measured noise against α²C/|B|.
 *
 * For independent per-example terms, drawing without replacement gives
 * E‖g_B − g‖² = C/|B| · (N − |B|)/(N − 1) exactly: below the bound.
 */
import * as tf from '@tensorflow/tfjs';
import type { Net } from '../nets/types';
import { Rng, deriveSeed } from '../rng';
import { Sgd, type SgdConfig } from '../train/sgd';
import { trainStep } from '../train/train';
import { disposeAll, flatten, gradientsAt, snapshot } from './common';

/** The net's gradient on (x, y) as one flat vector (training mode unless told), read asynchronously. */
export async function flatGradient(net: Net, x: tf.Tensor, y: tf.Tensor1D, training = true): Promise<Float32Array> {
  const grads = gradientsAt(net, x, y, { training });
  try {
    return await flatten([...net.params.keys()].map((k) => grads[k]!));
  } finally {
    disposeAll(grads);
  }
}

/**
 * Set every BN layer's running mean and variance to the batch moments of x (biased variance, as
 * BN normalises with), so that inference mode on x equals training mode on x as a function, with
 * the statistics held fixed. A net without BN is left as it is.
 */
export function freezeBnAtBatchStatistics(net: Net, x: tf.Tensor): void {
  const bnInputs = new Map(net.layers.filter((l) => l.bn).map((l) => [l.output, `${l.name}.bn`]));
  if (net.bn === 'final') {
    // one BN on the last residual block's output (src/nets/resnet.ts)
    const last = net.probePoints.filter((p) => p.name.startsWith('block:')).at(-1);
    if (!last) throw new Error(`freezeBnAtBatchStatistics: ${net.description} has no residual block output for its final BN`);
    bnInputs.set(last.name, 'final.bn');
  }
  if (bnInputs.size === 0) return;
  tf.tidy(() => {
    net.forward(x, {
      training: true,
      capture: (point, a) => {
        const name = bnInputs.get(point);
        if (!name) return;
        const rm = net.state.get(`${name}.mean`);
        const rv = net.state.get(`${name}.var`);
        if (!rm || !rv) throw new Error(`freezeBnAtBatchStatistics: ${net.description} has no running statistics for ${name}`);
        const { mean, variance } = tf.moments(
          a,
          a.shape.slice(0, -1).map((_, i) => i),
        );
        rm.assign(mean);
        rv.assign(variance);
      },
    });
  });
}

export interface PerExampleGradients {
  /** n flat gradients of length dim */
  grads: Float32Array[];
  dim: number;
  /** ḡ = mean g_i */
  mean: Float64Array;
  /** C = mean over i of ‖g_i − ḡ‖² */
  C: number;
}

/** Per-example gradients over the pool (x, y) and their variance C (see the header for BN). */
export async function perExampleGradients(net: Net, x: tf.Tensor4D, y: tf.Tensor1D): Promise<PerExampleGradients> {
  const n = x.shape[0];
  const training = net.bn === 'none';
  const restoreState = snapshot(net);
  if (!training) freezeBnAtBatchStatistics(net, x);
  const grads: Float32Array[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const xi = x.slice([i, 0, 0, 0], [1, -1, -1, -1]);
      const yi = y.slice([i], [1]);
      try {
        grads.push(await flatGradient(net, xi, yi, training));
      } finally {
        tf.dispose([xi, yi]);
      }
    }
  } finally {
    restoreState.restore();
    restoreState.dispose();
  }
  const dim = grads[0]!.length;
  const mean = new Float64Array(dim);
  for (const g of grads) for (let j = 0; j < dim; j++) mean[j]! += g[j]! / n;
  let C = 0;
  for (const g of grads) C += squaredDistance(g, mean) / n;
  return { grads, dim, mean, C };
}

export function squaredDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j]! - b[j]!) ** 2;
  return s;
}

/** A seeded draw of `size` distinct indices of the pool, as a batch. The caller disposes. */
function drawBatch(x: tf.Tensor4D, y: tf.Tensor1D, size: number, rng: Rng): { xb: tf.Tensor4D; yb: tf.Tensor1D } {
  const n = x.shape[0];
  if (size < 1 || size > n) throw new Error(`batch size ${size} does not fit a pool of ${n}`);
  const idx = tf.tensor1d(rng.shuffle(Array.from({ length: n }, (_, i) => i)).slice(0, size), 'int32');
  const out = { xb: tf.gather(x, idx) as tf.Tensor4D, yb: tf.gather(y, idx) as tf.Tensor1D };
  idx.dispose();
  return out;
}

export interface NoiseMeasurement {
  alpha: number;
  batchSize: number;
  draws: number;
  /** mean over draws of the squared deviation */
  measured: number;
  /** standard error of that mean */
  stderr: number;
}

function summarise(alpha: number, batchSize: number, values: number[]): NoiseMeasurement {
  const draws = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / draws;
  const v = values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(draws - 1, 1);
  return { alpha, batchSize, draws, measured: mean, stderr: Math.sqrt(v / draws) };
}

/**
 * E‖α(g_B − g)‖² over `draws` real mini-batches of size |B| drawn from the pool without
 * replacement; g is `full`, the net's gradient on the whole pool.
 */
export async function miniBatchNoise(
  net: Net,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  full: ArrayLike<number>,
  alpha: number,
  batchSize: number,
  draws: number,
  seed: number,
): Promise<NoiseMeasurement> {
  const rng = new Rng(seed);
  const values: number[] = [];
  for (let d = 0; d < draws; d++) {
    const { xb, yb } = drawBatch(x, y, batchSize, rng);
    try {
      values.push(alpha * alpha * squaredDistance(await flatGradient(net, xb, yb), full));
    } finally {
      tf.dispose([xb, yb]);
    }
  }
  return summarise(alpha, batchSize, values);
}

/**
 * The same deviation as the optimiser makes it: from θ, one step of the project's SGD (momentum
 * and weight decay as in training, fresh state) at learning rate α on a mini-batch against the
 * same step on the whole pool; ‖θ_SGD − θ_GD‖² per draw. The net is restored after each step.
 */
export async function stepDeviation(
  net: Net,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  alpha: number,
  batchSize: number,
  draws: number,
  seed: number,
  sgd: SgdConfig,
): Promise<NoiseMeasurement> {
  const names = [...net.params.keys()];
  const at = snapshot(net);
  const stepOn = async (xb: tf.Tensor4D, yb: tf.Tensor1D) => {
    const opt = new Sgd(net.params, net.decayed, sgd);
    try {
      await trainStep(net, opt, xb, yb, alpha);
    } finally {
      opt.dispose();
    }
    const theta = await flatten(names.map((k) => net.params.get(k)!));
    at.restore();
    return theta;
  };
  try {
    const gd = await stepOn(x, y);
    const rng = new Rng(seed);
    const values: number[] = [];
    for (let d = 0; d < draws; d++) {
      const { xb, yb } = drawBatch(x, y, batchSize, rng);
      try {
        values.push(squaredDistance(await stepOn(xb, yb), gd));
      } finally {
        tf.dispose([xb, yb]);
      }
    }
    return summarise(alpha, batchSize, values);
  } finally {
    at.dispose();
  }
}

export interface NoiseScaling {
  /** C = mean ‖g_i − ḡ‖² over the pool (per-example gradients) */
  C: number;
  /** E‖α(g_B − g)‖² at `fixedAlpha`, per batch size */
  vsBatch: NoiseMeasurement[];
  /** the optimiser's ‖θ_SGD − θ_GD‖² at `fixedBatch`, per α */
  vsAlpha: NoiseMeasurement[];
}

/**
 * The whole §3.1 measurement on one net and pool: C, the noise against |B| at a fixed α, and the
 * optimiser's deviation against α at a fixed |B|. Draws are seeded from `seed` and `arm` (0 for
 * the unnormalised net, 1 for BN), one stream per grid point.
 */
export async function noiseScaling(
  net: Net,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  o: {
    batches: number[];
    batchDraws: number;
    fixedAlpha: number;
    alphas: number[];
    alphaDraws: number;
    fixedBatch: number;
    sgd: SgdConfig;
    seed: number;
    arm: number;
  },
): Promise<NoiseScaling> {
  const pe = await perExampleGradients(net, x, y);
  const full = await flatGradient(net, x, y);
  const vsBatch: NoiseMeasurement[] = [];
  for (const b of o.batches)
    vsBatch.push(await miniBatchNoise(net, x, y, full, o.fixedAlpha, b, o.batchDraws, deriveSeed(o.seed, 0x5d, o.arm, b)));
  const vsAlpha: NoiseMeasurement[] = [];
  for (const [i, a] of o.alphas.entries())
    vsAlpha.push(await stepDeviation(net, x, y, a, o.fixedBatch, o.alphaDraws, deriveSeed(o.seed, 0xa1, o.arm, i), o.sgd));
  return { C: pe.C, vsBatch, vsAlpha };
}
