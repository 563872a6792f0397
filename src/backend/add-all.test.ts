import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '.';
import { addAll, maxAddNInputs } from './add-all';
import { setEnv } from '../config';

beforeAll(async () => {
  setEnv({ BN_QUIET: '1' });
  await initBackend('wasm');
});

describe('addAll', () => {
  it('equals tf.addN for every chunk size, and leaks nothing', () => {
    const ts = Array.from({ length: 26 }, (_, i) => tf.scalar(1 / (i + 3)));
    const ref = tf.addN(ts);
    const tensors = tf.memory().numTensors;
    for (const max of [2, 3, 7, 25, 26, Infinity]) {
      const s = addAll(ts, max);
      expect(s.dataSync()[0], `chunks of ${max}`).toBeCloseTo(ref.dataSync()[0]!, 6);
      s.dispose();
    }
    expect(tf.memory().numTensors).toBe(tensors);
    tf.dispose([...ts, ref]);
  });

  it('has no limit on wasm (one tf.addN, as before)', () => {
    expect(maxAddNInputs()).toBe(Infinity);
  });
});
