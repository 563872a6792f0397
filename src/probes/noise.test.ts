import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { buildResNet } from '../nets';
import { lossAt } from './common';
import { flatGradient, freezeBnAtBatchStatistics, miniBatchNoise, perExampleGradients, squaredDistance, stepDeviation } from './noise';

beforeAll(async () => {
  await initBackend();
});

const pool = (n: number) => ({
  x: tf.randomNormal([n, 8, 8, 1], 0, 1, 'float32', 3) as tf.Tensor4D,
  y: tf.tensor1d(
    Array.from({ length: n }, (_, i) => i % 10),
    'int32',
  ) as tf.Tensor1D,
});

describe('SGD noise probes', () => {
  it('without BN the per-example gradients average to the pool gradient (the loss is a mean of examples)', async () => {
    const net = buildResNet({ depth: 8, width: 2, inChannels: 1, bn: 'none', seed: 1 });
    const { x, y } = pool(12);
    const pe = await perExampleGradients(net, x, y);
    const full = await flatGradient(net, x, y);
    const scale = Math.sqrt(squaredDistance(full, new Float32Array(full.length)));
    expect(Math.sqrt(squaredDistance(pe.mean, full)) / scale).toBeLessThan(1e-4);
    expect(pe.C).toBeGreaterThan(0);
    tf.dispose([x, y]);
    net.dispose();
  });

  it("freezing BN at a batch's moments makes inference on that batch equal training on it", async () => {
    for (const bn of ['all', 'final'] as const) {
      const net = buildResNet({ depth: 8, width: 2, inChannels: 1, bn, seed: 2 });
      const { x, y } = pool(16);
      const training = await lossAt(net, x, y, undefined, true);
      expect(Math.abs((await lossAt(net, x, y, undefined, false)) - training)).toBeGreaterThan(1e-3); // running stats 0/1 differ
      freezeBnAtBatchStatistics(net, x);
      expect(await lossAt(net, x, y, undefined, false)).toBeCloseTo(training, 4);
      tf.dispose([x, y]);
      net.dispose();
    }
  });

  it('one optimiser step deviates from the pool step by exactly α(g_B − g), whatever momentum and decay', async () => {
    const net = buildResNet({ depth: 8, width: 2, inChannels: 1, bn: 'all', seed: 3 });
    const { x, y } = pool(16);
    const full = await flatGradient(net, x, y);
    for (const alpha of [1e-3, 0.3]) {
      const direct = await miniBatchNoise(net, x, y, full, alpha, 4, 5, 7);
      const viaSgd = await stepDeviation(net, x, y, alpha, 4, 5, 7, { momentum: 0.9, weightDecay: 5e-4 });
      expect(viaSgd.measured / direct.measured).toBeCloseTo(1, 2);
    }
    expect(await flatGradient(net, x, y)).toEqual(full); // the net is restored after every step
    tf.dispose([x, y]);
    net.dispose();
  });

  it('rejects a batch larger than the pool with a clear error', async () => {
    const net = buildResNet({ depth: 8, width: 2, inChannels: 1, bn: 'none', seed: 4 });
    const { x, y } = pool(4);
    await expect(miniBatchNoise(net, x, y, new Float32Array(1), 1, 5, 1, 0)).rejects.toThrow(/batch size 5 does not fit a pool of 4/);
    tf.dispose([x, y]);
    net.dispose();
  });
});
