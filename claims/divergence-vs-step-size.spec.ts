/**
 * divergence-vs-step-size — paper Fig. 2.
 * "One gradient step of growing size: the unnormalised net's loss explodes at step sizes where the
 *  BN net's barely moves." Paper: relative loss (loss after the step / loss before, same batch)
 *  at mini-batches 1, 4, 7 of training; no BN flat until ~1e-3, then up to 1e6 by ~3e-3–1e-2; BN
 *  within 10^-0.2 … 10^0.5 up to step 1e-1. A relative loss above 1e3 counts as divergence.
 *
 * Experiment: for each seed, ResNet-110 with and without BN (same initial seed), trained with SGD
 * (momentum 0.9, weight decay 5e-4) at the small rate 1e-4 on the same batches; before the update
 * of mini-batches 1, 4 and 7, a scan of one gradient step of size α ∈ [1e-5, 1] (3 per decade) on
 * that batch. α* = the smallest α whose relative loss exceeds 1e3 (or is non-finite).
 * Decisions (2026-12-07, issue 23; committed before the confirmatory runs at BN_SEED = 0, 1000,
 * 2000 and a random base; reasons, calibration and measured numbers in docs/probe-claims.md, the
 * verdicts in claims/baseline.json). Until then every seed × mini-batch cell had to pass, a
 * conjunction that gets harder with every seed; now a verdict per mini-batch from population
 * statistics, and the claim holds when every mini-batch (three fixed cells) does. At mini-batch k:
 *  b. with BN the loss barely moves up to 0.1: the median over seeds of the largest relative loss
 *     at α ≤ 0.1 below 1e3 (Fig. 2: within 10^0.5; 1e3 = divergence);
 *  c. without BN it explodes where BN's does not: paired by seed, r = log10(α*_BN / α*_noBN), the
 *     one-sided 95 % t lower confidence bound of mean r above 1 (a factor 10: Fig. 2's no-BN nets
 *     diverge by 1e-2, its BN nets not by 1e-1). No α* in the grid counts as one grid step past
 *     it (for BN a lower bound, so r is conservative; both beyond the grid give r = 0).
 *  a. (recorded, not asserted) the median α*_noBN over seeds beside the paper's ≤ 1e-2 (no α* in
 *     the grid counts as +∞). The section-1 plan asserted it; on calibration seeds 9000–9004 its
 *     median at mini-batch 1 was exactly the grid point 1e-2 (per seed 4.6e-3 – 2.2e-2), on its
 *     threshold, so no seed count decides it; revised before any confirmatory run.
 * Seeds: 5 (calibration seeds 9000–9004: c. at mini-batch 1 is 2.33 ± 0.33 decades, decided with
 * power 0.8 by 2 seeds).
 * The pre-registered discriminating experiment (supporting statistics, not in the verdict): the
 * earlier diagnosis was that the first steps at 1e-4 shrink the unnormalised net's output scale
 * (loss 167 → 3.1, gradient norm 3,223 → 20 from mini-batch 1 to 4), so one step no longer
 * explodes. A third arm, the same unnormalised net with its classifier initialised at zero (loss
 * ln 10 at the start, no output scale to reset), is trained and scanned the same way. Prediction,
 * stated before the run: if the reset explains the non-replication past mini-batch 1, α* at
 * mini-batches 4 and 7 stays near mini-batch 1's in that arm: the 90 % t-intervals of mean
 * log10(α*_k / α*_1) inside ±0.5 decade (the paper's own α* at mini-batches 1, 4, 7 span ≈ 0.3
 * decade); it informs only if that arm diverges inside the grid at mini-batch 1.
 * Also recorded per mini-batch and net: the loss and gradient norm before the step, the share of
 * dead pooled features and the pooled-feature norm (the reset's diagnostics).
 * Scale: smoke = ResNet-110 width 8, 14x14 Fashion-MNIST, batch 64; paper = width 16, CIFAR-10,
 * batch 128. The paper's geometry (width 16, 28x28, batch 128) costs ~8× the smoke scan; an
 * independent PyTorch replay at that geometry (issue 11) shows the same reset.
 */
import { scansAlongTraining } from '../src/probes/training-scan';
import { report } from '../src/report/judged';
import { claimData, dataName, disposing, makeResNet, scale, seeds } from '../src/setup';
import { Sgd } from '../src/train/sgd';
import { claim } from '../src/vitest/harness';
import {
  ALPHAS,
  ARMS,
  cellsOf,
  DIVERGENCE_THRESHOLD,
  judgeDivergence,
  PROBED_BATCHES,
  SGD,
  TRAIN_LR,
  type DivergenceSeed,
} from './divergence-vs-step-size.judge';

const ARM_LABEL = { none: 'without BN', all: 'with BN', zero: 'without BN, classifier at zero' } as const;

claim('divergence-vs-step-size', async (c) => {
  const S = scale();
  const { train } = claimData({ trainLimit: 2000 });
  c.data(dataName(train));
  c.scale({
    model: `ResNet-${S.depth}`,
    depth: S.depth,
    width: S.width,
    images: S.scanBatch,
    batch: S.scanBatch,
    seeds: S.seeds,
    extra: {
      trainLr: TRAIN_LR,
      alphas: `1e-5…1, ${ALPHAS.length} log-spaced`,
      init: 'glorot',
      arms: 'no BN, BN, no BN with a zero classifier',
    },
  });

  const rows: DivergenceSeed[] = [];
  for (const seed of seeds()) {
    const arms = {} as DivergenceSeed['arms'];
    for (const arm of ARMS) {
      arms[arm] = await disposing(async (own) => {
        const net = own(
          makeResNet({ bn: arm === 'all' ? 'all' : 'none', seed, data: train, classifier: arm === 'zero' ? 'zero' : 'init' }),
        );
        const opt = own(new Sgd(net.params, net.decayed, SGD));
        return cellsOf(
          await scansAlongTraining(net, opt, train, { batchSize: S.scanBatch, seed, probed: PROBED_BATCHES, lr: TRAIN_LR, alphas: ALPHAS }),
        );
      });
      c.log(
        `seed ${seed} ${ARM_LABEL[arm]}: α* = ${arms[arm]!.map((s) => s.alphaStar?.toExponential(1) ?? 'none').join(', ')} at mini-batches ${PROBED_BATCHES.join(', ')}`,
      );
    }
    rows.push({ seed, arms });
  }
  report(c, judgeDivergence(rows));

  // Fig. 2: rows BN / no BN (and the zero classifier), columns mini-batch 1, 4, 7; one line per seed
  const star = (a: number | null) => (a === null ? 'none' : a.toExponential(1));
  const panels = (['all', 'none', 'zero'] as const).flatMap((arm) =>
    PROBED_BATCHES.map((k, j) => ({
      row: ARM_LABEL[arm],
      col: `mini-batch ${k}`,
      title: `${arm === 'all' ? `mini-batch ${k}: ` : ''}α* ${rows.map((r) => star(r.arms[arm]![j]!.alphaStar)).join(', ')}`,
      series: rows.map((r) => ({ name: `seed ${r.seed}`, x: ALPHAS, y: r.arms[arm]![j]!.relative })),
      xScale: 'log' as const,
      yScale: 'log' as const,
      xLabel: 'step size α',
      yLabel: 'relative loss',
      yDomain: [1e-2, 1e8] as [number, number],
      hlines: [{ y: DIVERGENCE_THRESHOLD, label: '1e3' }],
      legend: 'none' as const,
    })),
  );
  c.figure({
    kind: 'lines',
    title: 'Relative loss after one gradient step of size α',
    caption: `ResNet-${S.depth}, width ${S.width}, ${dataName(train)}, batch ${S.scanBatch}, trained at lr ${TRAIN_LR}; one line per seed; third row: the unnormalised net with its classifier initialised at zero`,
    grid: { rows: [ARM_LABEL.all, ARM_LABEL.none, ARM_LABEL.zero], cols: PROBED_BATCHES.map((k) => `mini-batch ${k}`) },
    panels,
  });
});
