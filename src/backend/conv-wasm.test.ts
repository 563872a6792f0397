/**
 * The wasm SIMD conv kernels (conv-wasm.ts) through conv2d: values, dx and dw of a random-weighted
 * sum of the outputs against tf.conv2d with autodiff on the pure-JS cpu backend, over the shapes
 * they cover (3x3, stride 1 and 2, 'same' and 'valid', output channels a multiple of 4, any input
 * channels), and the proof that they, not the fallback routes, ran. Tolerance as in conv.test.ts:
 * max |mine − ref| ≤ 1e-4 · max |ref| per tensor.
 */
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { axisGeometry, conv2d, type ConvPadding } from './conv';
import { initWasmKernels, setWasmKernels, wasmKernelsReady } from './wasm-module';

interface Case {
  B: number;
  H: number;
  W: number;
  C: number;
  O: number;
  stride: 1 | 2;
  padding: ConvPadding;
  seed: number;
  scale: number;
}

const values = (n: number, seed: number, scale = 1) => Float32Array.from(new Rng(seed).uniforms(n), (u) => scale * (2 * u - 1));

/** y, dx, dw of Σ weights ⊙ conv(x, w) with `op` on the active backend, and the kernels it ran. */
async function run(op: typeof conv2d, c: Case) {
  const oh = axisGeometry(c.H, 3, c.stride, c.padding).out,
    ow = axisGeometry(c.W, 3, c.stride, c.padding).out;
  const x = tf.tensor4d(values(c.B * c.H * c.W * c.C, c.seed, c.scale), [c.B, c.H, c.W, c.C]);
  const w = tf.tensor4d(values(9 * c.C * c.O, c.seed + 1), [3, 3, c.C, c.O]);
  const weights = tf.tensor4d(values(c.B * oh * ow * c.O, c.seed + 2), [c.B, oh, ow, c.O]);
  let out: Float32Array[] = [];
  const profile = await tf.profile(() => {
    out = tf.tidy(() => {
      const y = op(x, w, c.stride, c.padding);
      const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(op(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.padding), weights)),
      )([x, w]);
      return [y, dx!, dw!].map((t) => t.dataSync() as Float32Array);
    });
  });
  tf.dispose([x, w, weights]);
  return { out, kernels: new Set(profile.kernels.map((k) => k.name)) };
}

function relErr(mine: Float32Array, ref: Float32Array): number {
  let scale = 0,
    err = 0;
  for (let i = 0; i < ref.length; i++) {
    scale = Math.max(scale, Math.abs(ref[i]!));
    err = Math.max(err, Math.abs(mine[i]! - ref[i]!));
  }
  return scale === 0 ? err : err / scale;
}

async function compare(c: Case): Promise<Set<string>> {
  await tf.setBackend('cpu');
  const ref = await run((x, w, s, p) => tf.conv2d(x, w, s, p), c);
  await tf.setBackend('wasm');
  const mine = await run(conv2d, c);
  ['y', 'dx', 'dw'].forEach((name, i) => {
    expect(mine.out[i]!.length).toBe(ref.out[i]!.length);
    expect(relErr(mine.out[i]!, ref.out[i]!), `${name} ${JSON.stringify(c)}`).toBeLessThanOrEqual(1e-4);
  });
  return mine.kernels;
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    B: fc.integer({ min: 1, max: 3 }),
    H: fc.integer({ min: 1, max: 11 }),
    W: fc.integer({ min: 1, max: 11 }),
    C: fc.constantFrom(1, 3, 4, 8, 12, 16),
    O: fc.constantFrom(4, 8, 12, 16, 32),
    stride: fc.constantFrom<1 | 2>(1, 2),
    padding: fc.constantFrom<ConvPadding>('same', 'valid'),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    scale: fc.constantFrom(1, 1e-3, 1e3),
  })
  .filter((c) => c.padding === 'same' || (c.H >= 3 && c.W >= 3));

describe('wasm SIMD conv kernels (conv-wasm.ts)', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    await initWasmKernels();
  });
  afterAll(() => setWasmKernels(true));

  it('equal tf.conv2d + cpu autodiff (values, dx, dw) over the shapes they cover, and run instead of the routes', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const kernels = await compare(c);
        for (const k of ['Conv3x3Forward', 'Conv3x3InputGrad', 'Conv3x3FilterGrad']) expect(kernels.has(k)).toBe(true);
        for (const k of ['Transpose', 'Reverse', 'Conv2D']) expect(kernels.has(k)).toBe(false); // the routes' kernels
      }),
      { numRuns: 60 },
    );
  });

  it("are right at the claims' shapes (14x14 and its halvings, both strides, widths 4 and 8)", async () => {
    for (const [H, C, O, stride] of [
      [14, 1, 4, 1],
      [14, 4, 4, 1],
      [14, 4, 8, 2],
      [7, 8, 16, 2],
      [4, 16, 16, 1],
      [14, 8, 16, 2],
      [4, 32, 32, 1],
    ] as const)
      await compare({ B: 8, H, W: H, C, O, stride, padding: 'same', seed: H * C + O, scale: 1 });
  });

  it('compute only the gradients the tape needs: no dx for a tensor that is not differentiated', async () => {
    const x = tf.randomNormal([2, 6, 6, 1]) as tf.Tensor4D,
      w = tf.randomNormal([3, 3, 1, 4]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const profile = await tf.profile(() =>
      tf.tidy(() => {
        tf.grad((v: tf.Tensor) => tf.sum(conv2d(x, v as tf.Tensor4D, 1, 'same')))(w);
      }),
    );
    const names = profile.kernels.map((k) => k.name);
    expect(names).toContain('Conv3x3FilterGrad');
    expect(names).not.toContain('Conv3x3InputGrad');
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w]);
  });

  it('serve only the wasm backend, once loaded and not switched off', async () => {
    expect(wasmKernelsReady()).toBe(true);
    setWasmKernels(false);
    expect(wasmKernelsReady()).toBe(false);
    const off = await compare({ B: 2, H: 6, W: 5, C: 4, O: 8, stride: 2, padding: 'same', seed: 3, scale: 1 });
    expect(off.has('Conv3x3Forward')).toBe(false);
    setWasmKernels(true);
    await tf.setBackend('cpu');
    expect(wasmKernelsReady()).toBe(false);
    await tf.setBackend('wasm');
  });
});
