/**
 * moments-grow-with-depth — paper Fig. 5.
 * "At initialisation, channel means and standard deviations grow roughly exponentially with
 *  depth without BN, and stay flat with BN." Paper (natural log, layers 6…110): no-BN means from
 *  ~−1.5 to ~3.5, stds from ~−1.3 to ~3.0; BN within ~−1.2 … 0.9 with no trend.
 *
 * Experiment: for each seed, ResNet-110 with and without BN at initialisation, one batch of 128;
 * at the first layer of every residual branch (conv → [BN] → ReLU, layers 2, 4, …, 108: the
 * activations the next convolution consumes) the per-channel means and standard deviations over
 * batch and positions, summarised per layer as ln(mean over channels of |channel mean|) and
 * ln(mean over channels of channel std).
 * Assertions (least squares of the log-magnitude on depth, pooled over seeds, 95 % t-interval):
 *  - without BN the slope of log std and of log |mean| has a CI above 0;
 *  - with BN |slope| is under a tenth of the no-BN slope (for std and for |mean|).
 * Scale: smoke = ResNet-110 width 8, 14x14 Fashion-MNIST; paper = ResNet-110 width 16, CIFAR-10.
 * Last evidence (smoke, BN_SEED=0, 2026-12-01, wasm): holds. Slope of ln std per layer without BN
 *  0.051 [0.049, 0.053] (≈ 0.10 per residual block), with BN −7e-6; of ln |mean| 0.051 [0.049,
 *  0.053] against 1.6e-4.
 */
import { claim } from '../src/report/harness';
import { activationMoments } from '../src/probes/moments';
import { claimData, dataName, makeResNet, probeBatch, scale, seeds } from '../src/setup';
import { mean, std } from '../src/stats/moments';
import { linearFit } from '../src/stats/ols';

type Arm = 'none' | 'all';
const lnMeanAbs = (v: Float32Array) => Math.log(v.reduce((a, b) => a + Math.abs(b), 0) / v.length);

claim({ id: 'moments-grow-with-depth', title: 'Without BN, channel means and stds grow exponentially with depth; with BN they stay flat', paper: 'Fig. 5' }, async (c) => {
  const S = scale();
  const { train } = claimData({ trainLimit: 2000 });
  c.data(dataName(train));
  c.scale({ model: `ResNet-${S.depth}`, depth: S.depth, width: S.width, images: S.batch, batch: S.batch, seeds: S.seeds, extra: { probe: 'ReLU output of each residual branch\'s first layer', init: 'glorot' } });

  // per arm: per layer depth, values over seeds
  const byDepth: Record<Arm, { std: Map<number, number[]>; mean: Map<number, number[]> }> = {
    none: { std: new Map(), mean: new Map() },
    all: { std: new Map(), mean: new Map() },
  };
  for (const seed of seeds()) {
    const { x, y } = probeBatch(train, S.batch, seed);
    for (const bn of ['none', 'all'] as const) {
      const net = makeResNet({ bn, seed, data: train });
      const points = net.probePoints.filter((p) => /^act:s\d+b\d+\.c1$/.test(p.name)).map((p) => p.name);
      for (const m of activationMoments(net, x, { points })) {
        const push = (map: Map<number, number[]>, v: number) => map.set(m.depth, [...(map.get(m.depth) ?? []), v]);
        push(byDepth[bn].std, lnMeanAbs(m.stds));
        push(byDepth[bn].mean, lnMeanAbs(m.means));
      }
      net.dispose();
    }
    x.dispose();
    y.dispose();
    c.log(`seed ${seed} probed`);
  }

  const fit = (map: Map<number, number[]>) => {
    const xs: number[] = [];
    const ys: number[] = [];
    for (const [d, vs] of map) for (const v of vs) if (Number.isFinite(v)) { xs.push(d); ys.push(v); }
    return linearFit(xs, ys);
  };
  const slopes = {} as Record<`${Arm}-${'std' | 'mean'}`, ReturnType<typeof fit>>;
  for (const arm of ['none', 'all'] as const) for (const q of ['std', 'mean'] as const) slopes[`${arm}-${q}`] = fit(byDepth[arm][q]);
  const per110 = (s: number) => `${(s * 108).toFixed(2)} over layers 2…110`;
  c.stat('slope of ln std per layer, no BN', slopes['none-std'].slope, { ci: slopes['none-std'].slopeCi, paper: '≈ 4.3/104 ≈ 0.04 (−1.3 → 3.0)', note: per110(slopes['none-std'].slope) });
  c.stat('slope of ln |mean| per layer, no BN', slopes['none-mean'].slope, { ci: slopes['none-mean'].slopeCi, paper: '≈ 5/104 ≈ 0.05 (−1.5 → 3.5)', note: per110(slopes['none-mean'].slope) });
  c.stat('slope of ln std per layer, BN', slopes['all-std'].slope, { ci: slopes['all-std'].slopeCi, paper: 'no trend' });
  c.stat('slope of ln |mean| per layer, BN', slopes['all-mean'].slope, { ci: slopes['all-mean'].slopeCi, paper: 'no trend' });

  for (const q of ['std', 'mean'] as const) {
    const none = slopes[`none-${q}`];
    const bn = slopes[`all-${q}`];
    const name = q === 'std' ? 'log std' : 'log |mean|';
    c.check(`without BN the slope of ${name} against depth has a 95 % CI above 0`, none.slopeCi[0] > 0, `CI [${none.slopeCi.map((v) => v.toExponential(2)).join(', ')}]`);
    c.check(`with BN |slope of ${name}| < 0.1 × the no-BN slope`, Math.abs(bn.slope) < 0.1 * none.slope, `BN ${bn.slope.toExponential(2)} vs no BN ${none.slope.toExponential(2)}`);
  }

  const series = (arm: Arm, q: 'std' | 'mean', name: string) => {
    const depths = [...byDepth[arm][q].keys()].sort((a, b) => a - b);
    const vals = depths.map((d) => byDepth[arm][q].get(d)!.filter(Number.isFinite));
    return { name, depth: depths, value: vals.map((v) => mean(v)), err: vals.map((v) => (v.length > 1 ? std(v) : 0)) };
  };
  c.figure({
    kind: 'depthProfile',
    title: 'Channel moments at initialisation against depth (error bars: sd over seeds)',
    caption: `ResNet-${S.depth}, width ${S.width}, ${dataName(train)}, batch ${S.batch}, ${S.seeds} seeds`,
    panels: [
      { title: 'means', series: [series('none', 'mean', 'without BN'), series('all', 'mean', 'with BN')], xLabel: 'layer', yLabel: 'ln |channel mean|', legend: 'top-left' },
      { title: 'standard deviations', series: [series('none', 'std', 'without BN'), series('all', 'std', 'with BN')], xLabel: 'layer', yLabel: 'ln channel std', legend: 'top-left' },
    ],
  });
});
