/**
 * heavy-tailed-gradients — paper Fig. 4.
 * "At initialisation the unnormalised net's gradients are heavy-tailed and large; with BN they are
 *  small and near-Gaussian." Paper: layer 55 of ResNet-110; with BN within ±0.04, bell-shaped;
 *  without BN spread over ±4 with a spike at 0 and long tails (log y-axis needed).
 *
 * Experiment: for each seed, a ResNet-110 with and without BN (same seed, Glorot), one batch of
 * 128 images, the gradient of layer 55's kernel (a 3x3 conv in stage 2).
 * Assertions (fixed before the confirmatory runs at BN_SEED = 0, 1000, 2000):
 *  - excess kurtosis without BN > with BN in every seed, and a one-sided Mann–Whitney test
 *    across seeds gives p < 0.01 (5 vs 5 seeds: the smallest attainable p is 1/252 ≈ 0.004);
 *  - heavy-tailed against near-Gaussian, with one boundary from theory for both nets: the
 *    Laplace distribution's excess kurtosis, 3 (exponential tails; the Gaussian has 0). Without BN
 *    the median over seeds is above 3, with BN below it.
 *    (The previous version asserted the BN median ≤ 1.2, the logistic's, beside an observed 1.02
 *    (1.20 at BN_SEED=7). On 22 calibration seeds (9000–9011, 9100–9109;
 *    scripts/calibration/init-thresholds.ts) the BN kurtosis ranged 0.16–3.13 (median 0.81), so a
 *    median of five seeds crosses 1.2 often on the population's own spread; the no-BN kurtosis
 *    ranged 4.3–23.9 (median 11.9), so the no-BN side is now asserted too.)
 *  - gradient scale: the ratio of standard deviations without / with BN exceeds 10× (an order of
 *    magnitude; the paper's Fig. 4 shows ±4 against ±0.04, 100×) for the population of
 *    initialisations: the one-sided 95 % t lower bound of the mean log ratio over seeds is above
 *    ln 10. (Until the stability runs of 2026-12-02 this asked ≥ 10× in every seed, a minimum over
 *    seeds that falls as seeds are added; at BN_SEED=2000 one net of five had 7.9× against 42–662×
 *    for the others. The threshold, 10×, did not move; the two other bases were re-run.)
 * Reporting (2026-12-07, issue 23; no threshold changed): the record's "ci" of the std ratio was
 *  [t lower bound, largest seed], which is not an interval. The ratio is now the geometric mean
 *  over seeds with its two-sided 95 % t-interval, and the asserted quantity is a statistic of its
 *  own, named "one-sided 95 % lower confidence bound" (claims/heavy-tailed-gradients.judge.ts).
 * Scale: smoke = ResNet-110 width 8 on 14x14 Fashion-MNIST; paper = ResNet-110 width 16 on CIFAR-10.
 * Measured numbers: claims/baseline.json and docs/probe-claims.md.
 */
import { parameterGradients } from '../src/probes/gradients';
import { report } from '../src/report/judged';
import { claimData, dataName, disposing, makeResNet, probeBatch, scale, seeds } from '../src/setup';
import { excessKurtosis, std } from '../src/stats/moments';
import { claim } from '../src/vitest/harness';
import { judgeHeavyTails, LAYER_DEPTH } from './heavy-tailed-gradients.judge';

claim('heavy-tailed-gradients', async (c) => {
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
    extra: { layer: LAYER_DEPTH, init: 'glorot' },
  });

  const kurt = { none: [] as number[], all: [] as number[] };
  const sd = { none: [] as number[], all: [] as number[] };
  const samples: Record<'none' | 'all', Float32Array | undefined> = { none: undefined, all: undefined };
  for (const seed of seeds()) {
    await disposing(async (own) => {
      const { x, y } = own(probeBatch(train, S.batch, seed));
      for (const bn of ['none', 'all'] as const) {
        const net = own(makeResNet({ bn, seed, data: train }));
        const layer = net.layers.find((l) => l.depth === LAYER_DEPTH)!;
        const g = (await parameterGradients(net, x, y, [layer.weight]))[layer.weight]!;
        kurt[bn].push(excessKurtosis(g));
        sd[bn].push(std(g));
        samples[bn] ??= g;
      }
    });
    c.log(
      `seed ${seed}: kurtosis ${kurt.none.at(-1)!.toFixed(2)} (no BN) vs ${kurt.all.at(-1)!.toFixed(2)} (BN); std ${sd.none.at(-1)!.toExponential(2)} vs ${sd.all.at(-1)!.toExponential(2)}`,
    );
  }
  report(c, judgeHeavyTails({ kurtosis: kurt, sd }));

  const range = (g: Float32Array) => {
    const m = Math.max(...g.map(Math.abs));
    return [-m, m] as [number, number];
  };
  c.figure({
    kind: 'histograms',
    title: `Gradients of layer ${LAYER_DEPTH} at initialisation (seed ${seeds()[0]})`,
    caption: `ResNet-${S.depth}, width ${S.width}, ${dataName(train)}, batch ${S.batch}`,
    panels: [
      { title: 'with BN', values: samples.all!, xDomain: range(samples.all!), binCount: 80, xLabel: 'gradient', yLabel: 'count' },
      {
        title: 'without BN (log y)',
        values: samples.none!,
        xDomain: range(samples.none!),
        binCount: 80,
        logY: true,
        xLabel: 'gradient',
        yLabel: 'count',
      },
    ],
  });
});
