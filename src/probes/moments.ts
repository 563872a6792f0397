/**
 * Channel moments of activations: for every probe point, the mean and standard deviation of each
 * channel over the batch and the spatial positions (the paper's Fig. 3 and Fig. 5 quantities).
 */
import * as tf from '@tensorflow/tfjs';
import type { Net } from '../nets/types';
import type { ParamValues } from './common';

export interface ChannelMoments {
  point: string;
  depth: number;
  /** per-channel means */
  means: Float32Array;
  /** per-channel standard deviations (biased, over B·H·W values) */
  stds: Float32Array;
  /** count of non-finite entries among means and stds (a probe records them, never throws) */
  nonFinite: number;
}

/** Per-channel mean/std of a tensor over all axes but the last, as tensors (caller owns; usable inside tf.tidy). */
export function channelMomentTensors(t: tf.Tensor): { mean: tf.Tensor1D; std: tf.Tensor1D } {
  return tf.tidy(() => {
    const axes = t.shape.slice(0, -1).map((_, i) => i);
    const { mean, variance } = tf.moments(t, axes);
    return { mean: mean as tf.Tensor1D, std: tf.sqrt(variance) as tf.Tensor1D };
  });
}

/**
 * Run one forward pass on x and collect the channel moments at the given probe points (default:
 * every point but the input). Training mode (batch statistics) unless `training: false`. The
 * moments are computed during the pass and read after it (asynchronously).
 */
export async function activationMoments(
  net: Net,
  x: tf.Tensor,
  opts: { points?: string[]; training?: boolean; params?: ParamValues } = {},
): Promise<ChannelMoments[]> {
  const wanted = new Set(opts.points ?? net.probePoints.map((p) => p.name).filter((n) => n !== 'input'));
  const depthOf = new Map(net.probePoints.map((p) => [p.name, p.depth]));
  const kept: { point: string; mean: tf.Tensor1D; std: tf.Tensor1D }[] = [];
  try {
    tf.tidy(() => {
      net.forward(x, {
        training: opts.training ?? true,
        params: opts.params,
        capture: (point, a) => {
          if (!wanted.has(point)) return;
          const { mean, std } = channelMomentTensors(a);
          kept.push({ point, mean: tf.keep(mean), std: tf.keep(std) });
        },
      });
    });
    const missing = [...wanted].filter((w) => !kept.some((o) => o.point === w));
    if (missing.length) throw new Error(`probe points not produced by ${net.description}: ${missing.join(', ')}`);
    const out: ChannelMoments[] = [];
    for (const { point, mean, std } of kept) {
      const means = (await mean.data()) as Float32Array;
      const stds = (await std.data()) as Float32Array;
      let nonFinite = 0;
      for (const v of means) if (!Number.isFinite(v)) nonFinite++;
      for (const v of stds) if (!Number.isFinite(v)) nonFinite++;
      out.push({ point, depth: depthOf.get(point) ?? NaN, means, stds, nonFinite });
    }
    return out;
  } finally {
    for (const k of kept) tf.dispose([k.mean, k.std]);
  }
}

export interface PooledFeatures {
  /** share of pooled feature channels that are 0 for every image of the batch (dead units) */
  deadShare: number;
  /** mean over images of the Euclidean norm of the pooled feature vector */
  meanNorm: number;
}

/**
 * The features entering the classifier (probe point 'pooled'), training mode: how many are dead
 * and how large they are. Diagnoses a net whose output scale collapses in its first steps.
 */
export async function pooledFeatures(net: Net, x: tf.Tensor): Promise<PooledFeatures> {
  let pooled: tf.Tensor | undefined;
  try {
    tf.tidy(() => {
      net.forward(x, {
        training: true,
        capture: (point, a) => {
          if (point !== 'pooled') return;
          pooled?.dispose();
          pooled = tf.keep(a.clone());
        },
      });
    });
    if (!pooled) throw new Error(`${net.description} has no 'pooled' probe point`);
    const [n, c] = pooled.shape as [number, number];
    const v = await pooled.data();
    let dead = 0;
    for (let j = 0; j < c; j++) {
      let alive = false;
      for (let i = 0; i < n && !alive; i++) if (v[i * c + j] !== 0) alive = true;
      if (!alive) dead++;
    }
    let norms = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < c; j++) s += v[i * c + j]! ** 2;
      norms += Math.sqrt(s);
    }
    return { deadShare: dead / c, meanNorm: norms / n };
  } finally {
    pooled?.dispose();
  }
}
