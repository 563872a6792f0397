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
 * Assertions (thresholds from the theory of sums of independent terms). Decisions of 2026-12-07
 * (issue 23), committed before the confirmatory runs at BN_SEED = 0, 1000, 2000 and a random base;
 * the calibration and the measured numbers are in docs/probe-claims.md, the verdict in
 * claims/baseline.json. Agreement with the theory's exponents is an equivalence test, TOST at 5 %
 * (the 90 % t-interval of the fitted log-log slope, 7 or 9 points, inside the margin), never "the
 * 95 % CI contains it", which fails 5 % of the time when the theory is exact and passes more
 * easily with noisier data (at one seed base the α slope 2.040 [2.001, 2.080] missed 2 by 0.001).
 * Margin ±0.1 on an exponent: for α a tenth of the smallest shift an error in the optimiser's path
 * makes (a rate applied twice: exponent 4; a rate not applied: 0; a decay term that does not
 * cancel: a flat floor), room enough for float32 rounding; for |B| the 1/|B| law to within
 * 10^(0.1 · 1.81) ≈ 1.5× across the grid 2 … 128, a fifth of the way to |B|^−1/2.
 *  - without BN (the loss is a mean of independent per-example terms, the bound's premise): the
 *    log-log slope of the noise, corrected for drawing without replacement by (N−1)/(N−|B|),
 *    against |B| is equivalent to −1 (90 % interval inside [−1.1, −0.9]); every measurement is
 *    under α²C/|B| within 3 standard errors of its mean (the expectation is below the bound,
 *    C/|B|·(N−|B|)/(N−1));
 *  - with BN: the noise shrinks with the batch (slope's 95 % CI below 0), the paper's qualitative
 *    statement; its ratio to α²C/|B| is reported, not asserted: the bound is not derived for a
 *    loss whose examples are coupled;
 *  - both nets: the log-log slope of the optimiser's deviation against α is equivalent to 2
 *    (90 % interval inside [1.9, 2.1]).
 * One net per base: the replication unit is the draws (40 per |B|, 20 per α); calibration seeds
 * 9000–9004 gave the chance that the TOSTs pass when the theory holds.
 */
import { config } from '../src/config';
import { noiseScaling, type NoiseMeasurement, type NoiseScaling } from '../src/probes/noise';
import { report } from '../src/report/judged';
import { claimData, dataName, disposing, makeResNet, probeBatch } from '../src/setup';
import { claim } from '../src/vitest/harness';
import { bound, GRIDS, judgeNoise, POOL, type Arm } from './sgd-noise-bound.judge';

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
    extra: { batchDraws: GRIDS.batchDraws, alphaDraws: GRIDS.alphaDraws, sampling: 'without replacement' },
  });

  const arms = {} as Record<Arm, NoiseScaling>;
  for (const bn of ['none', 'all'] as const) {
    // one after another: each measurement moves the net and restores it
    arms[bn] = await disposing(async (own) => {
      const { x, y } = own(probeBatch(train, POOL, seed));
      const net = own(makeResNet({ depth: 20, width: 4, bn, seed, data: train }));
      return noiseScaling(net, x, y, { ...GRIDS, seed, arm: bn === 'none' ? 0 : 1 });
    });
    c.log(`${ARM_NAME[bn]}: C = ${arms[bn].C.toExponential(3)}`);
  }
  const j = judgeNoise({ pool: POOL, arms });
  report(c, j);
  for (const k of j.checks) c.log(`${k.passed ? 'holds' : 'FAILS'}: ${k.description} (${k.detail ?? ''})`);

  const panels = (['none', 'all'] as const).flatMap((bn) => {
    const arm = ARM_NAME[bn];
    const { C, vsBatch, vsAlpha } = arms[bn];
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
      y: ms.map((m) => bound(m, C)),
      dashed: true,
    });
    return [
      {
        title: `${arm}: α = ${GRIDS.fixedAlpha}`,
        series: [band(vsBatch, 'batchSize'), boundLine(vsBatch, 'batchSize')],
        xScale: 'log' as const,
        yScale: 'log' as const,
        xLabel: 'batch size |B|',
        yLabel: 'E‖α(g_B − g)‖²',
        legend: 'top-right' as const,
      },
      {
        title: `${arm}: |B| = ${GRIDS.fixedBatch}`,
        series: [band(vsAlpha, 'alpha'), boundLine(vsAlpha, 'alpha')],
        xScale: 'log' as const,
        yScale: 'log' as const,
        xLabel: 'step size α',
        yLabel: '‖θ_SGD − θ_GD‖²',
        legend: 'top-left' as const,
      },
    ];
  });
  c.figure({
    kind: 'lines',
    title: 'SGD noise against batch size and step size, real mini-batches',
    caption: `ResNet-20 width 4 at initialisation, ${dataName(train)}, pool of ${POOL}, drawn without replacement; band: ±2 SE`,
    panels,
  });
});
