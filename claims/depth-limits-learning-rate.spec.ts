/**
 * depth-limits-learning-rate — paper §5.
 * "Shallower unnormalised ResNets tolerate larger learning rates than deep ones." Stated in the
 *  text: the largest stable lr falls as depth grows.
 *
 * Experiment: for each seed and depth 8, 20, 32, 56, 110, an unnormalised ResNet (Glorot) trained
 * from the same initialisation for 50 steps of SGD (momentum 0.9, batch 32 smoke / 128 paper) at
 * learning rates on a log grid 1e-3 … 10 (3 per decade); a rate is stable when the run neither
 * diverges (loss non-finite or above 100× its first value) nor collapses (logits identical for
 * every input: at smoke scale a too-large step kills every ReLU feeding the classifier instead of
 * overflowing, and the loss falls back to ≈ ln 10 — such a net cannot be trained at that rate). The largest stable rate is found by
 * bisection over the grid (stability taken as monotone in the rate), then refined once in log
 * space. The grid is wide enough that every depth diverges somewhere (checked).
 * Assertion: Spearman ρ(depth, log largest stable lr) over seeds × depths is < 0 with p < 0.05.
 * Divergence and collapse are recorded separately (counts over seeds × depths, and per depth).
 * Verdicts and numbers at each seed base, dated: docs/measurements.md; the baselines: claims/baseline*.json.
 * The judging: claims/depth-limits-learning-rate.judge.ts.
 */
import { claim } from '../src/vitest/harness';
import { largestStableLr, type StabilityResult } from '../src/probes/stability';
import { report } from '../src/report/judged';
import { claimData, dataName, disposing, makeResNet, seeds } from '../src/setup';
import { config } from '../src/config';
import { DEPTHS, GRID, judgeDepthLimits, runOf, STEPS } from './depth-limits-learning-rate.judge';

claim('depth-limits-learning-rate', async (c) => {
  const paper = config().profile === 'paper';
  const width = paper ? 16 : 4;
  const batch = paper ? 128 : 32;
  const steps = STEPS;
  const { train } = claimData({ trainLimit: 2000 });
  c.data(dataName(train));
  c.scale({
    model: 'ResNet (no BN)',
    width,
    batch,
    seeds: seeds().length,
    extra: { depths: DEPTHS.join(', '), steps, grid: '1e-3…10, 3 per decade' },
  });

  const results = new Map<number, StabilityResult[]>();
  for (const seed of seeds()) {
    for (const depth of DEPTHS) {
      const r = await disposing(async (own) => {
        const net = own(makeResNet({ depth, width, bn: 'none', seed, data: train }));
        return largestStableLr(net, train, { grid: GRID, steps, batchSize: batch, seed, bisections: 1, weightDecay: 0 });
      });
      results.set(depth, [...(results.get(depth) ?? []), r]);
      const why = r.trials.find((t) => t.lr === r.smallestUnstable);
      c.log(
        `seed ${seed}, ResNet-${depth}: largest stable lr ${r.largestStable?.toExponential(2) ?? 'none'} (first unstable ${r.smallestUnstable?.toExponential(2) ?? 'none'}${why ? (why.diverged ? ', diverged' : ', collapsed') : ''}; ${r.trials.length} trials)`,
      );
    }
  }

  report(c, judgeDepthLimits(DEPTHS.map((depth) => ({ depth, runs: results.get(depth)!.map(runOf) }))));

  c.figure({
    kind: 'lines',
    title: 'Largest stable learning rate of unnormalised ResNets against depth',
    caption: `width ${width}, batch ${batch}, ${steps} SGD steps per trial, ${dataName(train)}; one line per seed`,
    panels: [
      {
        series: seeds().map((s, i) => ({ name: `seed ${s}`, x: DEPTHS, y: DEPTHS.map((d) => results.get(d)![i]!.largestStable ?? NaN) })),
        xScale: 'log',
        yScale: 'log',
        xLabel: 'depth',
        yLabel: 'largest stable learning rate',
        legend: 'top-right',
      },
    ],
  });
});
