/**
 * final-layer-bn-recovers-two-thirds — paper §4.
 * "Adding BN to the final layer only captures about two thirds of the full BN improvement."
 *  Paper: recovery = (acc_final − acc_none) / (acc_all − acc_none) ≈ 2/3.
 *
 * Protocol: src/runs, as in low-lr-parity.spec.ts (decided 2026-12-07, before the confirmatory
 *  runs; the rates fixed at `full` from a calibration sweep). Three arms, each at its own best
 *  rate by the sweep's rules (src/runs/sweep.ts): no BN at the low
 *  rate (the largest it learns at with a grid step to spare), BN everywhere at the high rate (its
 *  best within the sweep's noise, one the unnormalised net cannot use), BN on the final layer only
 *  (one BN on the features entering the classifier: FINAL_BN in src/nets/types.ts) at its own
 *  best rate with a grid step to spare. Scored by final test accuracy on the whole test split
 *  (a diverged run counts as chance).
 * Preconditions (per seed; the record names any seed that fails): the unnormalised and the full-BN
 *  arms learned in every seed (validation accuracy ≥ 0.5: measured against a net at chance, the
 *  ratio says how close final-layer BN comes to full BN from nothing, not the paper's quantity);
 *  full BN's gain over no BN is significant (two-sided Welch p < 0.05: Fieller's condition for the
 *  ratio's interval to be bounded at all; below it no interval, delta-method or other, means
 *  anything). The earlier fixed minimum gain of 5 points is gone: it was above the gain measured
 *  among seeds that learn, so it failed for want of effect, not of seeds; significance at the
 *  power below replaces it.
 * Assertions:
 *  - "about two thirds": the point estimate lies in [0.5, 0.85] (2/3 with the reading error of
 *    the paper's numbers and then some);
 *  - final-layer BN recovers part of the gain, not none and not all: the 95 % CI excludes 0 and 1
 *    (delta method, Welch–Satterthwaite df: ratioOfDifferencesCI in src/stats/ratio.ts).
 * Seeds (power): the CI's half-width t·(σ/G)·√(1 + R² + (1 − R)²)/√n at R = 2/3 must be under 1/3
 *  (the distance from 2/3 to 1), with σ the per-arm spread and G the gain measured on calibration
 *  seeds that learned; docs/full-profile.md has the calculation.
 * Arms that fail in a few seeds: each arm is judged over the seeds it learned in, when it learned
 *  in most (exact binomial of "at most half", p < 0.05; the others named and left out): BN itself
 *  collapses at the high rate in some seeds, and the paper's ratio is between nets that trained.
 * Pre-registered for `full` on 2026-12-07, before its confirmatory runs (docs/full-profile.md):
 *  rates low 3e-3 (no BN), high 0.3 (BN), final-layer BN's best 3e-3 (its most accurate rate in
 *  the calibration sweep with a step to spare: 0.754, against 0.731 at 1e-2 and 0.741 at 0.03);
 *  per-arm spread over calibration seeds σ = 0.0119 (CALIBRATION_SD in the judge); the
 *  calibration's gain, BN at 0.3 − no BN at 3e-3 over the seeds that learned, is 0.0136: at that
 *  gain resolving the ratio would take 43 seeds per arm (three arms: ~130 runs, several hours on
 *  two cores, beyond the profile's 90 minutes). 8 are run (the runs of high-lr-benefit); the
 *  record says at the measured gain how many it would take. Expected: inconclusive for want of
 *  effect at this scale, unless the confirmatory gain is well above the calibration's.
 * Revised for `full` on 2026-12-07, after its confirmatory runs and before any run at 0.1
 *  (docs/full-profile.md, "Version 2"): BN everywhere at 0.3 learned in 6 of 8 seeds at
 *  BN_SEED=0 (7 needed). BN's rate is now 0.1 (the high rule's version 2, as in
 *  high-lr-benefit), where it learned in all eight calibration seeds 9000–9007; per-arm spread
 *  pooled over the calibration seeds at the claim's rates σ = 0.0085 (CALIBRATION_SD), gain BN 0.1
 *  − no BN 3e-3 0.0297 over eight seeds: 6 seeds per arm resolve the ratio; 8 are run. Ratio
 *  bounds, CI, share rule and seed count unchanged.
 * Version 3 of the schedule (2026-12-07, after version 2's confirmatory runs; docs/full-profile.md,
 *  "Version 3"): at `full` the rate is not cut before the window's training accuracy reaches 0.9
 *  (it was 0.2) and the cap is 8,000 steps (it was 4,000): cut on a noisy slope or capped on a slow
 *  start, one or two unnormalised seeds in sixteen did not converge at 3e-3. Rates, bounds, CI,
 *  share rule, CALIBRATION_SD and seed count unchanged (on the calibration seeds under version 3: gain BN 0.1 −
 *  no BN 3e-3 0.0274, per-arm spread pooled 0.0086; 7 seeds resolve the ratio, 8 are run).
 * Version 5 (2026-12-07, before its confirmatory runs; docs/full-profile.md, "Version 5"): the
 *  runs' images come from BN_DATA_SEED (default 0, the images calibration seeds 9000–9023 and
 *  base 0 trained on), no longer from BN_SEED: a seed base varies initialisation, batch order and
 *  augmentation over one set of images, as the paper's seeds do over CIFAR-10 (at 512 images BN's
 *  gain over the unnormalised net moved with the subset, on calibration seeds as at the bases).
 *  Seeds by version 5's rule (the smallest of 8, 12, 16 at which the precondition on the gain has
 *  power ≥ 0.8 on subset 0's calibration seeds: gain G = 0.0274, per-arm spread σ = 0.0086, the
 *  gain over n seeds about N(G, 2σ²/n)): at 8 seeds minGain is 0.0244 and the power 0.76; at 12,
 *  minGain 0.0193, power 0.99: **12 seeds per arm** (TRAINING_SCALES.full.claimSeeds). Bounds, CI,
 *  share rule and CALIBRATION_SD unchanged.
 * Version 6 of the schedule (2026-12-07, after version 5's run at BN_SEED=1000, before any run
 *  under it; docs/full-profile.md, "Version 6"): the step cap is 16,000 (it was 8,000). There the
 *  unnormalised net at 3e-3, seed 1009, met the 8,000 cap uncut and still climbing (eval-mode
 *  training accuracy 0.945, window accuracy 0.87–0.91 over its last 1,000 steps), as seed 17108
 *  had under version 4 (0.865): the cap is there to end runs that never stall, not a run at the
 *  low rate that is still learning. Runs that ended before the old cap are the same runs
 *  (src/runs/replay.ts); only those that met it train again. Nothing else changes.
 * Figure: the three arms' mean test accuracy with 95 % t-intervals over seeds, and the recovery.
 * Measured verdicts: claims/baseline*.json.
 */
import { FINAL_BN } from '../src/nets/types';
import { claim } from '../src/vitest/harness';
import { openTrainingClaim, readClaimRuns, trainingSeeds } from '../src/runs';
import { CALIBRATION_SD, judgeRecovery } from './final-layer-bn-recovers-two-thirds.judge';

claim('final-layer-bn-recovers-two-thirds', async (c) => {
  const { S, train, rates } = openTrainingClaim(c, () => ({ 'final-layer BN': FINAL_BN }));
  const ready = rates.low !== null && rates.high !== null && rates.bestFinal !== null;
  const runs = ready ? readClaimRuns('final-layer-bn-recovers-two-thirds', rates) : { none: [], final: [], all: [] };
  const j = judgeRecovery({ rates, why: rates.why, calibrationSd: CALIBRATION_SD, ...runs, chance: 1 / train.numClasses });
  c.adopt(j);
  if (!ready) return;
  // the judgement's numbers: each arm over the seeds it learned in, and the recovery
  const stat = (start: string) => j.statistics.find((s) => s.name.startsWith(start));
  const bar = (name: string, start: string) => {
    const s = stat(start);
    return { name, value: s?.value ?? NaN, ...(s?.ci ? { ci: s.ci } : {}) };
  };
  const r = stat('recovery');
  c.figure({
    kind: 'barsWithCI',
    title: 'Test accuracy: no BN, BN on the final layer only, BN everywhere',
    caption: `ResNet-${S.depth} w${S.width}, each arm at its own rate (no BN ${rates.low}, final-layer BN ${rates.bestFinal}, BN ${rates.high}); mean over the seeds each arm learned in (of ${trainingSeeds(S, 'final-layer-bn-recovers-two-thirds').length}), 95 % t-interval`,
    bars: [
      bar('no BN', 'test accuracy, no BN'),
      bar('BN, final layer only', 'test accuracy, BN on the final'),
      bar('BN everywhere', 'test accuracy, BN everywhere'),
    ],
    yLabel: 'test accuracy',
    yDomain: [0, 1],
    annotation: `recovery = ${(r?.value ?? NaN).toFixed(2)}${r?.ci ? ` [${r.ci[0].toFixed(2)}, ${r.ci[1].toFixed(2)}]` : ''} (paper: ≈ 2/3)`,
  });
});
