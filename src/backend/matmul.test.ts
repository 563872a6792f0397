/**
 * matMul's value and gradients (da, db of a random-weighted sum of the output) against
 * tf.matMul with autodiff on the pure-JS cpu backend. Tolerance: max |mine − ref| ≤
 * 1e-4 · max |ref| per tensor.
 */
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transpose2d } from './conv';
import { matMul, setFastGradients } from './matmul';

const TOL = 1e-4;

function relErr(mine: Float32Array, ref: Float32Array): number {
  expect(mine.length).toBe(ref.length);
  let scale = 0,
    err = 0;
  for (let i = 0; i < ref.length; i++) {
    scale = Math.max(scale, Math.abs(ref[i]!));
    err = Math.max(err, Math.abs(mine[i]! - ref[i]!));
  }
  return scale === 0 ? err : err / scale;
}

interface Case {
  m: number;
  k: number;
  n: number;
  a: number[];
  b: number[];
  c: number[];
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({ m: fc.integer({ min: 1, max: 12 }), k: fc.integer({ min: 1, max: 12 }), n: fc.integer({ min: 1, max: 12 }) })
  .chain(({ m, k, n }) => {
    const vals = (len: number) => fc.array(fc.float({ min: -1, max: 1, noNaN: true }), { minLength: len, maxLength: len });
    return fc.record({ m: fc.constant(m), k: fc.constant(k), n: fc.constant(n), a: vals(m * k), b: vals(k * n), c: vals(m * n) });
  });

type Result = { y: Float32Array; da: Float32Array; db: Float32Array };

function run(op: typeof matMul, c: Case): Result {
  return tf.tidy(() => {
    const a = tf.tensor2d(c.a, [c.m, c.k]),
      b = tf.tensor2d(c.b, [c.k, c.n]),
      weights = tf.tensor2d(c.c, [c.m, c.n]);
    const y = op(a, b);
    const [da, db] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(op(p as tf.Tensor2D, q as tf.Tensor2D), weights)))([a, b]);
    return { y: y.dataSync() as Float32Array, da: da!.dataSync() as Float32Array, db: db!.dataSync() as Float32Array };
  });
}

async function compare(c: Case, backend: 'cpu' | 'wasm', mode: 'always' | 'auto'): Promise<void> {
  await tf.setBackend('cpu');
  setFastGradients('never');
  const ref = run((a, b) => tf.matMul(a, b), c);
  await tf.setBackend(backend);
  setFastGradients(mode);
  const mine = run(matMul, c);
  for (const key of ['y', 'da', 'db'] as const)
    expect(relErr(mine[key], ref[key]), `${backend} ${key} m=${c.m} k=${c.k} n=${c.n}`).toBeLessThanOrEqual(TOL);
}

describe('matMul fast gradients', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
  });
  afterAll(async () => {
    setFastGradients('auto');
    await tf.setBackend('cpu');
  });

  it('equals tf.matMul + cpu autodiff on wasm (value, da, db)', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, (c) => compare(c, 'wasm', 'auto')),
      { numRuns: 40 },
    );
  });

  it('equals tf.matMul + cpu autodiff on cpu with the fast path forced', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, (c) => compare(c, 'cpu', 'always')),
      { numRuns: 40 },
    );
  });

  it('transpose2d equals tf.transpose for every factorisation of the row count', async () => {
    await tf.setBackend('wasm');
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 9 }), (m, k) => {
        tf.tidy(() => {
          const a = tf.tensor2d(
            Float32Array.from({ length: m * k }, (_, i) => i),
            [m, k],
          );
          const t = transpose2d(a);
          expect(t.shape).toEqual([k, m]);
          expect(Array.from(t.dataSync())).toEqual(Array.from(tf.transpose(a).dataSync()));
        });
      }),
      { numRuns: 60 },
    );
  });

  it('leaks no tensors through forward + backward', async () => {
    await tf.setBackend('wasm');
    setFastGradients('auto');
    const a = tf.randomNormal([6, 10]) as tf.Tensor2D,
      b = tf.randomNormal([10, 4]) as tf.Tensor2D;
    const loss = (p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.square(matMul(tf.relu(p) as tf.Tensor2D, q as tf.Tensor2D)));
    tf.tidy(() => {
      tf.grads(loss)([a, b]);
    });
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.grads(loss)([a, b]);
    });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b]);
  });
});
