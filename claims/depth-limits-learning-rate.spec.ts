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
 */
import { claim } from '../src/vitest/harness';
import { largestStableLr, type StabilityResult } from '../src/probes/stability';
import { logGrid } from '../src/probes/step-scan';
import { claimData, dataName, disposing, makeResNet, seeds } from '../src/setup';
import { config } from '../src/config';
import { spearman } from '../src/stats/correlation';
import { median } from '../src/stats/moments';

const DEPTHS = [8, 20, 32, 56, 110];
const GRID = logGrid(1e-3, 10, 13);
const STEPS = 50; // a rate is stable when the net survives 50 SGD steps (issue 11: 8 steps said little)

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

  const xs: number[] = [];
  const ys: number[] = [];
  for (const [depth, rs] of results)
    for (const r of rs) {
      xs.push(depth);
      ys.push(Math.log10(r.largestStable ?? GRID[0]! / 10 ** (1 / 3)));
    }
  const rho = spearman(xs, ys, { alternative: 'less' });
  const failures = [...results.values()].flat().flatMap((r) => r.trials.filter((t) => t.lr === r.smallestUnstable));
  const diverged = failures.filter((t) => t.diverged).length;
  const collapsed = failures.filter((t) => t.collapsed).length;
  c.stat('first unstable rates that diverged (count over seeds × depths)', diverged, {
    note: 'loss non-finite or above 100× its first value within the 50 steps',
  });
  c.stat('first unstable rates that collapsed (count over seeds × depths)', collapsed, {
    note: 'survived the 50 steps with logits identical for every input (every ReLU feeding the classifier dead)',
  });
  for (const depth of DEPTHS) {
    const first = results.get(depth)!.flatMap((r) => r.trials.filter((t) => t.lr === r.smallestUnstable));
    c.supportingStat(`ResNet-${depth}: first unstable rate diverged / collapsed (seeds)`, first.filter((t) => t.diverged).length, {
      note: `${first.filter((t) => t.diverged).length} diverged, ${first.filter((t) => t.collapsed).length} collapsed`,
    });
  }
  for (const depth of DEPTHS)
    c.stat(`ResNet-${depth}: largest stable lr (median over seeds)`, median(results.get(depth)!.map((r) => r.largestStable ?? 0)), {
      note: `first unstable: ${results
        .get(depth)!
        .map((r) => r.smallestUnstable?.toExponential(1) ?? 'none')
        .join(', ')}`,
    });
  c.stat('Spearman ρ(depth, log largest stable lr)', rho.statistic, { p: rho.p, paper: '< 0 (falls with depth)' });
  const everyDiverges = [...results.values()].flat().every((r) => r.smallestUnstable !== null);
  c.check('the grid is wide enough: every depth and seed becomes unstable (diverges or collapses) somewhere on it', everyDiverges);
  c.check(
    'Spearman ρ(depth, log largest stable lr) < 0 with one-sided p < 0.05',
    rho.statistic < 0 && rho.p < 0.05,
    `ρ = ${rho.statistic.toFixed(3)}, p = ${rho.p.toPrecision(3)}`,
  );

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
