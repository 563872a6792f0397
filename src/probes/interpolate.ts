/**
 * Moments along one step (the paper's Fig. 3): parameters θ + t·Δ with Δ = −α·g the gradient step
 * on a batch, for t from 0 to 1; at each t the channel means and variances of every probed layer
 * on the same batch. A diverging step shows where in the depth the activations blow up.
 */
import * as tf from '@tensorflow/tfjs';
import type { Net } from '../nets/types';
import { disposeAll, lossAndGrads, lossAt, moveAlong } from './common';
import { activationMoments, type ChannelMoments } from './moments';

export interface StepInterpolation {
  ts: number[];
  alpha: number;
  points: string[];
  /** moments[i]: at ts[i], the probed points in the order the forward pass reaches them (find them by `point`) */
  moments: ChannelMoments[][];
  /** relative loss at each t */
  relativeLoss: number[];
}

export async function momentsAlongStep(
  net: Net,
  x: tf.Tensor,
  y: tf.Tensor1D,
  alpha: number,
  ts: number[],
  points: string[],
): Promise<StepInterpolation> {
  const { loss: loss0, grads } = await lossAndGrads(net, x, y);
  const moments: ChannelMoments[][] = [];
  const relativeLoss: number[] = [];
  try {
    for (const t of ts) {
      const moved = moveAlong(net, grads, -alpha * t);
      try {
        moments.push(await activationMoments(net, x, { points, params: moved }));
        const l = await lossAt(net, x, y, moved);
        relativeLoss.push(Number.isFinite(l) ? l / loss0 : Infinity);
      } finally {
        disposeAll(moved);
      }
    }
  } finally {
    disposeAll(grads);
  }
  return { ts, alpha, points, moments, relativeLoss };
}
