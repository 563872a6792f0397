import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { loadData } from '../data/load';
import { buildMlp, buildResNet } from '../nets';
import { constant, lrAt, stepHalf } from './schedule';
import { evaluate, train } from './train';
import { setEnv } from '../config';

beforeAll(async () => {
  setEnv({ BN_QUIET: '1' });
  await initBackend('wasm');
});

const synthetic = (n: number, seed = 0) =>
  loadData({ kind: 'synthetic' }, { trainLimit: n, testLimit: 200, seed, synthetic: { height: 8, width: 8, channels: 1 } });

describe('learning-rate schedules', () => {
  it('step schedule cuts once at half of training', () => {
    const s = stepHalf(0.1);
    expect(lrAt(s, 0)).toBe(0.1);
    expect(lrAt(s, 0.49)).toBe(0.1);
    expect(lrAt(s, 0.5)).toBeCloseTo(0.01, 12);
  });
});

describe('training loop', () => {
  it('learns Fashion-MNIST (embedded subset): test accuracy well above chance after 3 short epochs', async () => {
    const data = loadData({ kind: 'fashion-mnist' }, { trainLimit: 1024, testLimit: 500, seed: 0 });
    const net = buildResNet({ depth: 8, width: 8, inChannels: 1, bn: 'all', seed: 0 });
    const r = await train(net, data, { epochs: 3, batchSize: 64, schedule: constant(0.05), seed: 0, progress: false });
    expect(r.diverged).toBeNull();
    expect(r.final.testAcc!).toBeGreaterThan(0.5);
    expect(r.losses[r.losses.length - 1]!).toBeLessThan(r.firstLoss);
    net.dispose();
  });

  it('evaluates every `evaluateEvery` epochs and at the last', async () => {
    const data = synthetic(128);
    const net = buildMlp({ depth: 2, width: 16, inputs: 64, bn: 'none', seed: 0 });
    const r = await train(net, data, { epochs: 5, batchSize: 32, schedule: constant(0.01), seed: 0, progress: false, evaluateEvery: 2 });
    expect(r.history.map((h) => h.testAcc !== null)).toEqual([false, true, false, true, true]);
    expect(r.final.testAcc).toBe(r.history[4]!.testAcc);
    net.dispose();
  });

  it('follows a plateau rule: cuts once when the loss stalls, ends at the next stall or the cap, and records it', async () => {
    const data = synthetic(256);
    const net = buildMlp({ depth: 2, width: 16, inputs: 64, bn: 'none', seed: 0 });
    // this net's loss falls by < 10 % per window of 8 steps after ~200 steps (by more before)
    const rule = { kind: 'plateau', lr: 0.05, factor: 0.1, window: 8, threshold: 0.1, patience: 2, minAccuracy: 0, maxSteps: 400 } as const;
    const r = await train(net, data, { epochs: 1000, batchSize: 32, schedule: rule, seed: 0, progress: false, evaluateEachEpoch: false });
    const { cutAt, ended, windows } = r.plateau!;
    expect(cutAt).not.toBeNull();
    expect(ended).toBe('stalled after the cut');
    expect(r.stopped).toEqual({ step: r.steps, reason: 'stalled after the cut' });
    expect(r.steps).toBeLessThan(400);
    expect(windows.length).toBe(Math.floor(r.steps / 8));
    for (const h of r.history) expect(h.lr).toBeCloseTo(h.step < cutAt! ? 0.05 : 0.005, 12);
    expect(r.history.at(-1)!.step).toBe(r.steps);
    net.dispose();
  });

  it('ends where onStep asks, with its reason, as a result', async () => {
    const data = synthetic(128);
    const net = buildMlp({ depth: 2, width: 16, inputs: 64, bn: 'none', seed: 0 });
    const r = await train(net, data, {
      epochs: 5,
      batchSize: 32,
      schedule: constant(0.01),
      seed: 0,
      progress: false,
      onStep: (step) => (step === 6 ? 'collapsed' : undefined),
    });
    expect(r.steps).toBe(6);
    expect(r.stopped).toEqual({ step: 6, reason: 'collapsed' });
    expect(r.history.map((h) => h.step)).toEqual([4, 6]);
    expect(r.final.testAcc).not.toBeNull();
    net.dispose();
  });

  it('reports divergence at the step it happens, without throwing', async () => {
    const data = synthetic(512);
    const net = buildMlp({ depth: 4, width: 64, inputs: 64, bn: 'none', seed: 0 });
    const r = await train(net, data, { epochs: 5, batchSize: 64, schedule: constant(1e4), seed: 0, progress: false });
    expect(r.diverged).not.toBeNull();
    expect(r.diverged!.step).toBeGreaterThan(1);
    expect(r.steps).toBe(r.diverged!.step);
    expect(r.final.testAcc).toBeNull();
    net.dispose();
  });

  it('leaks no tensors over many steps', async () => {
    const data = synthetic(256);
    const net = buildResNet({ depth: 8, width: 4, inChannels: 1, bn: 'all', seed: 1 });
    await train(net, data, { epochs: 1, batchSize: 32, schedule: constant(0.01), seed: 0, progress: false });
    const before = tf.memory().numTensors;
    await train(net, data, { epochs: 6, batchSize: 32, schedule: constant(0.01), seed: 1, progress: false });
    await evaluate(net, data.test);
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
  });

  it('is deterministic for a seed and differs across seeds', async () => {
    const run = async (seed: number) => {
      const data = synthetic(256, 0);
      const net = buildResNet({ depth: 8, width: 4, inChannels: 1, bn: 'all', seed });
      const r = await train(net, data, { epochs: 2, batchSize: 32, schedule: constant(0.02), seed, progress: false });
      net.dispose();
      return r.losses;
    };
    const a = await run(3);
    const b = await run(3);
    const c = await run(4);
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
  });
});

describe('gradient accumulation', () => {
  it('micro-batches give the same step as the whole batch for a net without BN', async () => {
    const { Sgd } = await import('./sgd');
    const { trainStep } = await import('./train');
    const run = async (microBatch?: number) => {
      const net = buildResNet({ depth: 8, width: 4, inChannels: 1, bn: 'none', seed: 5 });
      const opt = new Sgd(net.params, net.decayed, { momentum: 0.9, weightDecay: 5e-4 });
      const x = tf.randomNormal([12, 8, 8, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
      const y = tf.tensor1d(
        Array.from({ length: 12 }, (_, i) => i % 10),
        'int32',
      );
      const r = await trainStep(net, opt, x, y, 0.1, { microBatch });
      const after = Array.from(net.params.get('s2b1.c1')!.dataSync());
      tf.dispose([x, y]);
      opt.dispose();
      net.dispose();
      return { ...r, after };
    };
    const whole = await run();
    const pieces = await run(5);
    expect(pieces.correct).toBe(whole.correct);
    expect(pieces.loss).toBeCloseTo(whole.loss, 5);
    const maxDiff = Math.max(...pieces.after.map((v, i) => Math.abs(v - whole.after[i]!)));
    expect(maxDiff).toBeLessThan(1e-5);
  });
});
