/** Shared pieces of the probes: loss and gradients at θ (or at θ'), and moving along a direction. */
import * as tf from '@tensorflow/tfjs';
import type { Net } from '../nets/types';
import { crossEntropy } from '../train/loss';

export type ParamValues = Record<string, tf.Tensor>;

/** The net's current parameter values by name (the variables themselves; do not dispose). */
export function currentParams(net: Net): ParamValues {
  return Object.fromEntries(net.params);
}

/**
 * Loss on (x, y) and its gradient with respect to every parameter, in training mode (batch
 * statistics, as during an SGD step) without touching the running averages, as tensors: no read,
 * so it also serves inside tf.tidy. Pass `params` to evaluate at θ' instead of the net's own
 * parameters. The caller owns the returned tensors.
 */
export function lossAndGradTensors(
  net: Net,
  x: tf.Tensor,
  y: tf.Tensor1D,
  opts: { params?: ParamValues; training?: boolean } = {},
): { value: tf.Scalar; grads: ParamValues } {
  const names = [...net.params.keys()];
  const base = opts.params ?? currentParams(net);
  const inputs = names.map((n) => base[n]!);
  const f = (...ps: tf.Tensor[]) => {
    const params = Object.fromEntries(names.map((n, i) => [n, ps[i]!]));
    return crossEntropy(net.forward(x, { training: opts.training ?? true, params }), y);
  };
  const { value, grads } = tf.valueAndGrads(f)(inputs);
  return { value: value as tf.Scalar, grads: Object.fromEntries(names.map((n, i) => [n, grads[i]!])) };
}

/** The gradient alone (lossAndGradTensors without the loss): usable inside tf.tidy. The caller owns the result. */
export function gradientsAt(net: Net, x: tf.Tensor, y: tf.Tensor1D, opts: { params?: ParamValues; training?: boolean } = {}): ParamValues {
  const { value, grads } = lossAndGradTensors(net, x, y, opts);
  value.dispose();
  return grads;
}

/**
 * Loss on (x, y), read back, and its gradient with respect to every parameter (see
 * lossAndGradTensors). Reads asynchronously: webgpu under Node has no synchronous read. The
 * caller owns the returned gradients.
 */
export async function lossAndGrads(
  net: Net,
  x: tf.Tensor,
  y: tf.Tensor1D,
  opts: { params?: ParamValues; training?: boolean } = {},
): Promise<{ loss: number; grads: ParamValues }> {
  const { value, grads } = lossAndGradTensors(net, x, y, opts);
  try {
    return { loss: await scalarOf(value), grads };
  } catch (e) {
    disposeAll(grads);
    throw e;
  } finally {
    value.dispose();
  }
}

/** The value of a one-element tensor, read asynchronously (the tensor stays the caller's). */
export async function scalarOf(t: tf.Tensor): Promise<number> {
  return (await t.data())[0]!;
}

/** The value of a one-element tensor made by `f` (in tf.tidy), read asynchronously; the tensor is disposed. */
export async function readScalar(f: () => tf.Tensor): Promise<number> {
  const t = tf.tidy(f);
  try {
    return await scalarOf(t);
  } finally {
    t.dispose();
  }
}

/** Loss on (x, y) at θ' (training mode by default), without gradients. */
export function lossAt(net: Net, x: tf.Tensor, y: tf.Tensor1D, params?: ParamValues, training = true): Promise<number> {
  return readScalar(() => crossEntropy(net.forward(x, { training, params }), y));
}

/** θ + t·d for every parameter named in d (others unchanged). The caller owns the result. */
export function moveAlong(net: Net, direction: ParamValues, t: number, from?: ParamValues): ParamValues {
  const base = from ?? currentParams(net);
  return tf.tidy(() => {
    const out: ParamValues = {};
    for (const [name, v] of Object.entries(base)) {
      const d = direction[name];
      out[name] = d ? v.add(d.mul(t)) : v.clone();
    }
    return out;
  });
}

export function disposeAll(values: ParamValues | tf.Tensor[]): void {
  for (const t of Array.isArray(values) ? values : Object.values(values)) t.dispose();
}

/** Snapshot of all parameters and BN state, to restore a net to the same point later. */
export function snapshot(net: Net): { restore(): void; dispose(): void } {
  const saved = new Map<tf.Variable, tf.Tensor>();
  for (const v of [...net.params.values(), ...net.state.values()]) saved.set(v, v.clone());
  return {
    restore() {
      for (const [v, t] of saved) v.assign(t);
    },
    dispose() {
      for (const t of saved.values()) t.dispose();
    },
  };
}

/** Flatten a set of tensors into one Float32Array (in the given order), read asynchronously. */
export async function flatten(ts: tf.Tensor[]): Promise<Float32Array> {
  const total = ts.reduce((s, t) => s + t.size, 0);
  const out = new Float32Array(total);
  let o = 0;
  for (const t of ts) {
    out.set((await t.data()) as Float32Array, o);
    o += t.size;
  }
  return out;
}
