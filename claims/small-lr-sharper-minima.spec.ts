/**
 * small-lr-sharper-minima — paper §3 (its argument, not one of its figures).
 * "Small learning rates make slow progress on flat regions and settle in sharper minima": training
 *  with a large rate cannot stay in a region whose curvature exceeds what the step allows, so it
 *  ends in a flatter one; a small rate can.
 *
 * Experiment: like with like: the BN ResNet trained at the two rates of the training claims (the
 * same runs as high-lr-benefit, from the sweep; the protocol of src/runs), every
 * seed; same seed = same initial kernels and batches. Only BN against BN: the unnormalised net is
 * another architecture. The contrast is the paper's (Fig. 1, and §3's argument that the small rates
 * an unnormalised net is confined to settle in sharp minima): the small rate is the low rate, the
 * one the unnormalised net survives with a grid step to spare and learns at; the large rate is BN's
 * best rate on validation. When BN's best rate is not above the low rate, or the unnormalised net
 * does not learn at the low rate, the contrast is not the paper's and the verdict is inconclusive
 * (at smoke with BN_SEED=2000 the sweep gave 0.03 as the low rate and 0.01 as BN's best; an earlier
 * version compared min(low, high) with max(low, high) there and was the only base to "hold").
 * What is measured, and where (issue 10's two objections to a raw top Hessian eigenvalue at the
 * end of runs):
 *  - a scale-invariant sharpness: the mean curvature of the training loss along filter-normalised
 *    random directions (Li et al. 2018, "Visualizing the Loss Landscape of Neural Nets"; src/probes/
 *    sharpness.ts: 8 seeded directions, central second difference at 5 % of every filter's norm,
 *    training-mode loss on a fixed set of un-augmented training images). With BN after every conv
 *    the loss is invariant to each kernel's scale, so the raw Hessian moves as 1/‖w‖² with weight
 *    decay and the rate, and the optimiser's stability bound ≈ 2(1+β)/η caps the raw top
 *    eigenvalue: the ordering it gives is close to automatic. The filter-normalised curvature does
 *    not move with a kernel's scale (tested);
 *  - at a matched training loss: at the end of the first epoch whose mean training loss is at or
 *    below the profile's `sharpness.matchedLoss` (TRAINING_SCALES), so both nets fit the data
 *    equally well where they are compared. The end-of-training value is recorded beside it.
 * Preconditions (c.require; inconclusive when one is not met): BN's best rate is above the low
 *  rate; the unnormalised net learns at the low rate (mean test accuracy ≥ 0.5, LEARNED); the large-rate
 *  BN nets learned (mean test accuracy ≥ 0.5, LEARNED in src/runs); every run
 *  reached the matched loss; the sharpness there is finite and positive (a log needs it).
 * Assertion (fixed before the confirmatory runs): small > large, one-sided paired t-test of log
 *  sharpness at the matched loss, paired by seed, p < 0.05. Log: sharpness is a positive scale
 *  whose spread grows with its level. The per-seed ratios and Welch's t on the raw values are
 *  recorded, not asserted.
 * Seeds (power): the paper gives no size for the effect; the smallest ratio worth the name is taken
 *  as 2× (log 2 = 0.69), and n = (z_α + z_β)² σ²/(log 2)² + z_α²/2 (oneSampleTestSize in
 *  src/stats/power.ts) with σ the spread of the paired log ratio on calibration seeds.
 * Figure: sharpness at the matched loss after each rate, geometric mean over seeds with the 95 %
 *  t-interval of the mean log (the scale the test works on).
 * Scale: the same runs as high-lr-benefit (see its header). Last evidence: claims/baseline.json
 *  (smoke) and claims/baseline-full.json (full).
 */
import { claim } from '../src/vitest/harness';
import {
  describeAccuracies,
  LEARNED,
  openTrainingClaim,
  readClaimRuns,
  sweepSummary,
  testAccuracies,
  trainingSeeds,
  type RunResult,
} from '../src/runs';
import { mean, meanOfFinite } from '../src/stats/moments';
import { meanInterval, pairedTTest, welchTTest } from '../src/stats/t-test';

claim('small-lr-sharper-minima', async (c) => {
  const { S, train, sweep } = openTrainingClaim(c, (S) => ({
    'sharpness images': S.sharpness.images,
    'sharpness directions': S.sharpness.directions,
    'sharpness step (× filter norm)': S.sharpness.epsilon,
    'matched training loss': S.sharpness.matchedLoss,
  }));
  const { low, high } = sweep;
  if (low === null || high === null) {
    c.require('the sweep finds a low and a high rate', false, sweepSummary(sweep));
    return;
  }
  if (
    !c.require(
      "BN's best rate is above the low rate (the paper's contrast: the rate the unnormalised net is confined to against the larger rate BN allows)",
      high > low,
      `low ${low}, high ${high}`,
    )
  )
    return;
  const small = low;
  const large = high;

  const { bnLow, bnHigh, noneLow } = readClaimRuns('small-lr-sharper-minima', sweep);
  const atMatch = (runs: RunResult[]) => runs.map((r) => r.sharpness?.matched?.value ?? NaN);
  const atEnd = (runs: RunResult[]) => runs.map((r) => r.sharpness?.final.value ?? NaN);
  const sLow = atMatch(bnLow);
  const sHigh = atMatch(bnHigh);
  const where = (runs: RunResult[]) =>
    runs
      .map((r) =>
        r.sharpness?.matched ? `epoch ${r.sharpness.matched.epoch} (loss ${r.sharpness.matched.trainLoss.toFixed(3)})` : 'never',
      )
      .join(', ');
  c.log(
    `BN sharpness at training loss ≤ ${S.sharpness.matchedLoss}: lr ${small}: ${sLow.map((v) => v.toPrecision(3)).join(', ')} at ${where(bnLow)}; lr ${large}: ${sHigh.map((v) => v.toPrecision(3)).join(', ')} at ${where(bnHigh)}`,
  );

  const chance = 1 / train.numClasses;
  const accHigh = testAccuracies(bnHigh, chance);
  const accNoneLow = testAccuracies(noneLow, chance);
  const reached = [...bnLow, ...bnHigh].every((r) => r.sharpness?.matched);
  const ready = [
    c.require(
      `the unnormalised net learns at the small (low) rate: mean test accuracy ≥ ${LEARNED} (chance ${chance})`,
      mean(accNoneLow) >= LEARNED,
      describeAccuracies(accNoneLow),
    ),
    c.require(
      `the large-rate BN nets learned: mean test accuracy ≥ ${LEARNED} (chance ${chance})`,
      mean(accHigh) >= LEARNED,
      describeAccuracies(accHigh),
    ),
    c.require(
      `every run reached the matched training loss ${S.sharpness.matchedLoss}`,
      reached,
      `lr ${small}: ${where(bnLow)}; lr ${large}: ${where(bnHigh)}`,
    ),
    c.require(
      'the sharpness at the matched loss is finite and positive in every run',
      [...sLow, ...sHigh].every((v) => Number.isFinite(v) && v > 0),
      `small ${sLow.map((v) => v.toPrecision(3)).join(', ')}; large ${sHigh.map((v) => v.toPrecision(3)).join(', ')}`,
    ),
  ].every(Boolean);

  c.stat('small rate', small);
  c.stat('large rate', large);
  // over the runs that measured it (none, when no run reached the matched loss: NaN, not a crash)
  const finite = (xs: number[]) => xs.filter(Number.isFinite);
  const interval = (xs: number[]): [number, number] | undefined => (finite(xs).length ? meanInterval(finite(xs)) : undefined);
  c.stat('BN: sharpness at the matched loss after the small rate (mean over seeds)', meanOfFinite(sLow).mean, {
    ci: interval(sLow),
    note: `filter-normalised curvature; reached at ${where(bnLow)}`,
  });
  c.stat('BN: sharpness at the matched loss after the large rate (mean over seeds)', meanOfFinite(sHigh).mean, {
    ci: interval(sHigh),
    note: `reached at ${where(bnHigh)}`,
  });
  c.stat('BN: sharpness at the end, small rate (mean over seeds)', meanOfFinite(atEnd(bnLow)).mean, {
    note: 'recorded, not asserted: the runs end at different losses',
  });
  c.stat('BN: sharpness at the end, large rate (mean over seeds)', meanOfFinite(atEnd(bnHigh)).mean, { note: 'recorded, not asserted' });
  let paired: ReturnType<typeof pairedTTest> | undefined;
  if (ready) {
    try {
      paired = pairedTTest(sLow.map(Math.log), sHigh.map(Math.log), { alternative: 'greater' });
    } catch {
      c.check(
        'BN: sharper at the matched loss after the small rate: one-sided paired t on log sharpness, p < 0.05',
        false,
        'every seed gives the same ratio: t is undefined',
      );
    }
  }
  if (paired) {
    c.stat('BN: sharpness ratio small / large rate at the matched loss (geometric mean over seeds)', Math.exp(paired.estimate!), {
      ci: [Math.exp(paired.ci![0]), Infinity],
      p: paired.p,
      paper: '> 1 (sharper after the small rate)',
      note: `one-sided paired t on log sharpness; per seed ${sLow.map((v, i) => (v / sHigh[i]!).toPrecision(3)).join(', ')}`,
    });
    const raw = welchTTest(sLow, sHigh, { alternative: 'greater' });
    c.stat('BN: sharpness small − large rate at the matched loss', raw.estimate!, {
      p: raw.p,
      note: 'one-sided Welch t on the raw values (recorded, not asserted)',
    });
    c.check(
      'BN: sharper at the matched loss after the small rate: one-sided paired t on log sharpness, p < 0.05',
      paired.p < 0.05,
      `ratio ${Math.exp(paired.estimate!).toPrecision(3)}, p = ${paired.p.toPrecision(3)}`,
    );
  }

  const pos = (xs: number[]) => xs.every((v) => Number.isFinite(v) && v > 0);
  const bar = (name: string, xs: number[]) =>
    pos(xs)
      ? { name, value: Math.exp(mean(xs.map(Math.log))), ci: meanInterval(xs.map(Math.log)).map(Math.exp) as [number, number] }
      : { name, value: meanOfFinite(xs).mean, ...(interval(xs) ? { ci: interval(xs) } : {}) };
  c.figure({
    kind: 'barsWithCI',
    title: `Sharpness (filter-normalised curvature of the training loss) at training loss ≤ ${S.sharpness.matchedLoss}`,
    caption: `ResNet-${S.depth} w${S.width} with BN, ${S.epochs} epochs; ${pos([...sLow, ...sHigh]) ? 'geometric mean' : 'mean'} of ${trainingSeeds().length} seeds, 95 % t-interval`,
    bars: [bar(`BN, lr=${small}`, sLow), bar(`BN, lr=${large}`, sHigh)],
    yLabel: 'mean curvature along filter-normalised directions',
    annotation: paired
      ? `small / large = ${Math.exp(paired.estimate!).toFixed(2)}×, p = ${paired.p.toPrecision(2)}`
      : 'a precondition was not met',
  });
});
