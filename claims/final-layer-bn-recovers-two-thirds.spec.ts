/**
 * final-layer-bn-recovers-two-thirds — paper §4.
 * "Adding BN to the final layer only captures about two thirds of the full BN improvement."
 *  Paper: recovery = (acc_final − acc_none) / (acc_all − acc_none) ≈ 2/3.
 *
 * Experiment: the training protocol of src/runs (SGD, momentum 0.9, weight decay
 * 5e-4, the rate cut ×0.1 at half of training, augmentation, Glorot). Three arms: no BN, BN on the
 * final layer only (one BN on the features entering the classifier: FINAL_BN in src/nets/types.ts),
 * BN everywhere. Each arm trains at its own best rate from the sweep (one run per arm and grid rate
 * at a seed of its own: the most accurate on held-out validation images among the rates the arm
 * survives with a grid step to spare), every seed, and is scored by final test accuracy (a run that
 * diverged counts as chance).
 * Preconditions (c.require; inconclusive when not met, LEARNED in src/runs): the
 *  unnormalised arm learned (mean test accuracy ≥ 0.5: measured against a net at chance, the ratio
 *  says how close final-layer BN comes to full BN from nothing, not the paper's quantity); full BN
 *  beats it by ≥ 5 points (MIN_GAIN below says why) and significantly (two-sided Welch p < 0.05:
 *  Fieller's condition for the ratio's interval to be bounded at all; below it the denominator
 *  may be 0 and no interval, delta-method or other, means anything).
 * Assertions (fixed before the confirmatory runs):
 *  - "about two thirds": the recovery's point estimate lies in [0.5, 0.85] (2/3 with the reading
 *    error of the paper's numbers and then some);
 *  - final-layer BN recovers part of the gain, not none and not all: the 95 % CI excludes both 0
 *    and 1. The CI is the delta method's with Welch–Satterthwaite degrees of freedom
 *    (ratioOfDifferencesCI in src/stats/ratio.ts, arms as independent samples): its coverage at 5
 *    seeds per arm is ~95 % when the gain is clear (simulated in its tests), where the percentile
 *    bootstrap used before under-covered (~85 % at 3–5 seeds).
 * Seeds (power): the CI must be narrower than the distance from 2/3 to 1: its half-width,
 *  t·(σ/G)·√(1 + R² + (1 − R)²)/√n at R = 2/3 (σ the per-arm spread, G the gain), under 1/3;
 *  with the calibration's σ and G (TRAINING_SCALES' header) that takes n ≥ halfWidthSize(…) seeds.
 * Figure: the three arms' mean test accuracy with 95 % t-intervals over seeds, and the recovery.
 * Scale: the same runs as high-lr-benefit (see its header). Last evidence: claims/baseline.json
 *  (smoke) and claims/baseline-full.json (full).
 */
import { FINAL_BN } from '../src/nets/types';
import { claim } from '../src/vitest/harness';
import {
  ARM_LABEL,
  ARMS,
  openTrainingClaim,
  readClaimRuns,
  describeAccuracies,
  LEARNED,
  survived,
  sweepSummary,
  testAccuracies,
  trainingSeeds,
  type Arm,
} from '../src/runs';
import { mean } from '../src/stats/moments';
import { ratioOfDifferencesCI } from '../src/stats/ratio';
import { meanInterval, welchTTest } from '../src/stats/t-test';

const TWO_THIRDS: [number, number] = [0.5, 0.85];
const BAR_ORDER: Arm[] = ['none', 'final', 'all'];
const BAR_LABEL: Record<Arm, string> = { none: 'no BN', final: 'BN, final layer only', all: 'BN everywhere' };
// The smallest gain a ratio can stand on: with per-arm spreads of 1–3 points over 3–5 seeds, a
// denominator under 5 points makes the ratio's uncertainty larger than the distance between 2/3 and 1.
const MIN_GAIN = 0.05;

claim('final-layer-bn-recovers-two-thirds', async (c) => {
  const { S, train, sweep } = openTrainingClaim(c, (S) => ({ 'final-layer BN': FINAL_BN, 'sweep grid': S.sweep.grid.join(', ') }));
  const missing = ARMS.filter((a) => sweep.best[a] === null);
  if (missing.length) {
    c.require('the sweep finds a stable rate for every arm', false, `none for ${missing.join(', ')}: ${sweepSummary(sweep)}`);
    return;
  }

  const chance = 1 / train.numClasses;
  const acc = {} as Record<Arm, number[]>;
  const byArm = readClaimRuns('final-layer-bn-recovers-two-thirds', sweep);
  for (const arm of ARMS) {
    const runs = byArm[arm];
    acc[arm] = testAccuracies(runs, chance);
    const lost = runs.filter((r) => !survived(r)).length;
    c.log(
      `${ARM_LABEL[arm]} at lr ${sweep.best[arm]}: test accuracy ${acc[arm].map((a) => a.toFixed(3)).join(', ')}${lost ? ` (${lost} run(s) did not survive)` : ''}`,
    );
    c.stat(`test accuracy, ${ARM_LABEL[arm]} (mean over seeds)`, mean(acc[arm]), {
      ci: meanInterval(acc[arm]),
      note: `at lr ${sweep.best[arm]}${lost ? `; ${lost} run(s) did not survive` : ''}`,
    });
  }

  // The ratio is the paper's quantity only against a plain net that trained, and only informative
  // when full BN's gain over it is clear.
  const gain = mean(acc.all) - mean(acc.none);
  // NaN when t is undefined (every run of both arms at one value, e.g. all at chance)
  const gainP = (() => {
    try {
      return welchTTest(acc.all, acc.none).p;
    } catch {
      return NaN;
    }
  })();
  const ready = [
    c.require(
      `the unnormalised arm learned: mean test accuracy ≥ ${LEARNED} (chance ${chance})`,
      mean(acc.none) >= LEARNED,
      describeAccuracies(acc.none),
    ),
    c.require(
      `full BN's gain over no BN is large enough: at least ${MIN_GAIN * 100} points, the ratio's denominator`,
      gain >= MIN_GAIN,
      `BN ${mean(acc.all).toFixed(3)} vs no BN ${mean(acc.none).toFixed(3)}`,
    ),
    c.require(
      "full BN's gain is significant (two-sided Welch p < 0.05: Fieller's condition for a bounded interval of the ratio)",
      gainP < 0.05,
      `gain ${gain.toFixed(3)}, p = ${gainP.toPrecision(3)}`,
    ),
  ].every(Boolean);
  const ci = safeRatio(acc.none, acc.final, acc.all);
  c.stat('recovery = (acc_final − acc_none) / (acc_all − acc_none)', ci.estimate, {
    ci: ci.ci,
    paper: '≈ 2/3',
    note: `95 % delta-method t-interval, ${ci.df.toFixed(1)} df; denominator ${ci.denominatorT.toFixed(1)} standard errors from 0${ready ? '' : "; a precondition was not met: not the paper's quantity"}`,
  });
  if (ready) {
    c.check(
      `about two thirds: the recovery lies in [${TWO_THIRDS[0]}, ${TWO_THIRDS[1]}]`,
      ci.estimate >= TWO_THIRDS[0] && ci.estimate <= TWO_THIRDS[1],
      `recovery ${ci.estimate.toFixed(2)} [${ci.ci[0].toFixed(2)}, ${ci.ci[1].toFixed(2)}]`,
    );
    c.check(
      "part of the gain, not none and not all: the recovery's 95 % CI excludes 0 and 1",
      ci.ci[0] > 0 && ci.ci[1] < 1,
      `[${ci.ci[0].toFixed(2)}, ${ci.ci[1].toFixed(2)}]`,
    );
  }

  c.figure({
    kind: 'barsWithCI',
    title: 'Test accuracy: no BN, BN on the final layer only, BN everywhere',
    caption: `ResNet-${S.depth} w${S.width}, ${S.epochs} epochs, each arm at its best rate (${BAR_ORDER.map((a) => `${a} ${sweep.best[a]}`).join(', ')}); mean of ${trainingSeeds().length} seeds, 95 % t-interval`,
    bars: BAR_ORDER.map((arm) => ({ name: BAR_LABEL[arm], value: mean(acc[arm]), ci: meanInterval(acc[arm]) })),
    yLabel: 'test accuracy',
    yDomain: [0, 1],
    annotation: `recovery = ${ci.estimate.toFixed(2)} [${ci.ci[0].toFixed(2)}, ${ci.ci[1].toFixed(2)}] (paper: ≈ 2/3)`,
  });
});

/** The recovery and its interval; NaN (with the reason in the note) where the ratio is undefined (no gain at all). */
function safeRatio(none: number[], final: number[], all: number[]): ReturnType<typeof ratioOfDifferencesCI> {
  try {
    return ratioOfDifferencesCI(none, final, all);
  } catch {
    return { estimate: NaN, ci: [NaN, NaN], se: NaN, df: NaN, level: 0.95, denominatorT: 0 };
  }
}
