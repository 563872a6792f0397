/**
 * moments-explode-in-divergent-step — paper Fig. 3.
 * "During a diverging update of the unnormalised net, channel means and variances blow up in the
 *  later layers, not the early ones." Paper: interpolating the step 0→100 %: layer 8 means ~1,
 *  variances ~1; layer 44 means ~3e3, variances ~5e6; layer 80 means ~3e8, variances ~5e16.
 *
 * Decisions (2026-12-07, issue 23; committed before the confirmatory runs at BN_SEED = 0, 1000,
 * 2000 and a random base; the reasons, the calibration and the measured numbers are in
 * docs/probe-claims.md, the verdicts in claims/baseline.json):
 *  - What Fig. 3 shows is growth *during* the step at the paper's layers, so that is measured, not
 *    the end-of-step profile over depth (which also carries the initialisation's own growth with
 *    depth, Fig. 5). Per seed: the unnormalised ResNet-110 (Glorot) at initialisation, one batch
 *    of 128; the step Δ = −α·g with α the first of a grid of 4 per decade (1e-4 … 1) whose
 *    relative loss is above 1e6 (the top of Fig. 2's no-BN axis: a step the paper shows as
 *    diverging, not the marginal α* at 1e3). Precondition: most seeds have one (one-sided exact
 *    binomial test of a share above ½ at 5 %: 15 of 20); the others are named and left out. (Until
 *    the protocol fix of 2026-12-07, below, every seed had to.)
 *  - Where: the raw outputs of the convolutions at the paper's depths 8, 44, 80 (`conv:s1b4.c1`,
 *    `conv:s2b4.c1`, `conv:s3b4.c1`), before BN and ReLU (the paper's means are signed), along
 *    θ + t·Δ at t = 0, ½, 1 (every tenth for the first seed, the figure).
 *  - Statistic: g_l = log10(v_l(1)/v_l(0)), v = mean over channels of the channel variance; a
 *    variance that overflows float32 counts as 3.4e38 (a lower bound of the growth).
 *  - Assertions, one-sided t across seeds at 5 % (an intersection–union test: all must hold):
 *     1. layer 80 blows up: the 95 % lower confidence bound of mean g_80 above 3 decades (the
 *        paper's divergence factor 1e3; Fig. 3 shows ≈ 15 decades at layer 80, ≈ 7 at 44);
 *     2. not the early layer: paired by seed, the 95 % lower bound of mean(g_80 − g_8) above 3
 *        decades (the same factor; Fig. 3's layer 8 ends where it started);
 *     3. with BN, along its own gradient step of the same α, at the same three layers (conv
 *        outputs before BN, which BN does not fix by construction): per seed the largest
 *        |log10 v_l(t)/v_l(0)| over layers and t; the 95 % upper bound of its mean below 1 decade.
 *  - Layer 44 gets the same statistics, recorded, not asserted: on calibration seeds 9000–9009
 *    its growth over layer 8 sat at the threshold (2.9 ± 3.7 decades, mean ± sd), so no
 *    affordable seed count decides it (the section-1 plan asserted it; revised after calibration,
 *    before any confirmatory run). Also recorded: the growth of |mean|, the variance at t = 0
 *    (the initialisation's profile), the last block output's growth, and the previous statistic,
 *    Spearman ρ of the end-of-step block-output variance against depth.
 *  - Seeds: 20, the power calculation on the calibration spread at power 0.95 (assertion 2:
 *    6.5 ± 4.5 decades against the threshold 3 gives n = 20; assertion 1 needs 13).
 * Protocol fix (2026-12-07, after the first confirmatory run, committed before the rerun at every
 *  base): the precondition asked a diverging step in every one of the 20 seeds, a conjunction over
 *  seeds that gets harder with every seed (DESIGN.md: a share fixed in advance, with its test); at
 *  BN_SEED = 0 one seed of 20 had none up to α = 1 and the verdict was inconclusive. Now a share,
 *  as above. No statistic, threshold or seed count changed (docs/probe-claims.md, section 5).
 * Scale: smoke = ResNet-110 width 8, 14x14 Fashion-MNIST; paper = width 16, CIFAR-10; batch 128.
 */
import { config } from '../src/config';
import { explosionAlongStep, type StepExplosion } from '../src/probes/divergent-step';
import type { StepInterpolation } from '../src/probes/interpolate';
import { report } from '../src/report/judged';
import { claimData, dataName, disposing, makeResNet, probeBatch, scale, seeds } from '../src/setup';
import { claim } from '../src/vitest/harness';
import {
  judgeMomentsExplode,
  LAYERS,
  MIN_RELATIVE_LOSS,
  N_SEEDS,
  STEP_GRID,
  TS,
  TS_JUDGED,
  type ExplodeSeed,
} from './moments-explode-in-divergent-step.judge';

claim('moments-explode-in-divergent-step', async (c) => {
  const S = scale();
  const n = config().seeds ?? N_SEEDS; // BN_SEEDS overrides it (quick runs), as for every claim
  const { train } = claimData({ trainLimit: 2000 });
  c.data(dataName(train));
  c.scale({
    model: `ResNet-${S.depth}`,
    depth: S.depth,
    width: S.width,
    images: S.batch,
    batch: S.batch,
    seeds: n,
    extra: { step: `first α with relative loss > ${MIN_RELATIVE_LOSS}`, layers: LAYERS.join(', '), probe: 'conv outputs', init: 'glorot' },
  });

  const rows: ExplodeSeed[] = [];
  let fig: StepExplosion | undefined;
  for (const [i, seed] of seeds(n).entries()) {
    const r = await disposing(async (own) => {
      const { x, y } = own(probeBatch(train, S.batch, seed));
      const none = own(makeResNet({ bn: 'none', seed, data: train }));
      const bn = own(makeResNet({ bn: 'all', seed, data: train }));
      return explosionAlongStep(none, bn, x, y, {
        grid: STEP_GRID,
        minRelativeLoss: MIN_RELATIVE_LOSS,
        ts: i === 0 ? TS : TS_JUDGED,
        depths: LAYERS,
      });
    });
    if (i === 0) fig = r;
    rows.push({ seed, alpha: r.alpha, relativeLoss: r.relativeLoss, none: r.none, bn: r.bn, blocks: r.blocks });
    const g = (d: number) => {
      const v = r.none.find((t) => t.depth === d)?.variance;
      return v ? Math.log10(v.at(-1)! / v[0]!).toFixed(1) : '–';
    };
    c.log(
      `seed ${seed}: α = ${r.alpha?.toExponential(1) ?? 'none'} (relative loss ${r.relativeLoss?.toExponential(1) ?? '–'}), growth of the variance in decades at layers ${LAYERS.join(', ')}: ${LAYERS.map(g).join(', ')}`,
    );
  }

  const j = judgeMomentsExplode(rows);
  c.require(
    'a step whose relative loss exceeds 1e6 exists on the grid in most seeds (one-sided binomial test, p < 0.05); the others are left out',
    j.preconditions.step.met,
    j.preconditions.step.detail,
  );
  report(c, j);

  // Fig. 3: per layer, the channels (x) along the step (y, 0 % at the top), first seed
  if (fig?.interpNone && fig.interpBn) {
    const matrix = (ip: StepInterpolation, depth: number, what: 'means' | 'variances') => {
      const point = fig!.none.find((t) => t.depth === depth)!.point; // the same names in both nets
      return ip.moments.map((row) => {
        const m = row.find((cm) => cm.point === point)!;
        return what === 'means' ? Array.from(m.means) : Array.from(m.stds, (s) => s * s);
      });
    };
    const rowsOf = [
      { row: 'means, without BN', ip: fig.interpNone, what: 'means' as const },
      { row: 'variances, without BN', ip: fig.interpNone, what: 'variances' as const },
      { row: 'variances, with BN', ip: fig.interpBn, what: 'variances' as const },
    ];
    c.figure({
      kind: 'heatmap',
      title: `Channel moments along one diverging gradient step (seed ${seeds(n)[0]}, α = ${fig.alpha?.toExponential(1)})`,
      caption: `ResNet-${S.depth}, width ${S.width}, ${dataName(train)}; conv outputs at layers ${LAYERS.join(', ')}; rows of a panel: % of the step (0 at the top), columns: channels`,
      grid: { rows: rowsOf.map((r) => r.row), cols: LAYERS.map((d) => `layer ${d}`) },
      panels: rowsOf.flatMap(({ row, ip, what }) =>
        LAYERS.map((d) => ({
          row,
          col: `layer ${d}`,
          matrix: matrix(ip, d, what),
          symmetric: what === 'means',
          xLabel: 'channel',
          yLabel: '% of step',
          x0: 0,
          dx: 1,
          y0: 0,
          dy: 100 / (TS.length - 1),
        })),
      ),
    });
  }
});
