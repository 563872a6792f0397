/**
 * Determinism at the probe level: on one backend, the same seed gives bit-identical statistics,
 * and another seed gives other numbers (so the equality is not that of a constant). Each run
 * builds a fresh ResNet-8 (BN on every conv) from the seed and draws its probe batch with the
 * claims' own seeded sampler (src/setup probeBatch); what is compared are the raw Float32Arrays
 * (byte for byte, so even NaN payloads and -0 would count). train.test.ts does the same for
 * training losses.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { disposeCachedConstants } from '../backend/batchnorm';
import { loadData } from '../data/load';
import { buildResNet } from '../nets';
import { activationMoments } from '../probes/moments';
import { parameterGradients } from '../probes/gradients';
import { logGrid, stepSizeScan } from '../probes/step-scan';
import { probeBatch } from '../setup';
import { setEnv } from '../config';

beforeAll(async () => {
  setEnv({ BN_QUIET: '1' });
  await initBackend('wasm');
});

const data = () =>
  loadData({ kind: 'synthetic' }, { trainLimit: 128, testLimit: 16, seed: 0, synthetic: { height: 8, width: 8, channels: 1 } }).train;

interface Probed {
  grads: Record<string, Float32Array>;
  stds: Float32Array[];
  relative: Float64Array;
  alphaStar: number | null;
}

async function probe(seed: number): Promise<Probed> {
  const ds = data();
  const net = buildResNet({ depth: 8, width: 4, inChannels: 1, bn: 'all', seed });
  const { x, y } = probeBatch(ds, 16, seed);
  const names = ['stem', 's1b1.c1', 's3b1.c2', 's3b1.c2.bn.gamma', 'fc.w'];
  for (const n of names) expect(net.params.has(n), n).toBe(true);
  const grads = await parameterGradients(net, x, y, names);
  const stds = (await activationMoments(net, x)).map((m) => m.stds);
  const scan = await stepSizeScan(net, x, y, logGrid(1e-2, 1e3, 8));
  x.dispose();
  y.dispose();
  net.dispose();
  return { grads, stds, relative: Float64Array.from(scan.relative), alphaStar: scan.alphaStar };
}

const bytes = (a: Float32Array | Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const same = (a: Float32Array | Float64Array, b: Float32Array | Float64Array) => bytes(a).equals(bytes(b));

describe('probes are bit-identical for a seed on one backend', () => {
  it('parameterGradients, activationMoments and stepSizeScan: same seed, same bits; another seed, other numbers', async () => {
    const tensors = tf.memory().numTensors;
    const a = await probe(7);
    const b = await probe(7);
    const c = await probe(8);
    disposeCachedConstants(); // eval-mode BN's identities, cached per channel count (src/backend/batchnorm.ts)
    expect(tf.memory().numTensors).toBe(tensors);
    for (const name of Object.keys(a.grads)) {
      expect(a.grads[name]!.length, name).toBeGreaterThan(0);
      expect(
        a.grads[name]!.some((v) => v !== 0),
        `${name}: an all-zero gradient would make the test vacuous`,
      ).toBe(true);
      expect(same(a.grads[name]!, b.grads[name]!), `${name}: same seed`).toBe(true);
      expect(same(a.grads[name]!, c.grads[name]!), `${name}: another seed`).toBe(false);
    }
    expect(a.stds.length).toBeGreaterThan(10);
    a.stds.forEach((s, i) => expect(same(s, b.stds[i]!), `moments at point ${i}`).toBe(true));
    expect(a.stds.some((s, i) => !same(s, c.stds[i]!))).toBe(true);
    expect(same(a.relative, b.relative)).toBe(true);
    expect(a.alphaStar).toBe(b.alphaStar);
    expect(same(a.relative, c.relative)).toBe(false);
  }, 60_000);
});
