/**
 * conv2d's values and gradients (dx, dw of a random-weighted sum of the outputs) against
 * tf.conv2d with autodiff on the pure-JS cpu backend, whose Conv2DBackpropInput/Filter are the
 * reference. Tolerance: max |mine − ref| ≤ 1e-4 · max |ref| per tensor (float32 sums of at most
 * 9·5·4·81 products; the observed error is ~1e-7).
 */
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { axisGeometry, conv2d, type ConvPadding, fastGradientsActive, setFastGradients, strideSubsample } from './conv';

const TOL = 1e-4;

interface Case {
  B: number;
  H: number;
  W: number;
  C: number;
  O: number;
  k: number;
  kw?: number;
  stride: 1 | 2;
  padding: ConvPadding;
  seed: number;
}

/** Deterministic values in [−1, 1). */
function values(n: number, seed: number): Float32Array {
  return Float32Array.from(new Rng(seed).uniforms(n), (u) => 2 * u - 1);
}

type Result = { y: Float32Array; dx: Float32Array; dw: Float32Array; shape: number[] };

/** y, and the gradients of Σ c ⊙ y, computed with `op` on the active backend. */
function run(op: typeof conv2d, c: Case): Result {
  const kw = c.kw ?? c.k;
  const outH = axisGeometry(c.H, c.k, c.stride, c.padding).out,
    outW = axisGeometry(c.W, kw, c.stride, c.padding).out;
  return tf.tidy(() => {
    const x = tf.tensor4d(values(c.B * c.H * c.W * c.C, c.seed), [c.B, c.H, c.W, c.C]);
    const w = tf.tensor4d(values(c.k * kw * c.C * c.O, c.seed + 1), [c.k, kw, c.C, c.O]);
    const weights = tf.tensor4d(values(c.B * outH * outW * c.O, c.seed + 2), [c.B, outH, outW, c.O]);
    const y = op(x, w, c.stride, c.padding);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(op(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.padding), weights)),
    )([x, w]);
    return { y: y.dataSync() as Float32Array, dx: dx!.dataSync() as Float32Array, dw: dw!.dataSync() as Float32Array, shape: y.shape };
  });
}

const native: typeof conv2d = (x, w, s, p) => tf.conv2d(x, w, s, p);

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

function expectClose(mine: Result, ref: Result, what: string): void {
  expect(mine.shape, what).toEqual(ref.shape);
  for (const key of ['y', 'dx', 'dw'] as const) expect(relErr(mine[key], ref[key]), `${what}: ${key}`).toBeLessThanOrEqual(TOL);
}

/** The reference on cpu, then `mine` on `backend` with the fast path forced or automatic. */
async function compare(c: Case, backend: 'cpu' | 'wasm', mode: 'always' | 'auto'): Promise<void> {
  await tf.setBackend('cpu');
  setFastGradients('never');
  const ref = run(native, c);
  await tf.setBackend(backend);
  setFastGradients(mode);
  expect(fastGradientsActive()).toBe(true);
  expectClose(run(conv2d, c), ref, `${backend} ${JSON.stringify(c)}`);
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    B: fc.integer({ min: 1, max: 4 }),
    H: fc.integer({ min: 1, max: 9 }),
    W: fc.integer({ min: 1, max: 9 }),
    C: fc.integer({ min: 1, max: 5 }),
    O: fc.integer({ min: 1, max: 5 }),
    k: fc.constantFrom<1 | 3>(1, 3),
    stride: fc.constantFrom<1 | 2>(1, 2),
    padding: fc.constantFrom<ConvPadding>('same', 'valid'),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  })
  .filter((c) => c.padding === 'same' || (c.H >= c.k && c.W >= c.k)); // 'valid' output would be empty

/** Other kernel sizes, square or not (even ones pad asymmetrically under 'same'). */
const anyKernelArb: fc.Arbitrary<Case> = fc
  .record({
    B: fc.integer({ min: 1, max: 3 }),
    H: fc.integer({ min: 1, max: 9 }),
    W: fc.integer({ min: 1, max: 9 }),
    C: fc.integer({ min: 1, max: 4 }),
    O: fc.integer({ min: 1, max: 4 }),
    k: fc.integer({ min: 1, max: 5 }),
    kw: fc.integer({ min: 1, max: 5 }),
    stride: fc.constantFrom<1 | 2>(1, 2),
    padding: fc.constantFrom<ConvPadding>('same', 'valid'),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  })
  .filter((c) => c.padding === 'same' || (c.H >= c.k && c.W >= c.kw));

describe('conv2d fast gradients', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
  });
  afterAll(async () => {
    setFastGradients('auto');
    await tf.setBackend('cpu');
  });

  it('equals tf.conv2d + cpu autodiff on wasm (values, dx, dw)', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, (c) => compare(c, 'wasm', 'auto')),
      { numRuns: 100 },
    );
  });

  it('equals tf.conv2d + cpu autodiff on cpu with the fast path forced (float32 math check)', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, (c) => compare(c, 'cpu', 'always')),
      { numRuns: 40 },
    );
  });

  it('equals the reference for any kernel up to 5x5, square or not', async () => {
    await fc.assert(
      fc.asyncProperty(anyKernelArb, (c) => compare(c, 'wasm', 'auto')),
      { numRuns: 50 },
    );
  });

  it("stays right where wasm's own 'same' conv is wrong (stride 2, 1x3 and 3x1 kernels)", async () => {
    // tfjs-backend-wasm 4.22's tf.conv2d(…, 2, 'same') returns zeros for these; ours pads explicitly.
    await compare({ B: 1, H: 1, W: 2, C: 1, O: 1, k: 2, kw: 1, stride: 2, padding: 'same', seed: 0 }, 'wasm', 'auto');
    await compare({ B: 2, H: 6, W: 5, C: 2, O: 3, k: 1, kw: 3, stride: 2, padding: 'same', seed: 1 }, 'wasm', 'auto');
  });

  it('is right at ResNet-like sizes (even/odd sides, both strides, 3x3 and 1x1)', async () => {
    const base = { B: 2, C: 8, O: 16, seed: 7 };
    const cases: Case[] = [
      { ...base, H: 16, W: 16, k: 3, stride: 1, padding: 'same' },
      { ...base, H: 16, W: 16, k: 3, stride: 2, padding: 'same' },
      { ...base, H: 15, W: 12, k: 3, stride: 2, padding: 'same' },
      { ...base, H: 16, W: 13, k: 3, stride: 2, padding: 'valid' },
      { ...base, H: 16, W: 16, k: 1, stride: 2, padding: 'same' },
      { ...base, H: 11, W: 16, k: 1, stride: 1, padding: 'valid' },
    ];
    for (const c of cases) await compare(c, 'wasm', 'auto');
  });

  it("'auto' uses the fast path only on wasm; 'never' and 'always' override", async () => {
    setFastGradients('auto');
    await tf.setBackend('wasm');
    expect(fastGradientsActive()).toBe(true);
    await tf.setBackend('cpu');
    expect(fastGradientsActive()).toBe(false);
    setFastGradients('always');
    expect(fastGradientsActive()).toBe(true);
    setFastGradients('never');
    await tf.setBackend('wasm');
    expect(fastGradientsActive()).toBe(false);
    // 'never' on wasm is tf.conv2d: its forward works, its filter gradient is what wasm lacks.
    const x = tf.ones([1, 4, 4, 2]) as tf.Tensor4D,
      w = tf.ones([3, 3, 2, 1]) as tf.Tensor4D;
    expect(() => tf.grad((v: tf.Tensor) => tf.sum(conv2d(x, v as tf.Tensor4D, 1, 'same')))(w)).toThrow();
    setFastGradients('auto');
    expect(tf.grad((v: tf.Tensor) => tf.sum(conv2d(x, v as tf.Tensor4D, 1, 'same')))(w).shape).toEqual([3, 3, 2, 1]);
    tf.dispose([x, w]);
  });

  it('leaks no tensors through forward + backward', async () => {
    await tf.setBackend('wasm');
    setFastGradients('auto');
    const x = tf.randomNormal([2, 7, 6, 3]) as tf.Tensor4D;
    const w1 = tf.randomNormal([3, 3, 3, 4]) as tf.Tensor4D;
    const w2 = tf.randomNormal([1, 1, 4, 5]) as tf.Tensor4D;
    const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
      tf.sum(tf.square(conv2d(tf.relu(conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')), c as tf.Tensor4D, 2, 'valid')));
    const v = tf.variable(w1, true, 'conv-test.w1');
    tf.tidy(() => {
      tf.grads(loss)([x, w1, w2]); // warm-up: anything cached on first use is not a leak
    });
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.grads(loss)([x, w1, w2]);
    });
    tf.tidy(() => {
      tf.variableGrads(() => loss(x, v, w2) as tf.Scalar, [v]);
    });
    expect(tf.memory().numTensors).toBe(before);
    v.dispose();
    tf.dispose([x, w1, w2]);
  });

  it('strideSubsample: x[:, ::s, ::s, :] exactly (Infinity and NaN kept), and its dx equals cpu autodiff', async () => {
    const arb = fc.record({
      B: fc.integer({ min: 1, max: 3 }),
      H: fc.integer({ min: 1, max: 9 }),
      W: fc.integer({ min: 1, max: 9 }),
      C: fc.integer({ min: 1, max: 4 }),
      stride: fc.constantFrom<1 | 2>(1, 2),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    });
    const evalOn = (c: { B: number; H: number; W: number; C: number; stride: 1 | 2; seed: number }, poison: boolean) =>
      tf.tidy(() => {
        const v = values(c.B * c.H * c.W * c.C, c.seed);
        if (poison) {
          v[0] = Infinity;
          v[v.length - 1] = NaN;
        }
        const x = tf.tensor4d(v, [c.B, c.H, c.W, c.C]);
        const y = strideSubsample(x, c.stride);
        const weights = tf.tensor(values(y.size, c.seed + 1), y.shape);
        const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(strideSubsample(a as tf.Tensor4D, c.stride), weights)))(x);
        return { x: x.arraySync() as number[][][][], y: y.arraySync() as number[][][][], dx: dx.dataSync() as Float32Array };
      });
    await fc.assert(
      fc.asyncProperty(arb, fc.boolean(), async (c, poison) => {
        await tf.setBackend('cpu');
        const want = evalOn(c, false);
        await tf.setBackend('wasm');
        const got = evalOn(c, poison);
        if (!poison) expect(relErr(got.dx, want.dx)).toBeLessThanOrEqual(TOL);
        const Ho = Math.ceil(c.H / c.stride),
          Wo = Math.ceil(c.W / c.stride);
        expect([got.y.length, got.y[0]!.length, got.y[0]![0]!.length]).toEqual([c.B, Ho, Wo]);
        for (let b = 0; b < c.B; b++)
          for (let i = 0; i < Ho; i++)
            for (let j = 0; j < Wo; j++)
              for (let k = 0; k < c.C; k++) expect(Object.is(got.y[b]![i]![j]![k], got.x[b]![i * c.stride]![j * c.stride]![k])).toBe(true);
      }),
      { numRuns: 40 },
    );
  });
});
