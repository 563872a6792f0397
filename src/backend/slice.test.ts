/**
 * The wasm Slice kernel (slice.ts) against tfjs's own (the project's kernels off) and the cpu
 * backend: bit for bit over ranks 2–4, shapes, begins and sizes (contiguous or not, -1 sizes), with
 * NaN, infinities and −0 in the data; and that the non-contiguous case runs our module.
 */
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '.';
import { setEnv } from '../config';
import { sliceFunction } from './slice';
import { setWasmKernels } from './wasm-module';

beforeAll(async () => {
  setEnv({ BN_QUIET: '1' });
  await initBackend('wasm');
});
afterAll(() => setWasmKernels(true));

const SPECIALS = [Number.NaN, Infinity, -Infinity, -0, 0, 1e-40];

/** The bytes of a float32 result, so that NaN, −0 and subnormals compare exactly. */
const bits = (t: tf.Tensor) => Array.from(new Uint32Array(Float32Array.from(t.dataSync() as Float32Array).buffer));

function sliced(values: Float32Array, shape: number[], begin: number[], size: number[]): number[] {
  return tf.tidy(() => bits(tf.slice(tf.tensor(values, shape), begin, size)));
}

describe('Slice on wasm (slice.ts)', () => {
  it('equals tfjs’s kernel and the cpu backend bit for bit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .array(fc.integer({ min: 1, max: 6 }), { minLength: 2, maxLength: 4 })
          .chain((shape) =>
            fc.tuple(
              fc.constant(shape),
              fc.tuple(...shape.map((d) => fc.integer({ min: 0, max: d - 1 }))),
              fc.tuple(...shape.map(() => fc.double({ min: 0, max: 1, noNaN: true }))),
              fc.tuple(...shape.map(() => fc.boolean())),
              fc.integer({ min: 0, max: 2 ** 31 - 1 }),
            ),
          ),
        async ([shape, begin, fractions, toEnd, seed]) => {
          // a size in [1, d - begin], or -1 (to the end)
          const size = shape.map((d, j) => (toEnd[j] ? -1 : 1 + Math.floor(fractions[j]! * (d - begin[j]! - 1e-9))));
          const n = shape.reduce((p, d) => p * d, 1);
          let s = seed;
          const values = Float32Array.from({ length: n }, (_, i) => {
            s = (Math.imul(s, 1103515245) + 12345) >>> 0;
            return i % 11 === 5 ? SPECIALS[s % SPECIALS.length]! : (s / 2 ** 32 - 0.5) * 8;
          });
          const ours = sliced(values, shape, begin, size);
          setWasmKernels(false);
          const theirs = sliced(values, shape, begin, size);
          setWasmKernels(true);
          await tf.setBackend('cpu');
          const cpu = sliced(values, shape, begin, size);
          await tf.setBackend('wasm');
          expect(ours).toEqual(theirs);
          expect(ours).toEqual(cpu);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('runs the generated module for a non-contiguous slice, and its loops cover the slice’s outer axes only', async () => {
    // the option-A shortcut's channel slice: every pixel, channels 2..5 of 8
    expect(sliceFunction([4, 3, 3, 8], [0, 0, 0, 2], [4, 3, 3, 4])).toMatch(/\$i2/);
    // whole trailing axes join the run: rows 0..1 of each image is one copy per image
    const rows = sliceFunction([4, 3, 3, 8], [0, 0, 0, 0], [4, 2, 3, 8]);
    expect(rows).toMatch(/\$i0/);
    expect(rows).not.toMatch(/\$i1/);
    expect(rows).toContain(`(i32.const ${2 * 3 * 8 * 4})`);
    const x = tf.tensor4d(
      Float32Array.from({ length: 4 * 3 * 3 * 8 }, (_, i) => i),
      [4, 3, 3, 8],
    );
    const info = await tf.profile(() => tf.slice(x, [0, 0, 0, 2], [4, 3, 3, 4]));
    expect(info.kernels.map((k) => k.name)).toEqual(['Slice']);
    const out = info.result as tf.Tensor;
    expect(Array.from(out.dataSync()).slice(0, 6)).toEqual([2, 3, 4, 5, 10, 11]);
    tf.dispose([x, out]);
  });
});
