/**
 * sgd-noise-bound — paper §3.1 (figures/eq-sgd-noise-bound.png).
 * "The SGD step's deviation from the full gradient step obeys E‖α∇ℓ(x) − α∇_SGD(x)‖² ≤ α²C/|B|,
 *  C the variance of one example's gradient: noise grows with α and shrinks with batch size."
 *
 * Experiment (src/probes/noise.ts): ResNet-20 width 4 with and without BN at initialisation, a
 * pool of N = 256 training images. g = the net's gradient on the whole pool (training mode);
 * g_B = the net's gradient on a real mini-batch of |B| images drawn from the pool without
 * replacement (with BN, training mode couples the examples through the batch statistics);
 * C = mean ‖g_i − ḡ‖² from per-example gradients, estimated independently of the mini-batches
 * (with BN: statistics held at the pool's). Grids are fixed and log-spaced: |B| = 2, 4, …, 128
 * at α = 0.1 (40 draws each), α = 10^-4 … 1 (9 points) at |B| = 16 (20 draws each).
 * The α-dependence is measured on real optimiser steps: one step of the project's SGD (momentum
 * 0.9, weight decay 5e-4, fresh state) on the mini-batch against the same step on the pool,
 * ‖θ_SGD − θ_GD‖². At a fixed θ that deviation is α(g_B − g) exactly, so the α check tests the
 * optimiser path (a learning rate applied twice, a schedule, a decay term that does not cancel),
 * not the paper; the empirical content is in |B| and in the bound's constant.
 * Assertions (fixed in advance; thresholds from the theory of sums of independent terms):
 *  - without BN (the loss is a mean of independent per-example terms, the bound's premise):
 *    the log-log slope of the noise, corrected for drawing without replacement by (N−1)/(N−|B|),
 *    against |B| has a 95 % CI containing −1; every measurement is under α²C/|B| within 3
 *    standard errors of its mean (the expectation is below the bound, C/|B|·(N−|B|)/(N−1));
 *  - with BN: the noise shrinks with the batch (slope CI below 0), the paper's qualitative
 *    statement; its ratio to α²C/|B| is reported, not asserted: the bound is not derived for a
 *    loss whose examples are coupled;
 *  - both nets: the log-log slope of the optimiser's deviation against α has a 95 % CI containing 2.
 * Last evidence (smoke, 2026-12-02, wasm): holds at BN_SEED = 0, 1000, 2000. Without BN the
 *  corrected log-log slope against |B| is −0.999 [−1.07, −0.93], −0.990, −1.002; measured / bound
 *  0.85, 0.86, 0.87 (0.50 at |B| = 128 of 256, drawing without replacement), largest excess over
 *  the bound 0.65, 0.68, 0.17 SE. With BN the noise shrinks as |B|^−1.09, −1.02, −1.06 and sits at
 *  0.39, 0.50, 0.36 of α²C/|B| (C from per-example gradients at frozen statistics, 1,200–1,400
 *  against 9–15 without BN: BN's coupling through the batch statistics removes most of that
 *  per-example variance). The optimiser's deviation scales as α^1.98 – α^2.02.
 */
import { claim } from '../src/vitest/harness';
import { miniBatchNoise, perExampleGradients, stepDeviation, flatGradient, type NoiseMeasurement } from '../src/probes/noise';
import { logGrid } from '../src/probes/step-scan';
import { claimData, dataName, disposing, makeResNet, probeBatch } from '../src/setup';
import { config } from '../src/config';
import { linearFit } from '../src/stats/ols';
import { deriveSeed } from '../src/rng';

const POOL = 256;
const BATCHES = [2, 4, 8, 16, 32, 64, 128];
const BATCH_DRAWS = 40;
const ALPHAS = logGrid(1e-4, 1, 9);
const ALPHA_DRAWS = 20;
const FIXED_ALPHA = 0.1;
const FIXED_BATCH = 16;
const SGD = { momentum: 0.9, weightDecay: 5e-4 };
type Arm = 'none' | 'all';
const ARM_NAME: Record<Arm, string> = { none: 'without BN', all: 'with BN' };

claim('sgd-noise-bound', async (c) => {
  const { train } = claimData({ trainLimit: 2000 });
  c.data(dataName(train));
  const seed = config().seed;
  c.scale({
    model: 'ResNet-20',
    depth: 20,
    width: 4,
    images: POOL,
    seeds: 1,
    extra: { batchDraws: BATCH_DRAWS, alphaDraws: ALPHA_DRAWS, sampling: 'without replacement' },
  });

  const fpc = (b: number) => (POOL - b) / (POOL - 1);
  const panels = [];
  for (const bn of ['none', 'all'] as const) {
    // one after another: each measurement moves the net and restores it
    const { pe, vsBatch, vsAlpha } = await disposing(async (own) => {
      const { x, y } = own(probeBatch(train, POOL, seed));
      const net = own(makeResNet({ depth: 20, width: 4, bn, seed, data: train }));
      const pe = await perExampleGradients(net, x, y);
      const full = await flatGradient(net, x, y);
      const vsBatch: NoiseMeasurement[] = [];
      for (const b of BATCHES)
        vsBatch.push(await miniBatchNoise(net, x, y, full, FIXED_ALPHA, b, BATCH_DRAWS, deriveSeed(seed, 0x5d, bn === 'none' ? 0 : 1, b)));
      const vsAlpha: NoiseMeasurement[] = [];
      for (const [i, a] of ALPHAS.entries())
        vsAlpha.push(await stepDeviation(net, x, y, a, FIXED_BATCH, ALPHA_DRAWS, deriveSeed(seed, 0xa1, bn === 'none' ? 0 : 1, i), SGD));
      return { pe, vsBatch, vsAlpha };
    });
    const bound = (m: NoiseMeasurement) => (m.alpha * m.alpha * pe.C) / m.batchSize;
    const arm = ARM_NAME[bn];

    c.stat(`C = mean ‖g_i − ḡ‖², ${arm}`, pe.C, {
      note: bn === 'all' ? "per-example gradients with BN statistics held at the pool's" : undefined,
    });
    const fitB = linearFit(
      vsBatch.map((m) => Math.log(m.batchSize)),
      vsBatch.map((m) => Math.log(m.measured / (bn === 'none' ? fpc(m.batchSize) : 1))),
    );
    const fitA = linearFit(
      vsAlpha.map((m) => Math.log(m.alpha)),
      vsAlpha.map((m) => Math.log(m.measured)),
    );
    const ratios = vsBatch.map((m) => m.measured / bound(m));
    c.stat(`log-log slope of the noise against |B|, ${arm}`, fitB.slope, {
      ci: fitB.slopeCi,
      paper: '−1 (α²C/|B|)',
      note: bn === 'none' ? 'corrected for drawing without replacement' : 'uncorrected',
    });
    c.stat(`log-log slope of the optimiser's deviation against α, ${arm}`, fitA.slope, { ci: fitA.slopeCi, paper: '2 (α²C/|B|)' });
    c.stat(`measured / (α²C/|B|), ${arm}, |B| = ${BATCHES[0]} … ${BATCHES.at(-1)}`, ratios.reduce((a, b) => a + b, 0) / ratios.length, {
      paper: '≤ 1',
      note: `per |B|: ${ratios.map((r) => r.toFixed(2)).join(', ')}`,
    });

    if (bn === 'none') {
      const worst = Math.max(...vsBatch.map((m) => (m.measured - bound(m)) / m.stderr));
      c.stat('largest excess over α²C/|B|, without BN, in standard errors', worst);
      c.check(
        'without BN the noise against |B| has a log-log slope whose 95 % CI contains −1',
        fitB.slopeCi[0] <= -1 && -1 <= fitB.slopeCi[1],
        `[${fitB.slopeCi.map((v) => v.toFixed(3)).join(', ')}]`,
      );
      c.check(
        'without BN every measurement stays under α²C/|B| within 3 standard errors',
        worst <= 3,
        `largest excess ${worst.toFixed(2)} SE`,
      );
    } else {
      c.check(
        'with BN the noise shrinks with the batch: log-log slope against |B| has a 95 % CI below 0',
        fitB.slopeCi[1] < 0,
        `[${fitB.slopeCi.map((v) => v.toFixed(3)).join(', ')}]`,
      );
    }
    c.check(
      `${arm}, the optimiser's deviation against α has a log-log slope whose 95 % CI contains 2`,
      fitA.slopeCi[0] <= 2 && 2 <= fitA.slopeCi[1],
      `[${fitA.slopeCi.map((v) => v.toFixed(3)).join(', ')}]`,
    );

    const band = (ms: NoiseMeasurement[], key: 'batchSize' | 'alpha') => ({
      name: `measured ${arm}`,
      x: ms.map((m) => m[key]),
      y: ms.map((m) => m.measured),
      lo: ms.map((m) => Math.max(m.measured - 2 * m.stderr, 1e-300)),
      hi: ms.map((m) => m.measured + 2 * m.stderr),
    });
    const boundLine = (ms: NoiseMeasurement[], key: 'batchSize' | 'alpha') => ({
      name: `α²C/|B| ${arm}`,
      x: ms.map((m) => m[key]),
      y: ms.map(bound),
      dashed: true,
    });
    panels.push(
      {
        title: `${arm}: α = ${FIXED_ALPHA}`,
        series: [band(vsBatch, 'batchSize'), boundLine(vsBatch, 'batchSize')],
        xScale: 'log' as const,
        yScale: 'log' as const,
        xLabel: 'batch size |B|',
        yLabel: 'E‖α(g_B − g)‖²',
        legend: 'top-right' as const,
      },
      {
        title: `${arm}: |B| = ${FIXED_BATCH}`,
        series: [band(vsAlpha, 'alpha'), boundLine(vsAlpha, 'alpha')],
        xScale: 'log' as const,
        yScale: 'log' as const,
        xLabel: 'step size α',
        yLabel: '‖θ_SGD − θ_GD‖²',
        legend: 'top-left' as const,
      },
    );
    c.log(
      `${arm}: C = ${pe.C.toExponential(3)}, slope vs |B| ${fitB.slope.toFixed(3)}, vs α ${fitA.slope.toFixed(3)}, measured/bound ${ratios.map((r) => r.toFixed(2)).join(' ')}`,
    );
  }

  c.figure({
    kind: 'lines',
    title: 'SGD noise against batch size and step size, real mini-batches',
    caption: `ResNet-20 width 4 at initialisation, ${dataName(train)}, pool of ${POOL}, drawn without replacement; band: ±2 SE`,
    panels,
  });
});
