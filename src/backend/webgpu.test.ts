/**
 * The WebGPU route, checked where it runs: a whole ResNet's loss and every parameter gradient on
 * webgpu (tfjs's own kernels and autodiff, BN none | all | final, odd image sizes) against the cpu
 * backend, the heavy-tailed-gradients claim's statistic at a tiny scale against wasm (through the
 * claim's own probe), and the probes and the training loop, which read asynchronously, against
 * wasm (values, and no tensor left behind on webgpu).
 * Runs when Dawn finds an adapter (on a CPU machine: Mesa ≥ 25 lavapipe, see .ci/run); skipped
 * with the reason otherwise. The adapter's helpers and the clear error need no adapter.
 */
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend, releaseBackend } from '.';
import { loadData } from '../data/load';
import { gradientErrors, resnetLossAndGradients } from '../nets/gradient-check';
import { buildResNet } from '../nets/resnet';
import { parameterGradients } from '../probes/gradients';
import { momentsAlongStep } from '../probes/interpolate';
import { activationMoments, pooledFeatures } from '../probes/moments';
import { flatGradient, miniBatchNoise, perExampleGradients, stepDeviation } from '../probes/noise';
import { inputDependence } from '../probes/output-gradients';
import { filterNormalisedSharpness } from '../probes/sharpness';
import { hasCollapsed, largestStableLr } from '../probes/stability';
import { stepSizeScan } from '../probes/step-scan';
import { excessKurtosis, std } from '../stats/moments';
import { constant } from '../train/schedule';
import { sliceToTensors } from '../train/tensors';
import { train } from '../train/train';
import { describeAdapter, isHardwareAdapter, missingVulkanParts, probeWebGpu, SYNC_READ_ERROR, worthProbingForGpu } from './webgpu';
import { systemPackage } from '../vitest/testing/system-package';
import { childEnv, setEnv } from '../config';

setEnv({ BN_QUIET: '1' });
const probe = await probeWebGpu();
const title = probe.ok ? `WebGPU on ${describeAdapter(probe.adapter)}` : `WebGPU (skipped: ${probe.why})`;
const hasAdapter = systemPackage('A WebGPU adapter', probe.ok, probe.ok ? '' : probe.why);
// the optional dependency itself absent (npm install --omit=optional): nothing of Dawn to test
const noPackage = !probe.ok && /optional package/.test(probe.why);

describe('WebGPU adapters', () => {
  it('counts software rasterisers and fallback adapters as no GPU', () => {
    const lavapipe = {
      vendor: 'mesa',
      architecture: 'software',
      device: 'llvmpipe-llvm-15-0-6-256-bits-',
      description: 'llvmpipe: Mesa 25.0.7',
      fallback: true,
    };
    expect(isHardwareAdapter(lavapipe)).toBe(false);
    expect(isHardwareAdapter({ ...lavapipe, architecture: '', fallback: false })).toBe(false); // the name says llvmpipe
    expect(isHardwareAdapter({ vendor: 'google', architecture: '', device: 'SwiftShader Device', description: '', fallback: false })).toBe(
      false,
    );
    expect(
      isHardwareAdapter({ vendor: 'nvidia', architecture: 'hopper', device: 'NVIDIA H200', description: 'NVIDIA H200', fallback: false }),
    ).toBe(true);
    expect(isHardwareAdapter({ vendor: 'nvidia', architecture: 'hopper', device: 'NVIDIA H200', description: '', fallback: true })).toBe(
      false,
    );
  });

  // where Linux has no GPU device, Dawn could offer at most a software adapter, which auto never takes
  const gpuNode = existsSync('/dev/nvidia0') || existsSync('/dev/dri');
  it.skipIf(process.platform !== 'linux' || gpuNode)('auto does not load Dawn on a Linux machine without a GPU device node', () => {
    expect(worthProbingForGpu()).toBe(false);
  });

  // Linux: elsewhere Dawn runs on Metal or D3D12, and VK_ICD_FILENAMES removes nothing
  it.skipIf(noPackage || process.platform !== 'linux')(
    'BN_BACKEND=webgpu without a Vulkan driver stops with one line naming what is missing',
    () => {
      // a child process: Dawn reads VK_ICD_FILENAMES once, when it first creates its instance
      const run = () =>
        execFileSync(
          'npx',
          [
            'tsx',
            '-e',
            "import('./src/backend/index.ts').then((m) => m.initBackend('webgpu')).then(() => process.exit(0), (e) => { console.log(String(e.message)); process.exit(3); })",
          ],
          {
            env: childEnv({ BN_QUIET: '1', VK_ICD_FILENAMES: '/nonexistent/no-driver.json' }),
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'ignore'],
          },
        );
      let out = '';
      try {
        run();
      } catch (e) {
        out = (e as { stdout: string }).stdout;
      }
      const lines = out.trim().split('\n');
      expect(lines).toHaveLength(1);
      // a fresh machine has no Vulkan loader either: then the line names both
      const loader = missingVulkanParts().some((m) => m.includes('loader'))
        ? 'the Vulkan loader \\(apt-get install libvulkan1\\) and '
        : '';
      expect(lines[0]).toMatch(
        new RegExp(
          `^BN_BACKEND=webgpu cannot start: Dawn found no WebGPU adapter: missing ${loader}a Vulkan driver \\(VK_ICD_FILENAMES=/nonexistent/no-driver.json names no existing file\\)`,
        ),
      );
      expect(lines[0]).toMatch(/mesa-vulkan-drivers/);
    },
    60_000,
  );
});

describe.skipIf(!hasAdapter)(title, () => {
  afterAll(() => releaseBackend());

  it('loss and every parameter gradient of a ResNet (BN none, all, final; 9x9 images) equal the cpu backend', async () => {
    for (const bn of ['none', 'all', 'final'] as const) {
      await initBackend('cpu');
      const ref = await resnetLossAndGradients(bn);
      await initBackend('webgpu');
      expect(tf.getBackend()).toBe('webgpu');
      const err = gradientErrors(await resnetLossAndGradients(bn), ref);
      expect(err.loss, `${bn}: loss`).toBeLessThan(1e-4);
      expect(Object.keys(err.params).length).toBe(Object.keys(ref.grads).length);
      for (const [k, e] of Object.entries(err.params)) expect(e, `${bn}: ${k}`).toBeLessThan(1e-4);
    }
  });

  it('eval-mode logits (BN from running averages) equal the cpu backend', async () => {
    const logits = async () => {
      const net = buildResNet({ depth: 8, width: 4, inChannels: 3, bn: 'all', seed: 5 });
      for (const [k, v] of net.state) v.assign(tf.fill(v.shape, k.endsWith('.mean') ? 0.3 : 2)); // not the identity map
      const out = tf.tidy(() => net.forward(tf.randomNormal([3, 9, 9, 3], 0, 1, 'float32', 2), { training: false }));
      const v = Array.from(await out.data());
      out.dispose();
      net.dispose();
      return v;
    };
    await initBackend('cpu');
    const ref = await logits();
    await initBackend('webgpu');
    const got = await logits();
    const scale = Math.max(...ref.map(Math.abs));
    expect(Math.max(...got.map((v, i) => Math.abs(v - ref[i]!))) / scale).toBeLessThan(1e-4);
  });

  it("heavy-tailed-gradients' statistic at a tiny scale (ResNet-20 width 4, 16 images 8x8) equals wasm's", async () => {
    // excess kurtosis and std of the gradient of layer 11's kernel, without and with BN: the
    // claim's statistic, through the claim's probe (parameterGradients, which reads asynchronously)
    const stat = async () => {
      const out: { kurtosis: number; std: number }[] = [];
      const x = tf.randomNormal([16, 8, 8, 3], 0, 1, 'float32', 7);
      const y = tf.tensor1d(
        Array.from({ length: 16 }, (_, i) => i % 10),
        'int32',
      );
      for (const bn of ['none', 'all'] as const) {
        const net = buildResNet({ depth: 20, width: 4, inChannels: 3, bn, seed: 3 });
        const name = net.layers.find((l) => l.depth === 11)!.weight;
        const v = (await parameterGradients(net, x, y, [name]))[name]!;
        net.dispose();
        out.push({ kurtosis: excessKurtosis(v), std: std(v) });
      }
      tf.dispose([x, y]);
      return out;
    };
    await initBackend('wasm');
    const ref = await stat();
    await initBackend('webgpu');
    const got = await stat();
    for (let i = 0; i < 2; i++) {
      expect(Math.abs(got[i]!.kurtosis - ref[i]!.kurtosis)).toBeLessThan(1e-3 * Math.max(1, Math.abs(ref[i]!.kurtosis)));
      expect(Math.abs(got[i]!.std - ref[i]!.std)).toBeLessThan(1e-4 * ref[i]!.std);
    }
  });

  it('the probes and the training loop run on webgpu and agree with wasm; no tensor is left behind', async () => {
    // ResNet-8 width 4 with BN, 8x8x1 synthetic images: every probe the claims use (gradients,
    // moments, moments along a step, pooled features, a step-size scan, the collapse check, output
    // gradients and concordance, the SGD-noise probes, the filter-normalised sharpness (2 directions, a 20 % step: at
    // initialisation the curvature is small, and a larger step keeps it well above float32's
    // resolution); the stability search), then 3 SGD steps and evaluation
    const ds = loadData({ kind: 'synthetic' }, { trainLimit: 48, testLimit: 16, seed: 0, synthetic: { height: 8, width: 8, channels: 1 } });
    const measure = async () => {
      const tensors = tf.memory().numTensors;
      const net = buildResNet({ depth: 8, width: 4, inChannels: 1, bn: 'all', seed: 3 });
      const { x, y } = sliceToTensors(ds.train, 0, 16);
      const grad = (await parameterGradients(net, x, y, ['s2b1.c1']))['s2b1.c1']!;
      const moments = await activationMoments(net, x, { points: ['block:s1b1', 'block:s3b1'] });
      const scan = await stepSizeScan(net, x, y, [1e-3, 1e-2, 1e-1]);
      const collapsed = await hasCollapsed(net, x);
      const dep = await inputDependence(net, x, y, 's2b1.c1');
      const sharp = await filterNormalisedSharpness(net, [{ x, y }], { directions: 2, epsilon: 0.2, seed: 1 });
      const along = await momentsAlongStep(net, x, y, 0.1, [0, 1], ['block:s2b1']);
      const pooled = await pooledFeatures(net, x);
      const pool = { x: x.slice([0, 0, 0, 0], [8, -1, -1, -1]) as tf.Tensor4D, y: y.slice([0], [8]) as tf.Tensor1D };
      const pe = await perExampleGradients(net, pool.x, pool.y);
      const full = await flatGradient(net, pool.x, pool.y);
      const noise = await miniBatchNoise(net, pool.x, pool.y, full, 0.1, 4, 2, 5);
      const deviation = await stepDeviation(net, pool.x, pool.y, 0.1, 4, 2, 5, { momentum: 0.9, weightDecay: 5e-4 });
      tf.dispose([x, y, pool.x, pool.y]);
      const stable = await largestStableLr(net, ds.train, { grid: [1e-2, 1e2, 1e5], steps: 3, batchSize: 16, seed: 0 });
      const r = await train(net, ds, { epochs: 1, batchSize: 16, maxSteps: 3, schedule: constant(0.05), seed: 0, progress: false });
      net.dispose();
      return {
        leaked: tf.memory().numTensors - tensors,
        collapsed,
        // compared exactly: which rates were tried, which diverged or collapsed, and the answer
        trials: [stable.largestStable, stable.smallestUnstable, ...stable.trials.map((t) => [t.lr, t.diverged, t.collapsed])],
        // compared group by group, relative to the group's largest value
        groups: {
          gradient: Array.from(grad),
          moments: moments.flatMap((m) => [...m.means, ...m.stds]),
          scan: [scan.loss0, scan.gradNorm, ...scan.relative],
          outputGradients: Array.from(dep.output.matrix),
          concordance: [dep.concordance.perExampleMedianRatio, dep.concordance.medianRatio],
          sharpness: [sharp.loss, ...sharp.perDirection],
          alongStep: [...along.relativeLoss, ...along.moments.flatMap((row) => row.flatMap((m) => [...m.means, ...m.stds]))],
          pooled: [pooled.deadShare, pooled.meanNorm],
          noise: [pe.C, noise.measured, deviation.measured],
          stability: stable.trials.map((t) => (Number.isFinite(t.finalLoss) ? t.finalLoss : 0)),
          training: [...r.losses, r.final.trainLoss, r.final.testLoss!],
        } as Record<string, number[]>,
        // one image of 16 either way (a near tie of two logits may fall differently)
        accuracies: [r.final.trainAcc, r.final.testAcc!],
      };
    };
    await initBackend('wasm');
    const ref = await measure();
    await initBackend('webgpu');
    const got = await measure();
    expect(got.leaked, 'tensors left on webgpu').toBe(0);
    expect(got.collapsed).toBe(ref.collapsed);
    expect(got.trials).toEqual(ref.trials);
    // measured on lavapipe: at most 2e-6 of the group's scale, 6e-5 for the sharpness (finite differences)
    for (const [k, r] of Object.entries(ref.groups)) {
      const g = got.groups[k]!;
      expect(g, k).toHaveLength(r.length);
      const scale = Math.max(...r.map(Math.abs));
      expect(scale, `${k}: a vacuous comparison`).toBeGreaterThan(0);
      expect(Math.max(...g.map((v, i) => Math.abs(v - r[i]!))) / scale, `${k}: ${g.join(' ')} vs ${r.join(' ')}`).toBeLessThan(1e-3);
    }
    got.accuracies.forEach((a, i) => expect(Math.abs(a - ref.accuracies[i]!)).toBeLessThanOrEqual(1 / 16 + 1e-9));
  });

  it('a synchronous read on webgpu fails with one line saying to read asynchronously', async () => {
    await initBackend('webgpu');
    const t = tf.matMul(tf.ones([64, 64]), tf.ones([64, 64])); // on the GPU (small ops may run on the CPU)
    expect(() => t.dataSync()).toThrow(SYNC_READ_ERROR);
    expect((await t.data()).every((v) => v === 64)).toBe(true);
    t.dispose();
  });
});
