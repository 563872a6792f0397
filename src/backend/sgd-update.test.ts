import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '.';
import { Sgd } from '../train/sgd';
import { sgdUpdateActive } from './sgd-update';
import { setWasmKernels } from './wasm-module';
import { setEnv } from '../config';

beforeAll(async () => {
  setEnv({ BN_QUIET: '1' });
  await initBackend('wasm');
});

/** The update as tfjs ops (what Sgd runs on other backends), on the active backend. */
function reference(
  theta: tf.Tensor,
  v: tf.Tensor | null,
  g: tf.Tensor,
  decay: boolean,
  lr: number,
  momentum: number,
  wd: number,
): [tf.Tensor, tf.Tensor | null] {
  const [t, nv] = tf.tidy(() => {
    if (wd > 0 && decay) g = g.add(theta.mul(wd));
    let nv: tf.Tensor | undefined;
    if (momentum > 0) {
      nv = v ? v.mul(momentum).add(g) : g.clone();
      g = nv;
    }
    return nv ? [theta.sub(g.mul(lr)), nv] : [theta.sub(g.mul(lr))];
  });
  return [t!, nv ?? null];
}

const bits = (t: tf.Tensor) => Buffer.from(new Float32Array(t.dataSync()).buffer).toString('hex');

describe('the fused SGD update (wasm)', () => {
  it.each([true, false])(
    'gives bit for bit the numbers of the tfjs ops over several steps (decayed and not, with and without momentum; wasm SIMD loop: %s)',
    (simd) => {
      expect(sgdUpdateActive()).toBe(true);
      setWasmKernels(simd);
      for (const [momentum, wd] of [
        [0.9, 5e-4],
        [0, 5e-4],
        [0.9, 0],
      ] as const) {
        // sizes in fours and not (the wasm loop's scalar tail: 10 = 8 + 2, 3, 7 = 4 + 3)
        const shapes: Record<string, number[]> = { w: [3, 3, 4, 8], gamma: [8], fc: [16, 10], b: [10], s: [3], t: [7] };
        const params = new Map(Object.entries(shapes).map(([k, s], i) => [k, tf.variable(tf.randomNormal(s, 0, 1, 'float32', i + 1))]));
        const decayed = new Set(['w', 'fc', 't']);
        const ref = new Map([...params].map(([k, p]) => [k, { theta: p.clone() as tf.Tensor, v: null as tf.Tensor | null }]));
        const opt = new Sgd(params, decayed, { momentum, weightDecay: wd });
        for (let step = 0; step < 4; step++) {
          const lr = [0.1, 0.037, 1e-3, 3.3][step]!;
          // raw gradients of a wide range of magnitudes, so rounding differences would show
          const grads = Object.fromEntries(
            [...params].map(([k, p], i) => [
              k,
              tf.tidy(() =>
                tf
                  .randomNormal(p.shape, 0, 1, 'float32', 100 * step + i)
                  .mul(tf.randomUniform(p.shape, -6, 6, 'float32', 7 * step + i).exp()),
              ),
            ]),
          );
          opt.step(grads, lr);
          for (const [k, r] of ref) {
            const [t, v] = reference(r.theta, r.v, grads[k]!, decayed.has(k), lr, momentum, wd);
            r.theta.dispose();
            r.v?.dispose();
            r.theta = t;
            r.v = v;
            expect(bits(params.get(k)!), `${k}, step ${step}, momentum ${momentum}, wd ${wd}`).toBe(bits(t));
          }
          tf.dispose(Object.values(grads));
        }
        for (const r of ref.values()) tf.dispose([r.theta, ...(r.v ? [r.v] : [])]);
        opt.dispose();
        for (const p of params.values()) p.dispose();
      }
      setWasmKernels(true);
    },
  );

  it('leaves no tensor behind', () => {
    const params = new Map([['a', tf.variable(tf.ones([5]))]]);
    const opt = new Sgd(params, new Set(['a']), { momentum: 0.9, weightDecay: 5e-4 });
    const g = tf.ones([5]);
    opt.step({ a: g }, 0.1); // creates the velocity
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) opt.step({ a: g }, 0.1);
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
    g.dispose();
    params.get('a')!.dispose();
  });
});
