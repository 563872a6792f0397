import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '.';
import { setEnv } from '../config';

beforeAll(async () => {
  setEnv({ BN_QUIET: '1' });
  await initBackend('wasm');
});

const offset = (t: tf.Tensor) => (tf.backend() as unknown as { getMemoryOffset(d: object): number }).getMemoryOffset(t.dataId);

describe('Identity on wasm shares the data (src/backend/wasm-identity.ts)', () => {
  it('a clone shares memory and outlives the original; a variable keeps its old value in a clone across assign', () => {
    const before = tf.memory().numTensors;
    const a = tf.tensor1d([1, 2, 3]);
    const b = a.clone();
    expect(offset(b)).toBe(offset(a));
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3]);
    const v = tf.variable(b);
    const old = v.clone();
    const doubled = v.mul(2) as tf.Tensor1D;
    v.assign(doubled);
    doubled.dispose();
    expect(Array.from(v.dataSync())).toEqual([2, 4, 6]);
    expect(Array.from(old.dataSync())).toEqual([1, 2, 3]);
    tf.dispose([b, v, old]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('customGrad saves without copying, and its gradient is unchanged', () => {
    const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
      save([x]);
      return { value: x.square(), gradFunc: (dy: tf.Tensor, [xs]: tf.Tensor[]) => dy.mul(xs!).mul(2) };
    });
    const x = tf.tensor1d([1, -2, 3]);
    const g = tf.grad((t: tf.Tensor) => (f(t) as tf.Tensor).sum())(x);
    expect(Array.from(g.dataSync())).toEqual([2, -4, 6]);
    tf.dispose([x, g]);
  });

  it('a saved tensor costs no kernel call (cheapSavesOnWasm), the gradients are unchanged, and nothing leaks', async () => {
    const x = tf.tensor2d([
      [1, -2],
      [3, 4],
    ]);
    const w = tf.tensor2d([
      [0.5, 1],
      [-1, 2],
    ]);
    const before = tf.memory().numTensors;
    let grads: tf.Tensor[] = [];
    const info = await tf.profile(() => {
      // matMul saves both inputs, relu its input, square its input: four saves
      grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.relu(tf.matMul(a, b)).square().sum())([x, w]);
      return grads;
    });
    expect(info.kernels.filter((k) => k.name === 'Identity')).toEqual([]);
    expect(info.kernelNames).toContain('BatchMatMul');
    // G = d/d(xw) of Σ relu(xw)² = 2·relu(xw) = [[5, 0], [0, 22]] (xw = [[2.5, -3], [-2.5, 11]]); dx = G·wᵀ, dw = xᵀ·G
    expect(Array.from(grads[0]!.dataSync())).toEqual([2.5 * 2 * 0.5, 2.5 * 2 * -1, 22 * 1, 22 * 2]);
    expect(Array.from(grads[1]!.dataSync())).toEqual([5, 66, -10, 88]);
    tf.dispose(grads);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w]);
  });
});
