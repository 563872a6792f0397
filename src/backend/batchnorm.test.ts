import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '.';
import { batchNormTrain } from './batchnorm';

beforeAll(async () => {
  process.env.BN_QUIET = '1';
  await initBackend('wasm');
});
afterAll(async () => {
  await initBackend('wasm');
});

/** BN by the plain formula, differentiated by tfjs autodiff. */
function reference(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, eps: number): tf.Tensor {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  return x.sub(mean).div(tf.sqrt(variance.add(eps))).mul(g).add(b);
}

function valueAndGrads(fn: typeof reference, xs: number[], shape: number[], gs: number[], bs: number[], ws: number[]) {
  return tf.tidy(() => {
    const c = shape[shape.length - 1]!;
    const x = tf.tensor(xs, shape);
    const g = tf.tensor1d(gs);
    const b = tf.tensor1d(bs);
    const w = tf.tensor(ws, shape); // random upstream weights so the loss is not symmetric
    const f = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => fn(xx, gg, bb, 1e-5).mul(w).sum() as tf.Scalar;
    const { value, grads } = tf.valueAndGrads(f)([x, g, b]);
    void c;
    return { value: value.dataSync()[0]!, grads: grads.map((t) => Array.from(t.dataSync())) };
  });
}

const maxRel = (a: number[], b: number[]) => {
  const scale = Math.max(1e-3, ...b.map(Math.abs));
  return Math.max(0, ...a.map((v, i) => Math.abs(v - b[i]!))) / scale;
};

describe('batchNormTrain', () => {
  it('matches autodiff of the plain formula on the cpu backend (values and all gradients within 1e-4)', async () => {
    const cases = fc.sample(
      fc.record({ b: fc.integer({ min: 2, max: 6 }), hw: fc.integer({ min: 1, max: 5 }), c: fc.integer({ min: 1, max: 5 }), seed: fc.integer({ min: 0, max: 1e6 }) }),
      { numRuns: 25, seed: 42 },
    );
    for (const k of cases) {
      const shape = [k.b, k.hw, k.hw, k.c];
      const size = shape.reduce((a, b) => a * b, 1);
      let s = k.seed;
      const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 4 - 2;
      const xs = Array.from({ length: size }, () => rand() * 3 + 1);
      const ws = Array.from({ length: size }, rand);
      const gs = Array.from({ length: k.c }, () => rand() + 2);
      const bs = Array.from({ length: k.c }, rand);
      await initBackend('cpu');
      const ref = valueAndGrads(reference, xs, shape, gs, bs, ws);
      await initBackend('wasm');
      const ours = valueAndGrads(batchNormTrain, xs, shape, gs, bs, ws);
      expect(Math.abs(ours.value - ref.value)).toBeLessThan(1e-3 * Math.max(1, Math.abs(ref.value)));
      for (let i = 0; i < 3; i++) expect(maxRel(ours.grads[i]!, ref.grads[i]!)).toBeLessThan(1e-4);
    }
  });

  it('normalises every channel to zero mean and unit variance', () => {
    const [m, v] = tf.tidy(() => {
      const x = tf.randomNormal([8, 4, 4, 3], 5, 3, 'float32', 1);
      const y = batchNormTrain(x, tf.ones([3]), tf.zeros([3]), 1e-5);
      const mo = tf.moments(y, [0, 1, 2]);
      return [Array.from(mo.mean.dataSync()), Array.from(mo.variance.dataSync())];
    });
    for (const x of m) expect(Math.abs(x)).toBeLessThan(1e-5);
    for (const x of v) expect(Math.abs(x - 1)).toBeLessThan(1e-3);
  });
});
