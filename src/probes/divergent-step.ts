/**
 * The paper's Fig. 3 measurement: one gradient step from θ that diverges by a wide margin (its
 * relative loss L(θ − αg)/L(θ) above `minRelativeLoss`, not the marginal α* at 1e3), and the
 * channel moments of chosen probe points along it (momentsAlongStep), reduced to one variance and
 * one |mean| per point and step fraction t.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Net } from '../nets/types';
import { momentsAlongStep, type StepInterpolation } from './interpolate';
import { disposeAll, lossAndGrads, lossAt, moveAlong } from './common';

export interface DivergentStep {
  /** the smallest α of the grid whose relative loss is above the threshold (or not finite); null if none */
  alpha: number | null;
  /** the relative loss at α (Infinity when not finite); null if no α qualified */
  relativeLoss: number | null;
  /** the α tried, in ascending order up to the first that qualified, and their relative losses */
  tried: number[];
  relative: number[];
}

/** The scan of stepSizeScan, ascending, stopped at the first α above the threshold (the larger ones are not needed). */
export async function divergentStep(
  net: Net,
  x: tf.Tensor,
  y: tf.Tensor1D,
  grid: number[],
  minRelativeLoss: number,
): Promise<DivergentStep> {
  const { loss: loss0, grads } = await lossAndGrads(net, x, y);
  const tried: number[] = [];
  const relative: number[] = [];
  try {
    for (const a of [...grid].sort((p, q) => p - q)) {
      const moved = moveAlong(net, grads, -a);
      let l: number;
      try {
        l = await lossAt(net, x, y, moved);
      } finally {
        disposeAll(moved);
      }
      tried.push(a);
      relative.push(Number.isFinite(l) ? l / loss0 : Infinity);
      if (!(relative.at(-1)! <= minRelativeLoss)) return { alpha: a, relativeLoss: relative.at(-1)!, tried, relative };
    }
    return { alpha: null, relativeLoss: null, tried, relative };
  } finally {
    disposeAll(grads);
  }
}

/** One probe point's moments along a step: per step fraction, the means over channels. */
export interface LayerTrace {
  point: string;
  depth: number;
  /** mean over channels of the channel variance, per t (may be Infinity or NaN after an overflow) */
  variance: number[];
  /** mean over channels of |channel mean|, per t */
  absMean: number[];
}

export function traceOf(ip: StepInterpolation, point: string): LayerTrace {
  // by name: activationMoments lists the points in the order the forward pass reaches them
  const at = ip.moments.map((row) => row.find((m) => m.point === point));
  const first = at[0];
  if (!first || at.some((m) => !m)) throw new Error(`traceOf: ${point} was not probed (${ip.points.join(', ')})`);
  const avg = (v: Float32Array, f: (a: number) => number) => v.reduce((s, a) => s + f(a), 0) / v.length;
  return {
    point,
    depth: first.depth,
    variance: at.map((m) => avg(m!.stds, (s) => s * s)),
    absMean: at.map((m) => avg(m!.means, Math.abs)),
  };
}

/** What the Fig. 3 measurement gives for one seed (claims/moments-explode-in-divergent-step). */
export interface StepExplosion {
  alpha: number | null;
  relativeLoss: number | null;
  /** the unnormalised net's layers along its diverging step (empty when there is none) */
  none: LayerTrace[];
  /** the BN net's same layers along its own gradient step of the same α */
  bn: LayerTrace[];
  /** the unnormalised net's residual-block outputs: variance at t = 0 and t = 1 */
  blocks: { depth: number[]; var0: number[]; var1: number[] };
  /** the interpolations themselves, for the figure */
  interpNone?: StepInterpolation;
  interpBn?: StepInterpolation;
}

/**
 * From the same initial seed and batch: the unnormalised net's diverging step (`divergentStep`),
 * its layers at `depths` (raw conv outputs) and every residual-block output along it, and the BN
 * net along its own gradient step of the same size at the same layers.
 */
export async function explosionAlongStep(
  none: Net,
  bn: Net,
  x: tf.Tensor,
  y: tf.Tensor1D,
  o: { grid: number[]; minRelativeLoss: number; ts: number[]; depths: number[] },
): Promise<StepExplosion> {
  const layerPoints = (net: Net) =>
    o.depths.map((d) => {
      const l = net.layers.find((layer) => layer.depth === d && layer.kind === 'conv');
      if (!l) throw new Error(`explosionAlongStep: ${net.description} has no convolution at depth ${d}`);
      return l.output;
    });
  const step = await divergentStep(none, x, y, o.grid, o.minRelativeLoss);
  const blockPoints = none.probePoints.filter((p) => p.name.startsWith('block:')).map((p) => p.name);
  if (step.alpha === null) return { alpha: null, relativeLoss: null, none: [], bn: [], blocks: { depth: [], var0: [], var1: [] } };
  const pointsNone = layerPoints(none);
  const interpNone = await momentsAlongStep(none, x, y, step.alpha, o.ts, [...pointsNone, ...blockPoints]);
  const pointsBn = layerPoints(bn);
  const interpBn = await momentsAlongStep(bn, x, y, step.alpha, o.ts, pointsBn);
  const blocks = blockPoints.map((p) => traceOf(interpNone, p));
  return {
    alpha: step.alpha,
    relativeLoss: step.relativeLoss,
    none: pointsNone.map((p) => traceOf(interpNone, p)),
    bn: pointsBn.map((p) => traceOf(interpBn, p)),
    blocks: { depth: blocks.map((b) => b.depth), var0: blocks.map((b) => b.variance[0]!), var1: blocks.map((b) => b.variance.at(-1)!) },
    interpNone,
    interpBn,
  };
}
