/**
 * low-lr-parity — paper Fig. 1.
 * "At a small learning rate that the unnormalised net survives, networks with and without BN reach
 *  the same accuracy." Paper: lr = 1e-4, ResNet-110 on CIFAR-10 after the full schedule: test
 *  accuracy ~81 % with BN, ~82 % without; train accuracy both ~100 %.
 *
 * Experiment: the training protocol of src/runs (SGD, momentum 0.9, weight decay
 * 5e-4, the rate cut ×0.1 at half of training, augmentation, Glorot). The low rate is not chosen by
 * hand: a sweep (one run per arm and grid rate, at a seed of its own) picks the unnormalised net's
 * best rate among those it survives with a grid step to spare. At that rate every seed trains the
 * ResNet with BN and without (same seed: same initial kernels and batches).
 * Preconditions (c.require; when one is not met the verdict is inconclusive, with the value):
 *  - the unnormalised net survives the low rate in every seed (neither diverges nor collapses);
 *  - both nets learned: mean test accuracy ≥ 0.5 in each arm (chance 0.1), so that equivalence
 *    cannot come from two nets that both stayed at chance (LEARNED in src/runs);
 *  - both nets converged: last-epoch train accuracy ≥ 0.95 in each arm (Fig. 1 is an end-of-
 *    training result, train accuracy ~100 %; CONVERGED there).
 * Assertion:
 *  - equivalence: TOST (two one-sided paired t-tests, paired by seed: same initial kernels, batch
 *    order and augmentation) of test accuracy with BN − without BN within ±δ, δ = 2 percentage
 *    points, p < 0.05. Why 2 points: the paper's own gap at this rate is 1 point (82 vs 81) and the
 *    effect it sets against it, BN's benefit at the high rate, is ~12 points (81 → 93); a margin of
 *    twice the paper's gap and a sixth of the effect it contrasts says "the same accuracy" as the
 *    paper means it. Fixed before any run was looked at.
 * Seeds (power): TOST can show equivalence only when the 90 % CI of the difference fits inside
 *  ±δ; with a true difference 0, that needs t_{.95, n−1}·σ/√n < δ (halfWidthSize in
 *  src/stats/power.ts), σ the spread of the paired difference on calibration seeds.
 * Scale: smoke = ResNet-56 width 4, 14x14 Fashion-MNIST, 2,048 images, batch 64, 6 epochs
 *  (192 steps), 3 seeds (TRAINING_SCALES.smoke; why this depth: claims/high-lr-benefit.spec.ts);
 *  paper = ResNet-110 width 16 on CIFAR-10, 160 epochs, 5 seeds.
 * Last evidence (smoke, 2026-12-02, wasm): inconclusive at BN_SEED = 0, 1000, 2000
 *  (claims/baseline.json). Low rate 0.003: the unnormalised net survives it in every seed but stays
 *  at chance (test accuracy 0.114 and 0.113 at BN_SEED = 0 and 1000), and neither net converges in
 *  192 steps (last-epoch train accuracy 0.48 / 0.56 with BN, 0.12 / 0.10 without). (Before the
 *  preconditions this claim read "fails" at BN_SEED=0 and crashed at 1000 on a mean over a
 *  non-finite train accuracy.)
 */
import { claim } from '../src/vitest/harness';
import {
  accuracyCurves,
  openTrainingClaim,
  readClaimRuns,
  CONVERGED,
  describeAccuracies,
  LEARNED,
  survived,
  sweepSummary,
  testAccuracies,
  trainingSeeds,
  type RunResult,
} from '../src/runs';
import { mean, meanOfFinite } from '../src/stats/moments';
import { tostPaired } from '../src/stats/t-test';

const MARGIN = 0.02; // δ: accuracy as a fraction (2 percentage points)

claim('low-lr-parity', async (c) => {
  const { S, train, sweep } = openTrainingClaim(c, (S) => ({
    'sweep grid': S.sweep.grid.join(', '),
    'sweep epochs': S.sweep.epochs,
    margin: MARGIN,
  }));
  const low = sweep.low;
  if (low === null) {
    c.require('the sweep finds a rate the unnormalised net survives with a grid step to spare', false, sweepSummary(sweep));
    return;
  }

  const { none, bn } = readClaimRuns('low-lr-parity', sweep);
  const chance = 1 / train.numClasses;
  const accNone = testAccuracies(none, chance);
  const accBn = testAccuracies(bn, chance);
  c.log(
    `lr ${low}: test accuracy with BN ${accBn.map((a) => a.toFixed(3)).join(', ')}; without ${accNone.map((a) => a.toFixed(3)).join(', ')}`,
  );

  c.stat('low rate', low, { paper: '1e-4' });
  c.stat('test accuracy with BN at the low rate (mean over seeds)', mean(accBn), { paper: '~0.81' });
  c.stat('test accuracy without BN at the low rate (mean over seeds)', mean(accNone), { paper: '~0.82' });
  const trainAcc = { bn: meanOfFinite(bn.map((r) => r.final.trainAcc)), none: meanOfFinite(none.map((r) => r.final.trainAcc)) };
  for (const [label, t] of [
    ['with BN', trainAcc.bn],
    ['without BN', trainAcc.none],
  ] as const)
    c.stat(`train accuracy ${label} (mean, last epoch)`, t.mean, {
      paper: '~1.0',
      note: t.dropped ? `${t.dropped} run(s) without a finite last-epoch accuracy (diverged) left out` : undefined,
    });

  // Parity means something only between two nets that both trained to the end.
  const ready = [
    c.require('the unnormalised net survives the low rate in every seed', none.every(survived), describe(none)),
    c.require(
      `both nets learned: mean test accuracy ≥ ${LEARNED} in each arm (chance ${chance})`,
      mean(accBn) >= LEARNED && mean(accNone) >= LEARNED,
      `with BN ${describeAccuracies(accBn)}, without ${describeAccuracies(accNone)}`,
    ),
    c.require(
      `both nets converged: last-epoch train accuracy ≥ ${CONVERGED} in each arm (the paper: ~100 %)`,
      trainAcc.bn.mean >= CONVERGED && trainAcc.none.mean >= CONVERGED,
      `with BN ${trainAcc.bn.mean.toFixed(3)}, without ${trainAcc.none.mean.toFixed(3)}`,
    ),
  ].every(Boolean);
  if (ready) {
    let tost: ReturnType<typeof tostPaired> | undefined;
    try {
      tost = tostPaired(accBn, accNone, MARGIN);
    } catch {
      tost = undefined; // every paired difference the same: t undefined
    }
    if (!tost) {
      const d = accBn[0]! - accNone[0]!;
      c.check(
        `same accuracy: TOST within ±${MARGIN * 100} points, p < 0.05`,
        Math.abs(d) < MARGIN,
        `every paired difference is ${(d * 100).toFixed(2)} points: t is undefined, judged on the value`,
      );
    } else {
      c.stat('difference with − without BN', tost.estimate, {
        ci: tost.ci,
        p: tost.p,
        paper: '≈ −0.01',
        note: `TOST (paired by seed) within ±${MARGIN}: ${(tost.level * 100).toFixed(0)} % CI and p = max of the two one-sided tests`,
      });
      c.check(
        `same accuracy: TOST within ±${MARGIN * 100} points, p < 0.05`,
        tost.p < 0.05,
        `difference ${(tost.estimate * 100).toFixed(2)} points, 90 % CI [${(tost.ci[0] * 100).toFixed(2)}, ${(tost.ci[1] * 100).toFixed(2)}], p = ${tost.p.toPrecision(3)}`,
      );
    }
  }

  c.figure(
    accuracyCurves({
      title: `Accuracy at the low rate (lr = ${low}) with and without BN`,
      caption: `ResNet-${S.depth} w${S.width}, ${S.trainImages} images, ${S.epochs} epochs; mean of ${trainingSeeds().length} seeds, min–max shaded`,
      arms: [
        { name: `lr=${low} (with BN)`, runs: bn },
        { name: `lr=${low} (w/o BN)`, runs: none },
      ],
    }),
  );
});

function describe(runs: RunResult[]): string {
  return runs
    .map(
      (r) =>
        `seed ${r.spec.seed}: ${r.diverged ? `diverged at step ${r.diverged.step}` : r.collapsed ? 'collapsed' : `test acc ${r.final.testAcc?.toFixed(3)}`}`,
    )
    .join('; ');
}
