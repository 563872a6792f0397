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
});
