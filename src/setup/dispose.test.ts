import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { buildResNet } from '../nets';
import { disposing } from './dispose';
import { setEnv } from '../config';

describe('disposing', () => {
  beforeAll(async () => {
    setEnv({ BN_QUIET: '1' });
    await initBackend('cpu');
  });

  it('releases what the body owns when it returns, and returns its value', async () => {
    const before = tf.memory().numTensors;
    const v = await disposing(async (own) => {
      const { x, y } = own({ x: tf.ones([2, 2]), y: tf.zeros([2]) });
      const net = own(buildResNet({ depth: 8, width: 2, inChannels: 1, bn: 'all', seed: 0 }));
      expect(net.params.size).toBeGreaterThan(0);
      return (await x.sum().add(y.sum()).data())[0];
    });
    expect(v).toBe(4);
    // the sum's temporaries are the body's own business; only they may remain
    expect(tf.memory().numTensors - before).toBeLessThanOrEqual(3);
  });

  it('releases what the body owns when it throws, in reverse order, and rethrows', async () => {
    const order: string[] = [];
    const t = tf.ones([3]);
    await expect(
      disposing(async (own) => {
        own({ dispose: () => order.push('first') });
        own({ dispose: () => order.push('second') });
        own(t);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(order).toEqual(['second', 'first']);
    expect(t.isDisposed).toBe(true);
  });

  it('leaves a tensor the body disposed itself alone', async () => {
    await disposing(async (own) => {
      const t = own(tf.ones([1]));
      t.dispose();
    });
  });
});
