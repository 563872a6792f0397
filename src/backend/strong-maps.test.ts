import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '.';
import { setEnv } from '../config';
import { buildResNet } from '../nets/resnet';
import { PAPER_SGD } from '../train/recipe';
import { Sgd } from '../train/sgd';
import { trainStep } from '../train/train';
import { StrongWhere, tableSizes } from './strong-maps';

beforeAll(async () => {
  setEnv({ BN_QUIET: '1' });
  await initBackend('wasm');
});

describe('StrongWhere (src/backend/strong-maps.ts)', () => {
  it('keeps approved entries in the Map, the rest and the earlier ones in the WeakMap, and finds all of them', () => {
    const [a, b, c, d] = [{}, {}, {}, {}];
    const old = new WeakMap<object, { strong: boolean }>([[a, { strong: false }]]);
    const t = new StrongWhere(old, 1, (v) => v.strong);
    expect(t.has(a)).toBe(true);
    expect(t.get(a)).toEqual({ strong: false });
    t.set(b, { strong: true });
    t.set(c, { strong: false });
    expect(t.sizes).toEqual({ strong: 1, weak: 2 });
    expect([t.get(b), t.get(c), t.get(d)]).toEqual([{ strong: true }, { strong: false }, undefined]);
    expect(old.has(b)).toBe(false);
    expect(old.has(c)).toBe(true);
    // an entry set again moves to the table its new value belongs in, and is found once
    t.set(c, { strong: true });
    expect(t.sizes).toEqual({ strong: 2, weak: 1 });
    expect(old.has(c)).toBe(false);
    t.set(b, { strong: false });
    expect(t.sizes).toEqual({ strong: 1, weak: 2 });
    expect(t.get(b)).toEqual({ strong: false });
    // delete finds an entry in either table, once
    expect([t.delete(a), t.delete(a), t.delete(b), t.delete(c), t.delete(d)]).toEqual([true, false, true, true, false]);
    expect(t.sizes).toEqual({ strong: 0, weak: 0 });
    expect([t.has(a), t.has(b), t.has(c)]).toEqual([false, false, false]);
  });
});

describe('tfjs bookkeeping of wasm tensors in Maps (strongMapsOnWasm)', () => {
  it('is installed on wasm, and a Map entry lives exactly as long as the wasm data it describes', async () => {
    const sizes = () => {
      const s = tableSizes();
      expect(s, 'strongMapsOnWasm did not install the Maps on the wasm backend').not.toBeNull();
      return s!;
    };
    const backendIds = () => (tf.backend() as unknown as { dataIdMap: { numDataIds(): number } }).dataIdMap.numDataIds();
    const live = () => {
      const s = sizes();
      // every table entry is a live buffer (nothing kept after its memory was freed), and every
      // live buffer has its entry
      expect(s.engine.strong + s.engine.weak).toBe(tf.memory().numDataBuffers);
      expect(s.backend.strong + s.backend.weak).toBe(backendIds());
      return s;
    };
    const before = live();
    const net = buildResNet({ depth: 8, width: 4, inChannels: 1, bn: 'all', seed: 0 });
    const opt = new Sgd(net.params, net.decayed, PAPER_SGD);
    const x = tf.randomNormal([8, 6, 6, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const y = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32');
    await trainStep(net, opt, x, y, 0.01);
    const afterOne = live();
    for (let i = 0; i < 3; i++) await trainStep(net, opt, x, y, 0.01);
    // three more steps replace the weights, the velocities and the BN statistics: no entry builds up
    expect(live()).toEqual(afterOne);
    tf.dispose([x, y]);
    opt.dispose();
    net.dispose();
    expect(live()).toEqual(before);
  });

  it("a tensor of another backend keeps its entry in the engine's WeakMap", async () => {
    const s0 = tableSizes()!;
    await tf.setBackend('cpu');
    try {
      const t = tf.tensor1d([1, 2, 3]);
      await tf.setBackend('wasm');
      const s1 = tableSizes()!;
      expect(s1.engine).toEqual({ strong: s0.engine.strong, weak: s0.engine.weak + 1 });
      t.dispose();
      expect(tableSizes()!.engine).toEqual(s0.engine);
    } finally {
      await tf.setBackend('wasm');
    }
  });
});
