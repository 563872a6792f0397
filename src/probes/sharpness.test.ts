import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { buildResNet } from '../nets';
import { Rng } from '../rng';
import type { Net } from '../nets/types';
import { filterNormalisedDirection, filterNormalisedSharpness } from './sharpness';

beforeAll(async () => {
  await initBackend();
});

const batch = (n: number, seed: number) => ({
  x: tf.randomNormal([n, 8, 8, 1], 0, 1, 'float32', seed) as tf.Tensor4D,
  y: tf.tensor1d(
    Array.from({ length: n }, (_, i) => i % 10),
    'int32',
  ) as tf.Tensor1D,
});

describe('filter-normalised sharpness (Li et al. 2018)', () => {
  it('directions have the norm of w filter by filter, and leave biases and BN parameters alone', () => {
    const net = buildResNet({ depth: 8, width: 2, inChannels: 1, bn: 'all', seed: 3 });
    const d = filterNormalisedDirection(net, new Rng(1));
    expect(Object.keys(d).sort()).toEqual([...net.decayed].sort());
    for (const [name, dir] of Object.entries(d)) {
      const w = net.params.get(name)!;
      const axes = w.shape.map((_, i) => i).slice(0, -1);
      const wn = tf.sqrt(tf.sum(tf.square(w), axes)).arraySync() as number[];
      const dn = tf.sqrt(tf.sum(tf.square(dir), axes)).arraySync() as number[];
      for (let f = 0; f < wn.length; f++) expect(dn[f]!).toBeCloseTo(wn[f]!, 4);
    }
    tf.dispose(Object.values(d));
    net.dispose();
  });

  it('equals the analytic dᵀHd of softmax cross-entropy for a linear classifier', async () => {
    // logits = x W: H = (1/n) Σ_i x_i x_iᵀ ⊗ (diag p_i − p_i p_iᵀ), so with z_i = Dᵀ x_i,
    // dᵀHd = (1/n) Σ_i [Σ_c p_ic z_ic² − (Σ_c p_ic z_ic)²]. Smooth: the second difference at ε = 0.05
    // agrees to well under a per cent.
    const rng = new Rng(12);
    const n = 40,
      dIn = 6,
      classes = 4;
    const X = Array.from({ length: n }, () => Array.from(rng.normals(dIn)));
    const W = tf.variable(tf.tensor2d(Array.from(rng.normals(dIn * classes, 0, 0.7)), [dIn, classes]), true, 'lin/w');
    const net = {
      params: new Map([['w', W]]),
      decayed: new Set(['w']),
      forward: (x: tf.Tensor, o: { params?: Record<string, tf.Tensor> }) =>
        tf.matMul(x.reshape([x.shape[0], dIn]) as tf.Tensor2D, (o.params?.w ?? W) as tf.Tensor2D),
    } as unknown as Net;
    const x = tf.tensor4d(X.flat(), [n, dIn, 1, 1]);
    const y = tf.tensor1d(
      Array.from({ length: n }, (_, i) => i % classes),
      'int32',
    );
    const s = await filterNormalisedSharpness(net, [{ x, y }], { directions: 3, epsilon: 0.05, seed: 9 });
    const dirRng = new Rng(9);
    const w = W.arraySync() as number[][];
    for (let k = 0; k < 3; k++) {
      const dT = filterNormalisedDirection(net, dirRng).w!;
      const D = dT.arraySync() as number[][];
      dT.dispose();
      let dHd = 0;
      for (const xi of X) {
        const logits = Array.from({ length: classes }, (_, c) => xi.reduce((a, v, j) => a + v * w[j]![c]!, 0));
        const m = Math.max(...logits);
        const e = logits.map((l) => Math.exp(l - m));
        const p = e.map((v) => v / e.reduce((a, b) => a + b, 0));
        const z = Array.from({ length: classes }, (_, c) => xi.reduce((a, v, j) => a + v * D[j]![c]!, 0));
        dHd += p.reduce((a, pc, c) => a + pc * z[c]! ** 2, 0) - p.reduce((a, pc, c) => a + pc * z[c]!, 0) ** 2;
      }
      dHd /= n;
      expect(Math.abs(s.perDirection[k]! - dHd) / dHd).toBeLessThan(0.01);
    }
    tf.dispose([x, y, W]);
  });

  it('does not change when a conv kernel followed by BN is scaled (the raw curvature would, by 1/c²)', async () => {
    const net = buildResNet({ depth: 8, width: 2, inChannels: 1, bn: 'all', seed: 6 });
    const b = batch(32, 7);
    const before = await filterNormalisedSharpness(net, [b], { directions: 4, epsilon: 0.05, seed: 11 });
    // every conv kernel is followed by BN in this net: scale them all by 3
    for (const name of net.decayed) {
      const w = net.params.get(name)!;
      if (w.shape.length === 4) w.assign(w.mul(3));
    }
    const after = await filterNormalisedSharpness(net, [b], { directions: 4, epsilon: 0.05, seed: 11 });
    expect(after.loss).toBeCloseTo(before.loss, 3);
    for (let k = 0; k < 4; k++) expect(after.perDirection[k]!).toBeCloseTo(before.perDirection[k]!, 1);
    expect(Math.abs(after.value - before.value) / Math.abs(before.value)).toBeLessThan(0.02);
    tf.dispose([b.x, b.y]);
    net.dispose();
  });

  it('refuses nonsense options and an empty probe', async () => {
    const net = buildResNet({ depth: 8, width: 2, inChannels: 1, bn: 'none', seed: 1 });
    await expect(filterNormalisedSharpness(net, [], { directions: 1, epsilon: 0.05, seed: 1 })).rejects.toThrow(/no probe batches/);
    const b = batch(8, 1);
    await expect(filterNormalisedSharpness(net, [b], { directions: 0, epsilon: 0.05, seed: 1 })).rejects.toThrow(/directions/);
    tf.dispose([b.x, b.y]);
    net.dispose();
  });
});
