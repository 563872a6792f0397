/**
 * relu(a, b?) (relu.ts) against tf.relu(a.add(b)) and its autodiff on the cpu backend: values
 * and both gradients exactly (the same float32 operations; a zero's sign aside), over shapes with and without the
 * wasm kernel (sizes a multiple of 4 or not); a NaN stays NaN, in the value and in the gradient.
 */
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '.';
import { Rng } from '../rng';
import { relu } from './relu';
import { setEnv } from '../config';

beforeAll(async () => {
  setEnv({ BN_QUIET: '1' });
  await initBackend('wasm');
});
afterAll(async () => {
  await initBackend('wasm');
});

function run(f: (a: tf.Tensor, b?: tf.Tensor) => tf.Tensor, av: Float32Array, bv: Float32Array | null, wv: Float32Array, shape: number[]) {
  return tf.tidy(() => {
    const [a, b, w] = [av, bv, wv].map((v) => (v ? tf.tensor(v, shape) : undefined));
    const loss = (x: tf.Tensor, y?: tf.Tensor) => tf.sum(tf.mul(f(x, y), w!));
    const y = f(a!, b);
    const grads = b ? tf.grads((x: tf.Tensor, z: tf.Tensor) => loss(x, z))([a!, b]) : [tf.grad((x: tf.Tensor) => loss(x))(a!)];
    return [y, ...grads].map((t) => Array.from(t.dataSync(), (v) => (v === 0 ? 0 : v))); // −0 (tfjs: dy · 0 for dy < 0) as 0
  });
}

describe('relu (relu.ts)', () => {
  it('equals tf.relu(a + b) and cpu autodiff exactly, with one kernel each way where the size is a multiple of 4', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 1e6 }),
        async (shape, sum, seed) => {
          const n = shape.reduce((p, d) => p * d, 1);
          const r = new Rng(seed);
          const [a, b, w] = [0, 1, 2].map(() => Float32Array.from(r.normals(n)));
          await initBackend('cpu');
          const ref = run((x, y) => tf.relu(y ? x.add(y) : x), a!, sum ? b! : null, w!, shape);
          await initBackend('wasm');
          const profile = await tf.profile(() => void run(relu, a!, sum ? b! : null, w!, shape));
          expect(run(relu, a!, sum ? b! : null, w!, shape)).toEqual(ref);
          const names = profile.kernels.map((k) => k.name);
          expect(names.includes('ReluSumBackward')).toBe(n % 4 === 0);
          expect(names.includes('Step')).toBe(n % 4 !== 0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('keeps a NaN: NaN in the value and in the gradient', () => {
    const [y, da, db] = tf.tidy(() => {
      const a = tf.tensor([1, NaN, -1, 2, -3, 0, 5, Infinity]);
      const b = tf.tensor([0, 1, 1, NaN, 1, 0, -5, 0]);
      const [ga, gb] = tf.grads((x: tf.Tensor, z: tf.Tensor) => tf.sum(relu(x, z)))([a, b]);
      return [relu(a, b), ga!, gb!].map((t) => Array.from(t.dataSync()));
    });
    expect(y).toEqual([1, NaN, 0, NaN, 0, 0, 0, Infinity]);
    expect(da).toEqual([1, NaN, 0, NaN, 0, 0, 0, 1]);
    expect(db).toEqual(da);
  });
});
