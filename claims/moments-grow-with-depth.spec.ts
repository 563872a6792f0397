/**
 * moments-grow-with-depth — paper Fig. 5.
 * "At initialisation, channel means and standard deviations grow roughly exponentially with
 *  depth without BN, and stay flat with BN." Paper (natural log, layers 6…110): no-BN means from
 *  ~−1.5 to ~3.5, stds from ~−1.3 to ~3.0; BN within ~−1.2 … 0.9 with no trend.
 *
 * What is probed, and why there: the output of every residual branch's second convolution,
 * before its normalisation (`conv:sXbY.c2`, layers 3, 5, …, 109), in both nets. It is the same
 * quantity in both arms, and BN does not fix it by construction: in the BN net it is what the
 * BN layer is about to normalise, a random projection of the previous BN+ReLU output whose scale
 * varies from layer to layer with the weights (src/nets/nets.test.ts shows it), while after a BN
 * layer every channel has mean ≈ 0.40 and std ≈ 0.58 whatever the weights (the previous version
 * probed there, which made "BN stays flat" impossible to fail). Theory for the BN arm: the input
 * has E[x²] = 1/2 per channel and Glorot gives Var(w) = 1/(9C) at cin = cout = C, so the output
 * variance is ≈ 9C · 1/(9C) · 1/2 at every depth: no trend. Without BN the same point carries the
 * residual stream's exponential growth.
 * The residual stream with BN (issue 23, 2026-12-07): recorded, not asserted, because no threshold
 * for it can be sourced. What the paper's BN curve most likely measured is that stream with
 * projection shortcuts: its ln std rises within each stage and drops at each stage boundary (6,
 * 18, 30: 0.1, 0.6, 0.9; 42, 54, 66: 0.05, 0.6, 1.0; 78, 90, 102: 0.0, 0.6, 0.9; Fig. 5 by eye),
 * and from the 3rd to the 15th block of a stage an identity-shortcut stream that adds one
 * unit-variance BN branch per block grows by ½ ln(15/3) ≈ 0.80 in ln std, the paper's 0.8–0.95;
 * the projection (1x1 conv + BN) at a stage's first block resets it. "Flat" in the paper is then
 * "no exponential growth over the whole depth", which a √(blocks) stream satisfies and a
 * within-stage slope does not (the paper's own curve rises ≈ 0.035 per layer within a stage).
 * Our nets use He et al.'s option-A shortcuts (parameter-free): nothing resets the stream, which
 * grows like √(blocks) over the whole depth; the √-law is asymptotic (the ReLU after each addition
 * bends it early on), and the paper states no number for it, so a threshold would be ours, not
 * the paper's. The stream's within-stage slope is recorded as a supporting statistic.
 *
 * Experiment: for each seed, ResNet-110 with and without BN (same seed, Glorot) at
 * initialisation, one batch of 128; per probed layer ln(mean over channels of channel std) and
 * ln(mean over channels of |channel mean|); per seed the least-squares slope of each against the
 * layer index, with one offset per stage (the slope within stages). Seeds are the unit of
 * replication: one slope per seed, a t-interval across seeds; 20 seeds (a power calculation on
 * calibration seeds, below), cheap here: forward passes only.
 * Why within stages: each stage halves the resolution (14 → 7 → 4 at smoke), and a 3x3 conv's
 * zero padding then covers more of the map: the share of valid taps falls from 0.91 to 0.82 to
 * 0.69 (its square), which lowers the output's channel means in proportion and their variance
 * likewise, whatever the net. That is a step at each stage boundary, not a trend with depth; a
 * single line through all layers read it as a BN slope of ~−2.5e-3 for ln |mean| (seeds 0–2,
 * found when the gate-honesty control with three seeds failed its margin; the fit was changed
 * before any five-seed confirmatory run, the threshold was not).
 * Assertions (fixed before the confirmatory runs at BN_SEED = 0, 1000, 2000):
 *  - without BN, growth: the mean slope of ln std and of ln |mean| has a one-sided 95 % t-interval
 *    above 0 (the paper's statement; 0 is "no growth");
 *  - with BN, flat: TOST at 5 % (the 90 % t-interval of the mean slope inside ±δ) with δ = 0.0045
 *    per layer, a tenth of the paper's no-BN growth rate of ln std (−1.3 → 3.0 over layers 6 →
 *    102: 0.045 per layer); over the whole depth δ allows less than half an e-fold, against the
 *    paper's ~4.3 e-folds without BN.
 * Scale: smoke = ResNet-110 width 8, 14x14 Fashion-MNIST; paper = ResNet-110 width 16, CIFAR-10.
 * Measured numbers: claims/baseline.json and docs/probe-claims.md (BN_FAULT=bn-no-normalise makes
 *  the BN arm equal the plain net and the claim fail: src/reliability/gate-honesty.test.ts).
 * The judging: claims/moments-grow-with-depth.judge.ts.
 */
import { config } from '../src/config';
import { claim } from '../src/vitest/harness';
import { activationMoments } from '../src/probes/moments';
import { report } from '../src/report/judged';
import { claimData, dataName, disposing, makeResNet, probeBatch, scale, seeds } from '../src/setup';
import { mean, std } from '../src/stats/moments';
import { fitSlope, judgeMomentsGrow, N_SEEDS as SEEDS, type Arm, type Profile, type Quantity } from './moments-grow-with-depth.judge';

// BN_SEEDS overrides the 20 seeds (for quick runs), as for every claim.
const N_SEEDS = config().seeds ?? SEEDS;
const PROBE = /^conv:s\d+b\d+\.c2$/;
const STREAM = /^block:s\d+b\d+$/;
const lnMeanAbs = (v: Float32Array) => Math.log(v.reduce((a, b) => a + Math.abs(b), 0) / v.length);
const stageOf = (point: string) => Number(/:s(\d+)b/.exec(point)![1]);

claim('moments-grow-with-depth', async (c) => {
  const S = scale();
  const { train } = claimData({ trainLimit: 2000 });
  c.data(dataName(train));
  c.scale({
    model: `ResNet-${S.depth}`,
    depth: S.depth,
    width: S.width,
    images: S.batch,
    batch: S.batch,
    seeds: N_SEEDS,
    extra: { probe: 'second conv of each residual branch, before BN', init: 'glorot' },
  });

  // per arm and quantity: per seed, the profile over layers
  const profiles: Record<Arm, Record<Quantity, Profile[]>> = { none: { std: [], mean: [] }, all: { std: [], mean: [] } };
  // with BN, per seed: the residual stream's profile (recorded, not asserted)
  const streamBn: Profile[] = [];
  for (const seed of seeds(N_SEEDS)) {
    await disposing(async (own) => {
      const { x } = own(probeBatch(train, S.batch, seed));
      for (const bn of ['none', 'all'] as const) {
        const net = own(makeResNet({ bn, seed, data: train }));
        const points = net.probePoints.filter((p) => PROBE.test(p.name) || (bn === 'all' && STREAM.test(p.name))).map((p) => p.name);
        const moments = (await activationMoments(net, x, { points })).sort((a, b) => a.depth - b.depth);
        const at = moments.filter((m) => PROBE.test(m.point));
        const std = { depth: at.map((m) => m.depth), stage: at.map((m) => stageOf(m.point)), value: at.map((m) => lnMeanAbs(m.stds)) };
        const mn = { ...std, value: at.map((m) => lnMeanAbs(m.means)) };
        profiles[bn].std.push(std);
        profiles[bn].mean.push(mn);
        if (bn === 'all') {
          const stream = moments.filter((m) => STREAM.test(m.point));
          streamBn.push({
            depth: stream.map((m) => m.depth),
            stage: stream.map((m) => stageOf(m.point)),
            value: stream.map((m) => lnMeanAbs(m.stds)),
          });
        }
      }
    });
    c.log(
      `seed ${seed}: slope of ln std ${fitSlope(profiles.none.std.at(-1)!).toExponential(2)} (no BN) vs ${fitSlope(profiles.all.std.at(-1)!).toExponential(2)} (BN)`,
    );
  }

  report(c, judgeMomentsGrow({ profiles, streamBn }));

  const series = (arm: Arm, q: Quantity, label: string) => {
    const ps = profiles[arm][q];
    const depth = ps[0]!.depth;
    const vals = depth.map((_, i) => ps.map((p) => p.value[i]!).filter(Number.isFinite));
    return { name: label, depth, value: vals.map((v) => mean(v)), err: vals.map((v) => (v.length > 1 ? std(v) : 0)) };
  };
  c.figure({
    kind: 'depthProfile',
    title: 'Channel moments at initialisation against depth (error bars: sd over seeds)',
    caption: `ResNet-${S.depth}, width ${S.width}, ${dataName(train)}, batch ${S.batch}, ${N_SEEDS} seeds; each block's second conv output, before BN`,
    panels: [
      {
        title: 'means',
        series: [series('none', 'mean', 'without BN'), series('all', 'mean', 'with BN')],
        xLabel: 'layer',
        yLabel: 'ln |channel mean|',
        legend: 'top-left',
      },
      {
        title: 'standard deviations',
        series: [series('none', 'std', 'without BN'), series('all', 'std', 'with BN')],
        xLabel: 'layer',
        yLabel: 'ln channel std',
        legend: 'top-left',
      },
    ],
  });
});
