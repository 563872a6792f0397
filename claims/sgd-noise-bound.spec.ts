/**
 * sgd-noise-bound — paper §3.1 (figures/eq-sgd-noise-bound.png).
 * "The SGD step's deviation from the full gradient step obeys E‖α∇ℓ(x) − α∇_SGD(x)‖² ≤ α²C/|B|,
 *  C the variance of one example's gradient: noise grows with α and shrinks with batch size."
 *
 * Experiment: an unnormalised ResNet-20 (width 4) at initialisation, a pool of 256 training
 * images; per-example gradients g_i, the full gradient g = mean g_i and C = mean ‖g_i − g‖². For
 * step sizes α and batch sizes |B| drawn by fast-check (log-uniform, seeded by BN_SEED), the noise
 * E‖α(g_B − g)‖² is measured over 200 mini-batches drawn with replacement (then its expectation
 * is exactly α²C/|B|) and without replacement (expectation α²C/|B|·(N−|B|)/(N−1), below it).
 * g_B is the mean of the drawn g_i, exact for a net without BN.
 * Assertions:
 *  - at fixed α, the log-log slope of the noise against |B| has a 95 % CI containing −1;
 *  - at fixed |B|, the log-log slope of the noise against α has a 95 % CI containing 2;
 *  - every measurement stays under α²C/|B| within the stated tolerance: 3 standard errors of its
 *    Monte-Carlo mean (with replacement the bound is met with equality in expectation, so a mean
 *    over 200 draws exceeds it by more than 3 SE with probability ≈ 0.1 %).
 * Last evidence (smoke, BN_SEED=0, 2026-12-01, wasm): holds. Log-log slope −0.993 [−1.011, −0.975]
 *  against |B| and 2.000 [1.992, 2.008] against α; measured / bound 1.006 with replacement (0.95
 *  without); largest excess over α²C/|B| 1.85 standard errors.
 */
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { claim } from '../src/report/harness';
import { perExampleGradients, sgdNoise, type NoiseMeasurement } from '../src/probes/noise';
import { claimData, dataName, makeResNet, probeBatch } from '../src/setup';
import { config } from '../src/config';
import { linearFit } from '../src/stats/ols';

const POOL = 256;
const DRAWS = 200;
const PAIRS = 12;
const FIXED_ALPHA = 0.1;
const FIXED_BATCH = 16;

claim({ id: 'sgd-noise-bound', title: 'SGD noise obeys E‖α(g_B − g)‖² ≤ α²C/|B|: it grows with α and shrinks with batch size', paper: '§3.1' }, async (c) => {
  const { train } = claimData({ trainLimit: 2000 });
  c.data(dataName(train));
  const seed = config().seed;
  c.scale({ model: 'ResNet-20 (no BN)', depth: 20, width: 4, images: POOL, seeds: 1, extra: { draws: DRAWS, pairs: 2 * PAIRS } });

  const net = makeResNet({ depth: 20, width: 4, bn: 'none', seed, data: train });
  const { x, y } = probeBatch(train, POOL, seed);
  const pe = perExampleGradients(net, x, y);
  tf.dispose([x, y]);
  net.dispose();
  c.stat('C = mean ‖g_i − g‖² (per-example gradient variance)', pe.C);
  c.stat('parameters', pe.dim);

  // (α, |B|) drawn by fast-check, log-uniform, reproducible from BN_SEED
  const logUniform = (lo: number, hi: number) => fc.double({ min: Math.log(lo), max: Math.log(hi), noNaN: true }).map(Math.exp);
  const batchSizes = fc.sample(logUniform(1, 128).map((b) => Math.max(1, Math.round(b))), { numRuns: PAIRS, seed });
  const alphas = fc.sample(logUniform(1e-4, 1), { numRuns: PAIRS, seed: seed + 1 });

  const vsBatch = batchSizes.map((b, i) => sgdNoise(pe, FIXED_ALPHA, b, DRAWS, seed * 100 + i, true));
  const vsAlpha = alphas.map((a, i) => sgdNoise(pe, a, FIXED_BATCH, DRAWS, seed * 100 + 50 + i, true));
  const noReplacement = batchSizes.map((b, i) => sgdNoise(pe, FIXED_ALPHA, b, DRAWS, seed * 100 + 80 + i, false));

  const fitB = linearFit(vsBatch.map((m) => Math.log(m.batchSize)), vsBatch.map((m) => Math.log(m.measured)));
  const fitA = linearFit(vsAlpha.map((m) => Math.log(m.alpha)), vsAlpha.map((m) => Math.log(m.measured)));
  c.stat('log-log slope of the noise against |B|', fitB.slope, { ci: fitB.slopeCi, paper: '−1 (α²C/|B|)' });
  c.stat('log-log slope of the noise against α', fitA.slope, { ci: fitA.slopeCi, paper: '2 (α²C/|B|)' });
  c.check('at fixed α the log-log slope against |B| has a 95 % CI containing −1', fitB.slopeCi[0] <= -1 && -1 <= fitB.slopeCi[1], `[${fitB.slopeCi.map((v) => v.toFixed(3)).join(', ')}]`);
  c.check('at fixed |B| the log-log slope against α has a 95 % CI containing 2', fitA.slopeCi[0] <= 2 && 2 <= fitA.slopeCi[1], `[${fitA.slopeCi.map((v) => v.toFixed(3)).join(', ')}]`);

  const all = [...vsBatch, ...vsAlpha, ...noReplacement];
  const excess = (m: NoiseMeasurement) => (m.measured - m.bound) / m.stderr;
  const worst = Math.max(...all.map(excess));
  const ratio = (ms: NoiseMeasurement[]) => ms.reduce((a, m) => a + m.measured / m.bound, 0) / ms.length;
  c.stat('measured / bound, with replacement (mean over pairs)', ratio([...vsBatch, ...vsAlpha]), { paper: '≤ 1 (= 1 in expectation)' });
  c.stat('measured / bound, without replacement (mean over pairs)', ratio(noReplacement), { paper: '≤ 1' });
  c.stat('largest excess over the bound, in standard errors', worst);
  c.check('every measurement stays under α²C/|B| within 3 standard errors', worst <= 3, `largest excess ${worst.toFixed(2)} SE`);

  const series = (ms: NoiseMeasurement[], key: 'batchSize' | 'alpha') => {
    const sorted = [...ms].sort((a, b) => a[key] - b[key]);
    return [
      { name: 'measured', x: sorted.map((m) => m[key]), y: sorted.map((m) => m.measured), lo: sorted.map((m) => Math.max(m.measured - 2 * m.stderr, 1e-300)), hi: sorted.map((m) => m.measured + 2 * m.stderr) },
      { name: 'bound α²C/|B|', x: sorted.map((m) => m[key]), y: sorted.map((m) => m.bound), dashed: true },
    ];
  };
  c.figure({
    kind: 'lines',
    title: 'SGD noise E‖α(g_B − g)‖² against batch size and step size',
    caption: `ResNet-20 width 4 (no BN) at initialisation, ${dataName(train)}, pool of ${POOL}; band: ±2 SE over ${DRAWS} draws`,
    panels: [
      { title: `α = ${FIXED_ALPHA}`, series: series(vsBatch, 'batchSize'), xScale: 'log', yScale: 'log', xLabel: 'batch size |B|', yLabel: 'noise', legend: 'top-right' },
      { title: `|B| = ${FIXED_BATCH}`, series: series(vsAlpha, 'alpha'), xScale: 'log', yScale: 'log', xLabel: 'step size α', yLabel: 'noise', legend: 'top-left' },
    ],
  });
});
