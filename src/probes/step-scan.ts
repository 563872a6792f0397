/**
 * Step-size scan (the paper's Fig. 2): from θ, take one gradient step of size α along the
 * gradient of a batch and measure the relative loss L(θ − α·g) / L(θ) on the same batch, for a
 * log grid of α. The divergence step α* is the smallest α whose relative loss exceeds the
 * paper's threshold 1e3 (or is non-finite); `null` when no α in the grid does.
 */
import * as tf from '@tensorflow/tfjs';
import { addAll } from '../backend/add-all';
import type { Net } from '../nets/types';
import { disposeAll, lossAndGrads, lossAt, moveAlong, readScalar } from './common';

export const DIVERGENCE_THRESHOLD = 1e3;

export interface StepScan {
  alphas: number[];
  /** L(θ − αg)/L(θ); Infinity where the loss is non-finite */
  relative: number[];
  loss0: number;
  /** smallest α with relative loss > threshold (or non-finite); null if none */
  alphaStar: number | null;
  gradNorm: number;
}

/** n points from lo to hi, evenly spaced in log10. */
export function logGrid(lo: number, hi: number, n: number): number[] {
  if (!(lo > 0 && hi > lo && n >= 2)) throw new Error(`logGrid needs 0 < lo < hi and n ≥ 2, got ${lo}, ${hi}, ${n}`);
  const a = Math.log10(lo);
  const b = Math.log10(hi);
  return Array.from({ length: n }, (_, i) => 10 ** (a + ((b - a) * i) / (n - 1)));
}

export function divergenceStep(alphas: number[], relative: number[], threshold = DIVERGENCE_THRESHOLD): number | null {
  for (let i = 0; i < alphas.length; i++) if (!(relative[i]! <= threshold)) return alphas[i]!;
  return null;
}

export async function stepSizeScan(
  net: Net,
  x: tf.Tensor,
  y: tf.Tensor1D,
  alphas: number[],
  opts: { threshold?: number; training?: boolean } = {},
): Promise<StepScan> {
  const training = opts.training ?? true;
  const { loss: loss0, grads } = await lossAndGrads(net, x, y, { training });
  try {
    const gradNorm = Math.sqrt(await readScalar(() => addAll(Object.values(grads).map((g) => g.square().sum()))));
    const relative: number[] = [];
    for (const a of alphas) {
      const moved = moveAlong(net, grads, -a);
      try {
        const l = await lossAt(net, x, y, moved, training);
        relative.push(Number.isFinite(l) ? l / loss0 : Infinity);
      } finally {
        disposeAll(moved);
      }
    }
    return { alphas, relative, loss0, alphaStar: divergenceStep(alphas, relative, opts.threshold), gradNorm };
  } finally {
    disposeAll(grads);
  }
}
