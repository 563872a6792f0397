import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { buildResNet } from '../nets';
import { mean } from '../stats/moments';
import { Rng } from '../rng';
import { inputDependence, signFlipNull } from './output-gradients';

beforeAll(async () => {
  await initBackend();
});

describe('Table 1 concordance', () => {
  it('per-example gradients add up to the kernel gradient, and their concordance bounds the per-position one', async () => {
    const net = buildResNet({ depth: 8, width: 2, inChannels: 1, bn: 'all', seed: 5 });
    const x = tf.randomNormal([12, 8, 8, 1], 0, 1, 'float32', 2) as tf.Tensor4D;
    const y = tf.tensor1d(
      Array.from({ length: 12 }, (_, i) => i % 10),
      'int32',
    ) as tf.Tensor1D;
    const { concordance: c } = await inputDependence(net, x, y, 's1b1.c2');
    expect(c.perExample).toHaveLength(12);
    const summed = c.absOfSum.map((_, i) => Math.abs(c.perExample.reduce((a, g) => a + g[i]!, 0)));
    const scale = Math.max(...c.absOfSum);
    summed.forEach((v, i) => expect(Math.abs(v - c.absOfSum[i]!) / scale).toBeLessThan(1e-4));
    // Σ_b |g_b| ≤ Σ_{b,x,y} |d| entry by entry, so the per-example ratio is the larger
    expect(c.perExampleMedianRatio).toBeGreaterThanOrEqual(c.medianRatio);
    expect(c.perExampleMedianRatio).toBeLessThanOrEqual(1);
    tf.dispose([x, y]);
    net.dispose();
  });

  it('the sign-flip null of B identical terms is |Σ s_b| / B, whose mean is ≈ √(2/(πB))', () => {
    const B = 128;
    const same = Array.from({ length: B }, () => Float32Array.from([0.3, -2, 5]));
    const draws = signFlipNull(same, 2000, new Rng(11));
    expect(mean(draws)).toBeCloseTo(Math.sqrt(2 / (Math.PI * B)), 2);
    expect(Math.max(...draws)).toBeLessThanOrEqual(1);
  });
});
