/**
 * Memory over a long run: 2,000 SGD steps (batch 8, a 3-layer MLP with BN on 8x8 synthetic
 * images: the claims' training loop, small enough to run in seconds) keep every measure of
 * memory flat after warm-up:
 *  - tf.memory().numTensors and numBytes: equal at step 100 and at step 2,000, and equal to
 *    before training once train() returns (a tensor leaked per step would add 1,900);
 *  - the wasm heap: the same size (it only grows when live tensors pile up);
 *  - the V8 heap after a full GC: grows by less than 4 MB (measured ~0.7 MB: the per-step loss
 *    array and JIT state; a leak of 2 KB per step, one batch of pixels, would add ~4 MB);
 *  - resident memory (RSS): grows by less than 32 MB over the second 1,000 steps. RSS also moves
 *    with the JIT and the allocator: it climbs 15–30 MB over the first few hundred steps, then
 *    stays within a few MB (measured here: 0 to +3 MB from step 1,000 to 2,000). 32 MB over 1,000
 *    steps fails for a leak outside the V8 and wasm heaps (native buffers) of more than ~32 KB
 *    per step: what a paper-scale run of 10^5 steps (3 GB) could not survive.
 * `npm run bench` reports peak RSS of the benchmark steps too (reports/bench.json, peakRssMiB).
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { disposeCachedConstants } from '../backend/batchnorm';
import { loadData } from '../data/load';
import { buildMlp } from '../nets';
import { constant, train } from '../train';
import { setEnv } from '../config';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

beforeAll(async () => {
  setEnv({ BN_QUIET: '1' });
  await initBackend('wasm');
});

interface Sample {
  tensors: number;
  bytes: number;
  wasmHeap: number | undefined;
  heapUsed: number;
  rss: number;
}

function sample(): Sample {
  gc();
  const wasm = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm;
  const m = process.memoryUsage();
  return { tensors: tf.memory().numTensors, bytes: tf.memory().numBytes, wasmHeap: wasm?.HEAPU8?.length, heapUsed: m.heapUsed, rss: m.rss };
}

const MB = 2 ** 20;

describe('a long training run', () => {
  it('2,000 steps: tensors, wasm heap, V8 heap and RSS stay flat after warm-up', async () => {
    const data = loadData(
      { kind: 'synthetic' },
      { trainLimit: 256, testLimit: 64, seed: 0, synthetic: { height: 8, width: 8, channels: 1 } },
    );
    const net = buildMlp({ depth: 3, width: 16, inputs: 64, bn: 'all', seed: 0 });
    const before = sample();
    const at: Record<number, Sample> = {};
    const r = await train(net, data, {
      epochs: 100, // 32 steps per epoch; maxSteps ends it
      maxSteps: 2000,
      batchSize: 8,
      schedule: constant(0.01),
      seed: 0,
      progress: false,
      evaluateEachEpoch: false,
      onStep: (step) => {
        if (step === 100 || step === 1000 || step === 2000) at[step] = sample();
      },
    });
    disposeCachedConstants(); // eval-mode BN's identities, cached per channel count (src/backend/batchnorm.ts)
    const after = sample();
    expect(r.steps).toBe(2000);
    expect(r.diverged).toBeNull();
    const [warm, mid, end] = [at[100]!, at[1000]!, at[2000]!];
    expect([mid.tensors, end.tensors]).toEqual([warm.tensors, warm.tensors]);
    expect([mid.bytes, end.bytes]).toEqual([warm.bytes, warm.bytes]);
    expect(after.tensors).toBe(before.tensors);
    expect(after.bytes).toBe(before.bytes);
    if (warm.wasmHeap !== undefined) expect(end.wasmHeap).toBe(warm.wasmHeap);
    const heapGrowth = (end.heapUsed - warm.heapUsed) / MB;
    const rssGrowth = (end.rss - mid.rss) / MB;
    expect(heapGrowth).toBeLessThan(4);
    expect(rssGrowth).toBeLessThan(32);
    const signed = (x: number, d: number) => `${x >= 0 ? '+' : ''}${x.toFixed(d)}`;
    console.log(
      `[memory] 2,000 steps: ${end.tensors} tensors throughout; V8 heap ${signed(heapGrowth, 2)} MB from step 100; ` +
        `RSS ${signed((mid.rss - warm.rss) / MB, 1)} MB from step 100 to 1,000, ${signed(rssGrowth, 1)} MB to 2,000 (${(end.rss / MB).toFixed(0)} MB); ` +
        `wasm heap ${((end.wasmHeap ?? NaN) / MB).toFixed(0)} MB`,
    );
    net.dispose();
  }, 60_000);
});
