/**
 * Sharpness: the top eigenvalue of the Hessian of the training loss, by power iteration on
 * Hessian-vector products. Hv is a central difference of gradients, (∇L(θ+εv) − ∇L(θ−εv)) / 2ε,
 * exact for a quadratic and O(ε²) otherwise; it needs only first-order gradients, so it works
 * through every backend's (and our custom) gradient kernels. The loss is the mean over a fixed
 * set of batches, in training mode (the loss SGD was minimising).
 */
import * as tf from '@tensorflow/tfjs';
import { addAll } from '../backend/add-all';
import { Rng } from '../stats/rng';
import { disposeAll, gradientsAt, readScalar, type ParamValues } from './common';

/**
 * A loss's gradient at a point (caller owns the result). Synchronous and without reads, so that
 * an oracle can run inside tf.tidy (webgpu under Node can only read asynchronously).
 */
export type GradientOracle = (params: ParamValues) => ParamValues;

export interface PowerIteration {
  eigenvalue: number;
  iterations: number;
  /** |λ_k − λ_{k−1}| / |λ_k| at the end */
  relativeChange: number;
  history: number[];
}

function dot(a: ParamValues, b: ParamValues): Promise<number> {
  return readScalar(() => addAll(Object.keys(a).map((k) => a[k]!.mul(b[k]!).sum())));
}

/**
 * Top Hessian eigenvalue (largest in magnitude) of the loss whose gradient `grad` gives, at θ.
 * ε is relative to ‖θ‖-free unit directions: v is kept at unit norm and ε is absolute.
 */
export async function topHessianEigenvalue(
  grad: GradientOracle,
  theta: ParamValues,
  opts: { iterations?: number; tol?: number; eps?: number; seed?: number } = {},
): Promise<PowerIteration> {
  const maxIt = opts.iterations ?? 20;
  const tol = opts.tol ?? 1e-3;
  const eps = opts.eps ?? 1e-3;
  const rng = new Rng(opts.seed ?? 0);
  const names = Object.keys(theta);
  const raw: ParamValues = Object.fromEntries(names.map((k) => [k, tf.tensor(Float32Array.from(rng.normals(theta[k]!.size)), theta[k]!.shape, 'float32')]));
  let v: ParamValues;
  try {
    const norm = Math.sqrt(await readScalar(() => addAll(names.map((k) => raw[k]!.square().sum()))));
    v = tf.tidy(() => Object.fromEntries(names.map((k) => [k, raw[k]!.div(norm)])));
  } finally {
    disposeAll(raw);
  }
  const hvp = (u: ParamValues): ParamValues => {
    const plus = tf.tidy(() => Object.fromEntries(names.map((k) => [k, theta[k]!.add(u[k]!.mul(eps))])));
    const minus = tf.tidy(() => Object.fromEntries(names.map((k) => [k, theta[k]!.sub(u[k]!.mul(eps))])));
    const gp = grad(plus);
    const gm = grad(minus);
    const out = tf.tidy(() => Object.fromEntries(names.map((k) => [k, gp[k]!.sub(gm[k]!).div(2 * eps)])));
    for (const t of [...Object.values(plus), ...Object.values(minus), ...Object.values(gp), ...Object.values(gm)]) t.dispose();
    return out;
  };
  const history: number[] = [];
  let lambda = NaN;
  let change = Infinity;
  let it = 0;
  try {
    for (; it < maxIt; it++) {
      const hv = hvp(v);
      let next: number;
      let norm: number;
      try {
        next = await dot(v, hv); // Rayleigh quotient with unit v
        norm = Math.sqrt(await dot(hv, hv));
        const nv = tf.tidy(() => Object.fromEntries(names.map((k) => [k, hv[k]!.div(norm > 0 ? norm : 1)])));
        disposeAll(v);
        v = nv;
      } finally {
        disposeAll(hv);
      }
      change = Math.abs(next - lambda) / Math.max(Math.abs(next), 1e-12);
      lambda = next;
      history.push(lambda);
      if (!Number.isFinite(lambda) || change < tol) {
        it++;
        break;
      }
    }
  } finally {
    disposeAll(v);
  }
  return { eigenvalue: lambda, iterations: it, relativeChange: change, history };
}

/**
 * Sharpness of a net at its current parameters: top Hessian eigenvalue of the mean training loss
 * over the given batches (training mode, batch statistics, running averages untouched).
 */
export function sharpness(
  net: import('../nets/types').Net,
  batchesXY: { x: tf.Tensor; y: tf.Tensor1D }[],
  opts: { iterations?: number; tol?: number; eps?: number; seed?: number } = {},
): Promise<PowerIteration> {
  const names = [...net.params.keys()];
  const grad: GradientOracle = (params) =>
    tf.tidy(() => {
      const acc: ParamValues = {};
      for (const b of batchesXY) {
        const grads = gradientsAt(net, b.x, b.y, { params });
        for (const k of names) {
          const prev = acc[k];
          acc[k] = prev ? prev.add(grads[k]!) : grads[k]!;
        }
      }
      return Object.fromEntries(names.map((k) => [k, acc[k]!.div(batchesXY.length)]));
    });
  return topHessianEigenvalue(grad, Object.fromEntries(net.params), opts);
}
