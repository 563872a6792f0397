/**
 * input-independent-gradients — paper Fig. 6 and Table 1.
 * "Without BN the output gradients at initialisation hardly depend on the input: the net predicts
 *  one class for almost every image, so per-example gradients share their sign and add up. With
 *  BN they depend on the input." Paper: heat map (128 images × 10 classes) with one bright column
 *  without BN; Table 1: |Σ_b g_b| ≈ Σ_b |g_b| for a conv kernel without BN, two orders of
 *  magnitude apart with BN.
 *
 * Experiment: for each seed, ResNet-110 with and without BN at initialisation, one batch of 128:
 *  - the gradient of the loss with respect to the logits (images × classes) and the share of
 *    images predicted as the most common class;
 *  - Table 1's quantity for layer 55's kernel: the per-example kernel gradients g_b (each image's
 *    own, summed over positions), per kernel entry |Σ_b g_b| / Σ_b |g_b| (1 = every image pushes
 *    the entry the same way), its median over the entries: the concordance;
 *  - its null distribution for input-dependent gradients: each g_b times an independent random
 *    sign, 400 draws (a sign-flip test; src/probes/output-gradients.ts).
 * Assertions (fixed before the confirmatory runs at BN_SEED = 0, 1000, 2000, after calibration on
 * seeds 9000–9004, where one net of five predicted one class for only 53 % of the images and the
 * BN concordance sat at the sign-flip null's level, 0.085–0.123):
 *  - without BN nearly every image is predicted as one class: the median over seeds of the
 *    top-class share ≥ 0.9 (0.9 = "nearly every": at most one image in ten disagrees);
 *  - without BN the per-example gradients share their sign: the concordance is above the 99th
 *    percentile of its sign-flip null in every seed (p < 0.01 per seed);
 *  - input-independent or not, by theory: random-sign (input-dependent) terms give a concordance
 *    of ≈ r = √(π/2)/√B (0.11 at B = 128), shared signs give ≈ 1; the boundary is their geometric
 *    midpoint √r (0.33): without BN above it in every seed, with BN below it in every seed;
 *  - across seeds the concordance without BN exceeds BN's, one-sided Mann–Whitney p < 0.01.
 * The paper's "two orders of magnitude" is reported, not asserted: for a batch of B independent
 * random-sign terms the concordance is ≈ √(π/2)/√B (0.11 at B = 128), so with the no-BN value
 * near 1 the ratio is about √(2B/π) ≈ 9 at the paper's batch; 100× needs ~10⁴ images or
 * anticorrelated examples. An independent reference (PyTorch, CLAIMS.md's setup) measured 8–35×.
 * (The previous version asserted a ratio ≥ 10× over per-position terms, beside an observed 11.6×;
 * on calibration seeds 9000–9010 that ratio went down to 7.3×.)
 * Scale: smoke = ResNet-110 width 8, 14x14 Fashion-MNIST; paper = ResNet-110 width 16, CIFAR-10.
 * Verdicts and numbers at each seed base, dated: docs/measurements.md; the baselines: claims/baseline*.json.
 * The judging: claims/input-independent-gradients.judge.ts.
 */
import { claim } from '../src/vitest/harness';
import { BN_LABEL, BN_ON_OFF, type BnOnOff } from '../src/nets/types';
import { inputDependence, signFlipNull, type OutputGradients } from '../src/probes/output-gradients';
import { report } from '../src/report/judged';
import { claimData, dataName, disposing, makeResNet, probeBatch, scale, seeds } from '../src/setup';
import { quantile } from '../src/stats/moments';
import { deriveSeed, Rng } from '../src/rng';
import { judgeInputDependence, LAYER_DEPTH, NULL_DRAWS } from './input-independent-gradients.judge';

claim('input-independent-gradients', async (c) => {
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

  const share = { none: [] as number[], all: [] as number[] };
  const conc = { none: [] as number[], all: [] as number[] };
  const q99 = { none: [] as number[], all: [] as number[] };
  const heat: Partial<Record<BnOnOff, OutputGradients>> = {};
  for (const seed of seeds()) {
    await disposing(async (own) => {
      const { x, y } = own(probeBatch(train, S.batch, seed));
      for (const bn of BN_ON_OFF) {
        const net = own(makeResNet({ bn, seed, data: train }));
        const layer = net.layers.find((l) => l.depth === LAYER_DEPTH)!;
        const { output, concordance } = await inputDependence(net, x, y, layer.name);
        share[bn].push(output.topClassShare);
        heat[bn] ??= output;
        conc[bn].push(concordance.perExampleMedianRatio);
        q99[bn].push(
          quantile(signFlipNull(concordance.perExample, NULL_DRAWS, new Rng(deriveSeed(seed, 0x5f, bn === 'none' ? 0 : 1))), 0.99),
        );
      }
    });
    c.log(
      `seed ${seed}: top-class share ${share.none.at(-1)} (no BN) vs ${share.all.at(-1)} (BN); concordance ${conc.none.at(-1)!.toFixed(4)} vs ${conc.all.at(-1)!.toFixed(4)} (sign-flip 99 %: ${q99.none.at(-1)!.toFixed(4)}, ${q99.all.at(-1)!.toFixed(4)})`,
    );
  }
  report(c, judgeInputDependence({ batch: S.batch, share, concordance: conc, nullQ99: q99 }));

  const rows = (og: OutputGradients) =>
    Array.from({ length: og.images }, (_, i) => og.matrix.subarray(i * og.classes, (i + 1) * og.classes));
  c.figure({
    kind: 'heatmap',
    title: `Gradients of the loss w.r.t. the logits at initialisation (seed ${seeds()[0]})`,
    caption: `ResNet-${S.depth}, width ${S.width}, ${dataName(train)}; rows: ${S.batch} images, columns: classes`,
    panels: [
      { title: BN_LABEL.all, matrix: rows(heat.all!), xLabel: 'class', yLabel: 'image', colorLabel: '∂L/∂logit', symmetric: true },
      { title: BN_LABEL.none, matrix: rows(heat.none!), xLabel: 'class', yLabel: 'image', colorLabel: '∂L/∂logit', symmetric: true },
    ],
  });
});
