/**
 * The bench's workloads and how one is timed: the cases (the nets the claims train, and the
 * training claims' own, from TRAINING_SCALES), a time-boxed run of the claims' training step on
 * the active backend, and the process's resident memory sampled per row.
 */
import * as tf from '@tensorflow/tfjs';
import { forwardFlopsPerImage } from '../../src/nets/flops';
import { buildResNet } from '../../src/nets/resnet';
import type { BnPlacement } from '../../src/nets/types';
import type { AdapterSummary } from '../../src/backend/webgpu';
import { TRAINING_SCALES } from '../../src/profile';
import { PAPER_SGD } from '../../src/train/recipe';
import { Sgd } from '../../src/train/sgd';
import { trainStep } from '../../src/train/train';

export interface Case {
  name: string;
  depth: number;
  width: number;
  hw: number;
  channels: number;
  bn: BnPlacement;
  microBatch?: number;
  batch?: number;
  /** timed in PyTorch too (scripts/bench/torch-step.py), for the ratio */
  torch?: boolean;
}
/**
 * The training claims' own workloads (TRAINING_SCALES: net, width, batch, Fashion-MNIST at 14x14),
 * each arm they train, once per distinct scale (smoke and full train the same net at the same
 * batch: one row, labelled with both).
 */
function trainingCases(): Case[] {
  const byScale = new Map<string, { profiles: string[]; depth: number; width: number; batch: number }>();
  for (const p of ['smoke', 'full'] as const) {
    const S = TRAINING_SCALES[p];
    const key = `${S.depth}|${S.width}|${S.batch}`;
    const e = byScale.get(key) ?? { profiles: [], depth: S.depth, width: S.width, batch: S.batch };
    e.profiles.push(p);
    byScale.set(key, e);
  }
  return [...byScale.values()].flatMap((S) =>
    (['all', 'none', 'final'] as const).map((bn): Case => ({
      name: `${S.profiles.join(', ')}: ResNet-${S.depth} w${S.width} 14x14 bn=${bn}`,
      depth: S.depth,
      width: S.width,
      hw: 14,
      channels: 1,
      bn,
      batch: S.batch,
      torch: bn !== 'final',
    })),
  );
}
export const CASES: Case[] = [
  { name: 'ResNet-20 32x32x3', depth: 20, width: 16, hw: 32, channels: 3, bn: 'all', torch: true },
  { name: 'ResNet-20 28x28x1', depth: 20, width: 16, hw: 28, channels: 1, bn: 'all' },
  // batch 128 of ResNet-56 needs ~6 GiB of activations, over the wasm heap's 4 GiB: 4 × 32 accumulated
  { name: 'ResNet-56 32x32x3', depth: 56, width: 16, hw: 32, channels: 3, bn: 'all', microBatch: 32 },
  ...trainingCases(),
  // the training claims' net at twice the width: the convolutions weigh more against BN
  ...(['all', 'none'] as const).map((bn): Case => ({
    name: `ResNet-56 w8 14x14 bn=${bn}`,
    depth: 56,
    width: 8,
    hw: 14,
    channels: 1,
    bn,
    batch: 64,
    torch: true,
  })),
];
export const BATCH = 128;

export interface Result {
  case: string;
  backend: string;
  batch: number;
  steps: number;
  secondsPerStep: number;
  imagesPerSecond: number;
  gflops: number;
  rowPeakRssMiB?: number;
  params?: number;
  adapter?: AdapterSummary;
}
/**
 * The pure-JS cpu backend takes many minutes for one ResNet-20 28x28 step at batch 128: it is
 * timed at batch 16, where its images/s are the same (docs/measurements.md), so the comparison
 * takes ~2 minutes.
 */
export const CPU_BATCH = 16;

let peakRss = process.memoryUsage().rss;
// the largest resident size sampled during the current row (after its warm-up and each step)
let rowPeak = 0;
// maxRSS (KiB) is the true peak of the process, not just what the samples after each step saw
export const truePeak = () => Math.max(peakRss, process.resourceUsage().maxRSS * 1024);
const sampleRss = () => {
  const rss = process.memoryUsage().rss;
  peakRss = Math.max(peakRss, rss);
  rowPeak = Math.max(rowPeak, rss);
};

/**
 * The claims' training step: forward, backward, the loss and count read back (which waits for a
 * GPU to finish the pass), the momentum update. Micro-batches only where the case asks for them
 * (they exist for the wasm heap's 4 GiB), so never on webgpu.
 */
async function step(
  net: ReturnType<typeof buildResNet>,
  opt: Sgd,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  microBatch: number | undefined,
): Promise<void> {
  await trainStep(net, opt, x, y, 0.01, { microBatch });
}

export async function timeSteps(
  c: Case,
  steps: number,
  timeBoxSeconds: number,
  batch = BATCH,
  microBatch = c.microBatch,
): Promise<{ secondsPerStep: number; steps: number; flopsPerStep: number; batch: number; rowPeakRssMiB: number; params: number }> {
  rowPeak = 0;
  const net = buildResNet({ depth: c.depth, width: c.width, inChannels: c.channels, bn: c.bn, seed: 0 });
  const opt = new Sgd(net.params, net.decayed, PAPER_SGD);
  const x = tf.randomNormal([batch, c.hw, c.hw, c.channels], 0, 1, 'float32', 1) as tf.Tensor4D;
  const y = tf.tensor1d(
    Int32Array.from({ length: batch }, (_, i) => i % 10),
    'int32',
  );
  const flopsPerStep = 3 * batch * forwardFlopsPerImage(net, [c.hw, c.hw, c.channels]);
  const params = [...net.params.values()].reduce((a, v) => a + v.size, 0);
  const warm = performance.now();
  await step(net, opt, x, y, microBatch); // warm-up (kernel compilation, allocations)
  sampleRss();
  const warmSeconds = (performance.now() - warm) / 1000;
  const n = warmSeconds > timeBoxSeconds ? 0 : Math.max(1, Math.min(steps, Math.floor(timeBoxSeconds / warmSeconds)));
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    await step(net, opt, x, y, microBatch);
    sampleRss();
  }
  const secondsPerStep = n ? (performance.now() - t0) / 1000 / n : warmSeconds;
  x.dispose();
  y.dispose();
  opt.dispose();
  net.dispose();
  return { secondsPerStep, steps: n || 1, flopsPerStep, batch, rowPeakRssMiB: Math.round(rowPeak / 2 ** 20), params };
}
