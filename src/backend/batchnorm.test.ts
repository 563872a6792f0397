import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '.';
import { Rng } from '../rng';
import { batchNormTrain } from './batchnorm';
import { runningUpdateArrays } from './bn-arrays';
import { bnWasmCovers } from './bn-wasm';
import { setEnv } from '../config';

beforeAll(async () => {
  setEnv({ BN_QUIET: '1' });
  await initBackend('wasm');
});
afterAll(async () => {
  await initBackend('wasm');
});

/** BN by the plain formula, differentiated by tfjs autodiff. */
function reference(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, eps: number): tf.Tensor {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  return x
    .sub(mean)
    .div(tf.sqrt(variance.add(eps)))
    .mul(g)
    .add(b);
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
      fc.record({
        b: fc.integer({ min: 2, max: 6 }),
        hw: fc.integer({ min: 1, max: 5 }),
        c: fc.integer({ min: 1, max: 5 }),
        seed: fc.integer({ min: 0, max: 1e6 }),
      }),
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

  it('runs its passes in wasm SIMD for channels in fours (bn-wasm.ts), matching autodiff on cpu within 1e-4, over sums of more than one chunk', async () => {
    const cases = fc.sample(
      fc.record({
        b: fc.integer({ min: 2, max: 12 }),
        hw: fc.integer({ min: 1, max: 9 }),
        c: fc.constantFrom(4, 8, 12, 16, 32, 64),
        seed: fc.integer({ min: 0, max: 1e6 }),
      }),
      { numRuns: 20, seed: 7 },
    );
    for (const k of cases) {
      expect(bnWasmCovers(k.c)).toBe(true);
      const shape = [k.b, k.hw, k.hw, k.c];
      const size = shape.reduce((a, b) => a * b, 1);
      const r = new Rng(k.seed);
      const xs = Array.from(r.normals(size, 3, 2));
      const ws = Array.from(r.normals(size, 0, 1));
      const gs = Array.from(r.normals(k.c, 1, 0.3));
      const bs = Array.from(r.normals(k.c, 0, 0.3));
      await initBackend('cpu');
      const ref = valueAndGrads(reference, xs, shape, gs, bs, ws);
      await initBackend('wasm');
      const ours = valueAndGrads(batchNormTrain, xs, shape, gs, bs, ws);
      expect(Math.abs(ours.value - ref.value)).toBeLessThan(1e-3 * Math.max(1, Math.abs(ref.value)));
      for (let i = 0; i < 3; i++) expect(maxRel(ours.grads[i]!, ref.grads[i]!), `${JSON.stringify(k)} grad ${i}`).toBeLessThan(1e-4);
    }
  });

  it('with a fused ReLU (inside its kernels for channels in fours, relu.ts otherwise) matches autodiff of relu(BN) on cpu within 1e-4', async () => {
    for (const [k, c] of [4, 8, 16, 3, 5].entries()) {
      const shape = [6, 5, 5, c];
      const size = shape.reduce((a, b) => a * b, 1);
      const r = new Rng(100 + k);
      const [xs, ws] = [Array.from(r.normals(size, 1, 2)), Array.from(r.normals(size))];
      const [gs, bs] = [Array.from(r.normals(c, 1, 0.3)), Array.from(r.normals(c, 0, 0.5))];
      await initBackend('cpu');
      const ref = valueAndGrads((x, g, b, eps) => tf.relu(reference(x, g, b, eps)), xs, shape, gs, bs, ws);
      await initBackend('wasm');
      const ours = valueAndGrads((x, g, b, eps) => batchNormTrain(x, g, b, eps, undefined, true), xs, shape, gs, bs, ws);
      expect(Math.abs(ours.value - ref.value)).toBeLessThan(1e-3 * Math.max(1, Math.abs(ref.value)));
      for (let i = 0; i < 3; i++) expect(maxRel(ours.grads[i]!, ref.grads[i]!), `c=${c} grad ${i}`).toBeLessThan(1e-4);
    }
  });

  it.each([3, 8])('stays accurate when the mean dwarfs the spread (an unnormalised net: |μ| = 1e4 σ), %i channels', (c) => {
    // float64 reference of y and of dx for the loss Σ w·y (8 channels: the four-at-a-time loops)
    const n = 300;
    let s = 7;
    const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
    const xs = Float32Array.from({ length: n * c }, (_, i) => 1e4 * (i % c === 1 ? -1 : 1) + rand());
    const ws = Array.from({ length: n * c }, rand);
    const { y, dx } = tf.tidy(() => {
      const { value, grads } = tf.valueAndGrads((x: tf.Tensor) => {
        const out = batchNormTrain(x, tf.ones([c]), tf.zeros([c]), 1e-5);
        return out.mul(tf.tensor2d(ws, [n, c])).sum() as tf.Scalar;
      })([tf.tensor2d(xs, [n, c])]);
      void value;
      return { y: batchNormTrain(tf.tensor2d(xs, [n, c]), tf.ones([c]), tf.zeros([c]), 1e-5).dataSync(), dx: grads[0]!.dataSync() };
    });
    for (let j = 0; j < c; j++) {
      const col = Array.from({ length: n }, (_, i) => xs[i * c + j]!);
      const wc = Array.from({ length: n }, (_, i) => ws[i * c + j]!);
      const mu = col.reduce((a, b) => a + b, 0) / n;
      const r = 1 / Math.sqrt(col.reduce((a, b) => a + (b - mu) ** 2, 0) / n + 1e-5);
      const xh = col.map((v) => (v - mu) * r);
      const sw = wc.reduce((a, b) => a + b, 0),
        swx = wc.reduce((a, b, i) => a + b * xh[i]!, 0);
      for (let i = 0; i < n; i++) {
        expect(Math.abs(y[i * c + j]! - xh[i]!)).toBeLessThan(1e-3);
        const ref = (r / n) * (n * wc[i]! - sw - xh[i]! * swx);
        expect(Math.abs(dx[i * c + j]! - ref)).toBeLessThan(1e-3 * r);
      }
    }
  });

  it('is bit-for-bit the same on every call and leaves no tensor behind', () => {
    const x = tf.randomNormal([16, 5, 5, 6], 2, 3, 'float32', 3);
    const g = tf.randomNormal([6], 1, 0.2, 'float32', 4);
    const b = tf.randomNormal([6], 0, 0.2, 'float32', 5);
    const w = tf.randomNormal([16, 5, 5, 6], 0, 1, 'float32', 6);
    const f = tf.valueAndGrads((xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => batchNormTrain(xx, gg, bb, 1e-5).mul(w).sum() as tf.Scalar);
    const run = () =>
      tf.tidy(() => {
        const { value, grads } = f([x, g, b]);
        return [value, ...grads].map((t) => Array.from(t.dataSync()));
      });
    const first = run();
    const before = tf.memory().numTensors;
    expect(run()).toEqual(first);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, g, b, w]);
  });

  it('folds the batch moments into the running averages (PyTorch: unbiased variance, momentum 0.1)', () => {
    const [b, hw, c] = [6, 3, 5];
    const n = b * hw * hw;
    const x = tf.randomNormal([b, hw, hw, c], 3, 2, 'float32', 11);
    const running = {
      mean: tf.variable(tf.randomNormal([c], 0, 1, 'float32', 12)),
      variance: tf.variable(tf.randomUniform([c], 0.5, 2, 'float32', 13)),
      momentum: 0.1,
    };
    const [rm0, rv0] = [running.mean.dataSync().slice(), running.variance.dataSync().slice()];
    const xs = x.dataSync();
    tf.tidy(() => void batchNormTrain(x, tf.ones([c]), tf.zeros([c]), 1e-5, running));
    const [rm, rv] = [running.mean.dataSync(), running.variance.dataSync()];
    for (let j = 0; j < c; j++) {
      const col = Array.from({ length: n }, (_, i) => xs[i * c + j]!);
      const mu = col.reduce((a, v) => a + v, 0) / n;
      const unbiased = col.reduce((a, v) => a + (v - mu) ** 2, 0) / (n - 1);
      expect(rm[j]!).toBeCloseTo(0.9 * rm0[j]! + 0.1 * mu, 5);
      expect(rv[j]!).toBeCloseTo(0.9 * rv0[j]! + 0.1 * unbiased, 5);
    }
    tf.dispose([x, running.mean, running.variance]);
  });

  it('updates the running averages bit for bit as the tfjs ops do (one float32 rounding per operation)', () => {
    const c = 64;
    const r = (seed: number, lo: number, hi: number) => tf.randomUniform([c], lo, hi, 'float32', seed);
    const [rm, rv, m, v] = [r(1, -5, 5), r(2, 0, 9), r(3, -5, 5), r(4, 0, 9)];
    for (const n of [2, 37, 12544]) {
      const outMean = new Float32Array(c),
        outVar = new Float32Array(c);
      runningUpdateArrays(
        rm.dataSync() as Float32Array,
        rv.dataSync() as Float32Array,
        m.dataSync() as Float32Array,
        v.dataSync() as Float32Array,
        n,
        0.1,
        outMean,
        outVar,
      );
      const [em, ev] = tf.tidy(() => [
        rm
          .mul(1 - 0.1)
          .add(m.mul(0.1))
          .dataSync(),
        rv
          .mul(1 - 0.1)
          .add(v.mul((0.1 * n) / (n - 1)))
          .dataSync(),
      ]);
      expect(Array.from(outMean)).toEqual(Array.from(em!));
      expect(Array.from(outVar)).toEqual(Array.from(ev!));
    }
    tf.dispose([rm, rv, m, v]);
  });

  it.each([NaN, Infinity])(
    "%s in a channel makes that channel NaN, which tf.relu keeps (a positive NaN: wasm's ReLU maps a negative one to 0)",
    (bad) => {
      for (const c of [3, 4]) {
        const xs = Float32Array.from({ length: 40 * c }, (_, i) => Math.sin(i));
        xs[7 * c + 1] = bad; // channel 1
        const [y, r] = tf.tidy(() => {
          const out = batchNormTrain(tf.tensor2d(xs, [40, c]), tf.ones([c]), tf.zeros([c]), 1e-5);
          return [out.dataSync(), tf.relu(out).dataSync()];
        });
        for (let i = 0; i < 40 * c; i++) {
          expect(Number.isNaN(y![i]!), `c=${c}, element ${i}`).toBe(i % c === 1);
          expect(Number.isNaN(r![i]!), `relu, c=${c}, element ${i}`).toBe(i % c === 1);
        }
      }
    },
  );

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
