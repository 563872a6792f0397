import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { activationMoments } from '../probes/moments';
import { buildMlp, buildResNet, resnetBlocksPerStage } from '.';
import { gradientErrors, resnetLossAndGradients } from './gradient-check';
import { setEnv } from '../config';

beforeAll(async () => {
  setEnv({ BN_QUIET: '1' });
  await initBackend('wasm');
});

const input = (b: number, h: number, c: number, seed = 1) => tf.randomNormal([b, h, h, c], 0, 1, 'float32', seed) as tf.Tensor4D;

describe('CIFAR ResNet (6n+2)', () => {
  it('rejects depths that are not 6n+2', () => {
    expect(() => resnetBlocksPerStage(21)).toThrow(/6n\+2/);
    expect(resnetBlocksPerStage(110)).toBe(18);
  });

  it('counts layers along the depth as the paper does and has the expected parameter count', () => {
    const net = buildResNet({ depth: 20, width: 16, inChannels: 3, bn: 'all', seed: 0 });
    expect(net.layers.map((l) => l.depth)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // He et al.'s ResNet-20 (option A shortcuts) has 0.27M parameters
    const count = [...net.params.values()].reduce((s, v) => s + v.size, 0);
    expect(count).toBeGreaterThan(0.26e6);
    expect(count).toBeLessThan(0.28e6);
    net.dispose();
  });

  it('gives logits of shape [B, classes] for 32x32x3 and 28x28x1 inputs', () => {
    for (const [h, c] of [
      [32, 3],
      [28, 1],
    ] as const) {
      const net = buildResNet({ depth: 8, width: 4, inChannels: c, bn: 'none', seed: 0 });
      const out = tf.tidy(() => net.forward(input(2, h, c), { training: true }).shape);
      expect(out).toEqual([2, 10]);
      net.dispose();
    }
  });

  it('BN in training mode: every normalised channel has zero mean and unit variance over the batch', async () => {
    const net = buildResNet({ depth: 8, width: 8, inChannels: 3, bn: 'all', seed: 3 });
    // act:<c1> is ReLU(BN(conv)): a ReLU of a standardised channel has mean ≈ 0.40 and std ≈ 0.58 for
    // Gaussian inputs; check the BN output itself via the block's second conv instead: capture
    // the raw conv output and standardise by hand is circular, so use the closed forms of ReLU(N(0,1)).
    const x = input(64, 16, 3, 5);
    const m = await activationMoments(net, x, { points: ['act:s1b1.c1', 'act:s2b1.c1'] });
    for (const pm of m) {
      const meanOfMeans = pm.means.reduce((a, b) => a + b, 0) / pm.means.length;
      const meanOfStds = pm.stds.reduce((a, b) => a + b, 0) / pm.stds.length;
      expect(meanOfMeans).toBeGreaterThan(0.3);
      expect(meanOfMeans).toBeLessThan(0.5);
      expect(meanOfStds).toBeGreaterThan(0.48);
      expect(meanOfStds).toBeLessThan(0.68);
    }
    x.dispose();
    net.dispose();
  });

  it('BN net: conv outputs before BN (moments-grow-with-depth probes them) differ from layer to layer; after BN+ReLU they do not', async () => {
    // The claim's BN arm must be able to show a trend: its probe point is not normalised by
    // construction. Per layer, ln(mean channel std) at conv:<c2> (before BN) against act:<c1> (after).
    const net = buildResNet({ depth: 20, width: 8, inChannels: 1, bn: 'all', seed: 4 });
    const x = input(64, 14, 1, 6);
    const c2 = net.probePoints.filter((p) => /^conv:s\d+b\d+\.c2$/.test(p.name)).map((p) => p.name);
    const a1 = net.probePoints.filter((p) => /^act:s\d+b\d+\.c1$/.test(p.name)).map((p) => p.name);
    const lnStd = async (points: string[]) =>
      (await activationMoments(net, x, { points })).map((m) => Math.log(m.stds.reduce((a, b) => a + b, 0) / m.stds.length));
    const spread = (v: number[]) => Math.max(...v) - Math.min(...v);
    const before = await lnStd(c2);
    const after = await lnStd(a1);
    expect(before).toHaveLength(9);
    // after BN + ReLU: ln 0.58 (ReLU of a standardised channel) at every layer, up to the channels' shapes
    for (const v of after) expect(Math.abs(v - Math.log(0.58))).toBeLessThan(0.1);
    // before BN: free to vary with the weights (seed 4: spread 0.20 in ln std against 0.06 after)
    expect(spread(before)).toBeGreaterThan(0.1);
    expect(spread(before)).toBeGreaterThan(2 * spread(after));
    // Along one stage (no change of resolution) the point is flat in the intact BN net and grows with
    // BN_FAULT's broken BN (no normalisation), which is what the claim's BN arm must be able to see:
    // ResNet-56 width 4, stage 1, blocks 1 → 9, over four weight seeds (at width 4 a single seed's
    // ratio varies a lot). Intact: within [0.8, 1.25] for every seed; broken: above that band, in
    // geometric mean over the seeds.
    const stage1 = async (mode: 'batch' | 'no-normalise', seed: number) => {
      const n = buildResNet({ depth: 56, width: 4, inChannels: 1, bn: 'all', seed, bnMode: mode });
      const [a, b] = (await activationMoments(n, x, { points: ['conv:s1b1.c2', 'conv:s1b9.c2'] })).map(
        (m) => m.stds.reduce((u, v) => u + v, 0) / m.stds.length,
      );
      n.dispose();
      return b! / a!;
    };
    const seeds = [4, 5, 6, 7];
    const logBroken: number[] = [];
    for (const seed of seeds) {
      const intact = await stage1('batch', seed);
      expect(intact).toBeGreaterThan(0.8);
      expect(intact).toBeLessThan(1.25);
      logBroken.push(Math.log(await stage1('no-normalise', seed)));
    }
    expect(Math.exp(logBroken.reduce((a, b) => a + b, 0) / seeds.length)).toBeGreaterThan(1.25);
    x.dispose();
    net.dispose();
  });

  it('BN placement final normalises the features entering the classifier', () => {
    const net = buildResNet({ depth: 8, width: 4, inChannels: 1, bn: 'final', seed: 1 });
    expect([...net.params.keys()].filter((k) => k.includes('.bn.'))).toEqual(['final.bn.gamma', 'final.bn.beta']);
    net.dispose();
  });

  it('unnormalised He-initialised ResNet: activation variance roughly doubles per residual block', async () => {
    // Var(x + F(x)) = Var(x) + Var(F(x)) with Var(F(x)) ≈ Var(x) under He (fan-in) initialisation.
    const net = buildResNet({ depth: 20, width: 16, inChannels: 3, bn: 'none', init: 'he-fan-in', seed: 2 });
    const x = input(32, 16, 3, 9);
    const m = await activationMoments(net, x, { points: ['block:s1b1', 'block:s1b2', 'block:s1b3'] });
    const meanSq = m.map((pm) => pm.stds.reduce((a, s, i) => a + s * s + pm.means[i]! ** 2, 0) / pm.stds.length);
    const ratios = [meanSq[1]! / meanSq[0]!, meanSq[2]! / meanSq[1]!];
    for (const r of ratios) {
      expect(r).toBeGreaterThan(1.5);
      expect(r).toBeLessThan(2.7);
    }
    x.dispose();
    net.dispose();
  });

  it('forward with overriding parameters equals forward after assigning them', () => {
    const net = buildResNet({ depth: 8, width: 4, inChannels: 1, bn: 'all', seed: 4 });
    const x = input(4, 8, 1, 2);
    const doubled = tf.tidy(() => Object.fromEntries([...net.params].map(([k, v]) => [k, v.mul(1.1)])));
    const a = tf.tidy(() => net.forward(x, { training: true, params: doubled }).dataSync());
    for (const [k, v] of net.params) v.assign(doubled[k]!);
    const b = tf.tidy(() => net.forward(x, { training: true }).dataSync());
    expect(Array.from(a)).toEqual(Array.from(b));
    tf.dispose(Object.values(doubled));
    x.dispose();
    net.dispose();
  });

  it('eval mode uses the running averages, which training steps update', () => {
    const net = buildResNet({ depth: 8, width: 4, inChannels: 1, bn: 'all', seed: 4 });
    const x = tf.tidy(() => input(16, 8, 1, 3).mul(3).add(2));
    const before = net.state.get('stem.bn.mean')!.dataSync().slice();
    tf.tidy(() => net.forward(x, { training: true, updateStats: true }));
    const after = net.state.get('stem.bn.mean')!.dataSync();
    expect(Array.from(before)).toEqual(Array.from(before).map(() => 0));
    expect(after.some((v) => Math.abs(v) > 1e-3)).toBe(true);
    x.dispose();
    net.dispose();
  });
  it('loss and every parameter gradient on wasm (fast conv, shortcut and BN paths) equal tf autodiff on the cpu backend', async () => {
    // odd sides exercise the stride-2 geometry of convs and shortcuts; every BN placement
    for (const bn of ['none', 'all', 'final'] as const) {
      await initBackend('cpu');
      const ref = await resnetLossAndGradients(bn);
      await initBackend('wasm');
      const err = gradientErrors(await resnetLossAndGradients(bn), ref);
      expect(err.loss).toBeLessThan(1e-4);
      expect(Object.keys(err.params).length).toBe(Object.keys(ref.grads).length);
      for (const [k, e] of Object.entries(err.params)) expect(e, `${bn}: ${k}`).toBeLessThan(1e-4);
    }
  });
});

describe('deep MLP', () => {
  it('builds depth-many dense layers and normalises hidden layers with bn=all', async () => {
    const net = buildMlp({ depth: 6, width: 32, inputs: 20, bn: 'all', seed: 0 });
    expect(net.layers).toHaveLength(6);
    const x = tf.randomNormal([64, 20], 0, 1, 'float32', 1);
    const m = (await activationMoments(net, x, { points: ['act:h5'] }))[0]!;
    const meanOfMeans = m.means.reduce((a, b) => a + b, 0) / m.means.length;
    expect(meanOfMeans).toBeGreaterThan(0.3);
    expect(meanOfMeans).toBeLessThan(0.5);
    x.dispose();
    net.dispose();
  });
});
