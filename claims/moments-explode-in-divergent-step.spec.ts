/**
 * moments-explode-in-divergent-step — paper Fig. 3.
 * "During a diverging update of the unnormalised net, channel means and variances blow up in the
 *  later layers, not the early ones." Paper: interpolating the step 0→100 %: layer 8 means ~1,
 *  variances ~1; layer 44 means ~3e3, variances ~5e6; layer 80 means ~3e8, variances ~5e16.
 *
 * Experiment: for each seed, the unnormalised ResNet-110 at initialisation and one batch; the
 * diverging step is the gradient step of size α*, the smallest α on a coarse grid (1e-4…1, 2 per
 * decade) whose relative loss exceeds 1e3. Along θ + t·Δ (Δ = −α*·g, t = 0, 0.1, …, 1) the channel
 * means and variances of every residual block's output (layers 3, 5, …, 109). The BN network
 * (same seed) is moved along its own gradient step of the same size α*.
 * Assertions (every seed; fixed before the confirmatory runs at BN_SEED = 0, 1000, 2000):
 *  - without BN the end-of-step variance (mean over channels) grows with depth: per seed the
 *    Spearman ρ over the 54 probed layers, and across seeds a one-sided t-test of the mean of
 *    Fisher's z = atanh ρ > 0 at p < 0.01 (the statement's "later, not earlier", for the population
 *    of initialisations). History: the first version asked ρ > 0.8 in every seed, a number with no
 *    source, beside an observed 0.81; the next asked ρ > 0 with p < 0.01 in every seed, and at
 *    BN_SEED=2000 one net of five had ρ = 0.03 (0.80–0.97 for the others). The level did not move;
 *    all three bases were re-run with this test.
 *  - the deepest probed layer's end-of-step variance exceeds the shallowest's by at least 1e4
 *    (the paper's smallest such gap is ~5e6, layer 44 against layer 8);
 *  - with BN, along a step of the same size, every probed layer's variance stays within 10× of its
 *    value at the start of the step (an order of magnitude; the paper's BN moments do not move).
 * Scale: smoke = ResNet-110 width 8, 14x14 Fashion-MNIST; paper = width 16, CIFAR-10; batch 128 (the paper's) in both:
 * at batch 64 one seed's ρ fell to 0.76 (the per-layer variances are estimated from the batch).
 * Last evidence (smoke, 2026-12-02, wasm, after the one-RNG change c71b87a): UNSTABLE across
 *  seed bases, now the other way round: fails at BN_SEED = 0 (ρ per seed 0.986, 0.945, 0.883,
 *  0.997 and 0.272; p = 0.0113), holds at 1000 (p = 0.0002) and 2000 (p = 0.0021).
 * Before it (same day, the old generators): UNSTABLE across seed bases: holds at BN_SEED = 0 and
 *  1000, fails at 2000. Spearman ρ per seed 0.81–0.99 at 0 and 1000 (Fisher-z t p = 0.002 each);
 *  at 2000 0.83, 0.97, 0.97, 0.80 and 0.03 (p = 0.014 > 0.01). The net of seed 2004 (α* 0.03)
 *  does blow up in its last blocks (end-of-step variance 9.5e2 and 8.6e6 in the last two probed
 *  groups, 0.25 at the start of the net) but its middle layers shrink along the step (down to
 *  0.02 from 1–8 at t = 0), so there is no monotone trend over the whole depth for ρ to see.
 *  A test of the statement as written ("later, not earlier": late layers against early ones, as
 *  the paper's layers 8, 44, 80) would pass there; it is left for a pre-registered next run,
 *  not swapped in after this one. Deepest / shallowest ≥ 1.7e8 and BN ≤ 2.9× at every base.
 */
import { claim } from '../src/vitest/harness';
import { momentsAlongStep, type StepInterpolation } from '../src/probes/interpolate';
import { logGrid, stepSizeScan } from '../src/probes/step-scan';
import { claimData, dataName, disposing, makeResNet, probeBatch, scale, seeds } from '../src/setup';
import { spearman } from '../src/stats/correlation';
import { meanAbove } from '../src/stats/t-test';
import { median } from '../src/stats/moments';

const TS = Array.from({ length: 11 }, (_, i) => i / 10);
const COARSE = logGrid(1e-4, 1, 9);

const meanVar = (stds: Float32Array) => stds.reduce((a, s) => a + s * s, 0) / stds.length;
const meanAbsMean = (means: Float32Array) => means.reduce((a, m) => a + Math.abs(m), 0) / means.length;

claim('moments-explode-in-divergent-step', async (c) => {
  const S = scale();
  const { train } = claimData({ trainLimit: 2000 });
  c.data(dataName(train));
  c.scale({
    model: `ResNet-${S.depth}`,
    depth: S.depth,
    width: S.width,
    images: S.batch,
    batch: S.batch,
    seeds: S.seeds,
    extra: { interpolation: '11 points', probe: 'residual block outputs', init: 'glorot' },
  });

  const rhos: number[] = [];
  const rhoPs: number[] = [];
  const spans: number[] = [];
  const bnWorst: number[] = [];
  const alphas: number[] = [];
  let figNone: StepInterpolation | undefined;
  let figBn: StepInterpolation | undefined;
  let depths: number[] = [];
  for (const seed of seeds()) {
    const { alpha, interpNone, interpBn } = await disposing(async (own) => {
      const { x, y } = own(probeBatch(train, S.batch, seed));
      const none = own(makeResNet({ bn: 'none', seed, data: train }));
      const points = none.probePoints.filter((p) => p.name.startsWith('block:'));
      depths = points.map((p) => p.depth);
      const scan = await stepSizeScan(none, x, y, COARSE);
      const alpha = scan.alphaStar ?? COARSE.at(-1)!;
      const interpNone = await momentsAlongStep(
        none,
        x,
        y,
        alpha,
        TS,
        points.map((p) => p.name),
      );
      const bn = own(makeResNet({ bn: 'all', seed, data: train }));
      const interpBn = await momentsAlongStep(
        bn,
        x,
        y,
        alpha,
        TS,
        points.map((p) => p.name),
      );
      return { alpha, interpNone, interpBn };
    });
    alphas.push(alpha);
    figNone ??= interpNone;
    figBn ??= interpBn;

    const endVar = interpNone.moments.at(-1)!.map((m) => meanVar(m.stds));
    const finite = endVar.map((v, i) => [depths[i]!, Number.isFinite(v) ? v : Number.MAX_VALUE] as const);
    const sp = spearman(
      finite.map((d) => d[0]),
      finite.map((d) => d[1]),
      { alternative: 'greater' },
    );
    rhos.push(sp.statistic);
    rhoPs.push(sp.p);
    spans.push(endVar.at(-1)! / endVar[0]!);
    const startBn = interpBn.moments[0]!.map((m) => meanVar(m.stds));
    const worst = Math.max(
      ...interpBn.moments.flatMap((row) =>
        row.map((m, j) => {
          const r = meanVar(m.stds) / startBn[j]!;
          return Math.max(r, 1 / r);
        }),
      ),
    );
    bnWorst.push(worst);
    c.log(
      `seed ${seed}: α* = ${alpha.toExponential(1)}, ρ = ${rhos.at(-1)!.toFixed(3)}, deepest/shallowest = ${spans.at(-1)!.toExponential(2)}, BN worst ratio ${worst.toFixed(2)}`,
    );
  }

  c.stat('diverging step α* (median over seeds)', median(alphas));
  // Fisher z across seeds (every seed alike, e.g. all perfectly monotone, is handled by meanAbove)
  const zTest = meanAbove(rhos.map((r) => Math.atanh(Math.max(-1 + 1e-12, Math.min(r, 1 - 1e-12)))));
  c.stat('Spearman ρ(depth, end-of-step variance), no BN (mean over seeds, via Fisher z)', Math.tanh(zTest.estimate), {
    p: zTest.p,
    paper: 'monotone: 1 → 5e6 → 5e16',
    note: `one-sided t on atanh ρ across seeds; per seed ρ ${rhos.map((r) => r.toFixed(3)).join(', ')} (p ${rhoPs.map((p) => p.toExponential(1)).join(', ')})`,
  });
  c.stat('end-of-step variance, deepest / shallowest layer, no BN (min over seeds)', Math.min(...spans), {
    paper: '~5e16 (layer 80 vs 8)',
  });
  c.stat('BN: largest factor a layer variance moves along the step (max over seeds)', Math.max(...bnWorst), { paper: 'stays normalised' });
  c.check(
    'without BN the end-of-step variance grows with depth: Spearman ρ > 0 across seeds, one-sided t on Fisher z, p < 0.01',
    zTest.p < 0.01,
    `p = ${zTest.p.toPrecision(3)}; per seed ρ ${rhos.map((r) => r.toFixed(3)).join(', ')}`,
  );
  c.check(
    'deepest probed layer exceeds the shallowest by ≥ 1e4 in every seed',
    spans.every((s) => s >= 1e4),
    `ratios ${spans.map((s) => s.toExponential(1)).join(', ')}`,
  );
  c.check(
    'with BN every probed layer stays within 10× of its start along a step of the same size',
    bnWorst.every((w) => w <= 10),
    `worst ${bnWorst.map((w) => w.toFixed(2)).join(', ')}`,
  );

  // Fig. 3: heat maps (layer × t) of log10 |mean| and log10 variance, no BN and BN, first seed
  const heat = (ip: StepInterpolation, f: (m: { means: Float32Array; stds: Float32Array }) => number) =>
    depths.map((_, j) => ip.moments.map((row) => f(row[j]!)));
  c.figure({
    kind: 'heatmap',
    title: `Channel moments along one gradient step of size α* (seed ${seeds()[0]})`,
    caption: `ResNet-${S.depth}, width ${S.width}, ${dataName(train)}; rows: residual block outputs (layer), columns: fraction of the step`,
    grid: { rows: ['without BN', 'with BN'], cols: ['log10 |mean|', 'log10 variance'] },
    panels: [
      {
        row: 'without BN',
        col: 'log10 |mean|',
        matrix: heat(figNone!, (m) => meanAbsMean(m.means)),
        transform: 'log10abs',
        xLabel: 'step fraction t',
        yLabel: 'layer',
        x0: 0,
        dx: 0.1,
        y0: depths[0],
        dy: 2,
      },
      {
        row: 'without BN',
        col: 'log10 variance',
        matrix: heat(figNone!, (m) => meanVar(m.stds)),
        transform: 'log10abs',
        xLabel: 'step fraction t',
        yLabel: 'layer',
        x0: 0,
        dx: 0.1,
        y0: depths[0],
        dy: 2,
      },
      {
        row: 'with BN',
        col: 'log10 |mean|',
        matrix: heat(figBn!, (m) => meanAbsMean(m.means)),
        transform: 'log10abs',
        xLabel: 'step fraction t',
        yLabel: 'layer',
        x0: 0,
        dx: 0.1,
        y0: depths[0],
        dy: 2,
      },
      {
        row: 'with BN',
        col: 'log10 variance',
        matrix: heat(figBn!, (m) => meanVar(m.stds)),
        transform: 'log10abs',
        xLabel: 'step fraction t',
        yLabel: 'layer',
        x0: 0,
        dx: 0.1,
        y0: depths[0],
        dy: 2,
      },
    ],
  });
});
