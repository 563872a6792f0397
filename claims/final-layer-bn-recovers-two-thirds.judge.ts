/**
 * final-layer-bn-recovers-two-thirds' judging (header of its spec): with the unnormalised and the
 * BN arm each learning in every seed and BN's gain over the unnormalised net significant, the
 * recovery (acc_final − acc_none) / (acc_all − acc_none) lies in [0.5, 0.85] and its 95 % CI
 * excludes 0 and 1.
 */
import { Judgement } from '../src/report/judgement';
import { describeOutcome, everySeedLearned, learned, list, testAccuracies, type RunResult } from '../src/runs';
import { mean } from '../src/stats/moments';
import { ratioOfDifferencesCI, type RatioInterval } from '../src/stats/ratio';
import { meanInterval, welchTTest } from '../src/stats/t-test';

export const TWO_THIRDS: [number, number] = [0.5, 0.85];

export interface RecoveryInput {
  rates: { low: number | null; high: number | null; bestFinal: number | null };
  why?: { low?: string; high?: string; bestFinal?: string };
  none: readonly RunResult[];
  final: readonly RunResult[];
  all: readonly RunResult[];
  chance: number;
}

/** The recovery and its interval; NaN where the ratio is undefined (no gain at all). */
export function recovery(none: number[], final: number[], all: number[]): RatioInterval {
  try {
    return ratioOfDifferencesCI(none, final, all);
  } catch {
    return { estimate: NaN, ci: [NaN, NaN], se: NaN, df: NaN, level: 0.95, denominatorT: 0 };
  }
}

export function judgeRecovery(o: RecoveryInput): Judgement {
  const j = new Judgement();
  const { low, high, bestFinal } = o.rates;
  const rates = [
    j.require("the sweep finds the unnormalised net's rate (the low rate)", low !== null, o.why?.low),
    j.require("the sweep finds BN's rate (the high rate)", high !== null, o.why?.high),
    j.require('the sweep finds the best rate of BN on the final layer', bestFinal !== null, o.why?.bestFinal),
  ].every(Boolean);
  if (!rates) return j;
  const acc = { none: testAccuracies(o.none, o.chance), final: testAccuracies(o.final, o.chance), all: testAccuracies(o.all, o.chance) };
  const label = { none: `no BN (lr ${low})`, final: `BN on the final layer only (lr ${bestFinal})`, all: `BN everywhere (lr ${high})` };
  for (const arm of ['none', 'final', 'all'] as const) {
    const runs = o[arm];
    const lost = runs.filter((r) => !learned(r));
    j.log(`${label[arm]}: test accuracy ${list(acc[arm])}${lost.length ? ` (${lost.map(describeOutcome).join('; ')})` : ''}`);
    j.stat(`test accuracy, ${label[arm]} (mean over seeds)`, mean(acc[arm]), { ci: meanInterval(acc[arm]) });
  }
  const gain = mean(acc.all) - mean(acc.none);
  const gainP = (() => {
    try {
      return welchTTest(acc.all, acc.none).p;
    } catch {
      return NaN; // every run of both arms at one value
    }
  })();
  const noneLearned = everySeedLearned(o.none);
  const allLearned = everySeedLearned(o.all);
  const ready = [
    j.require('the unnormalised arm learned in every seed', noneLearned.met, noneLearned.detail),
    j.require('the BN arm learned in every seed', allLearned.met, allLearned.detail),
    j.require(
      "full BN's gain over no BN is significant (two-sided Welch p < 0.05: Fieller's condition for a bounded interval of the ratio)",
      gainP < 0.05,
      `gain ${gain.toFixed(3)} (BN ${mean(acc.all).toFixed(3)}, no BN ${mean(acc.none).toFixed(3)}), p = ${gainP.toPrecision(3)}`,
    ),
  ].every(Boolean);
  const ci = recovery(acc.none, acc.final, acc.all);
  j.stat('recovery = (acc_final − acc_none) / (acc_all − acc_none)', ci.estimate, {
    ci: ci.ci,
    paper: '≈ 2/3',
    note: `95 % delta-method t-interval, ${ci.df.toFixed(1)} df; denominator ${ci.denominatorT.toFixed(1)} standard errors from 0${ready ? '' : "; a precondition was not met: not the paper's quantity"}`,
  });
  if (!ready) return j;
  j.check(
    `about two thirds: the recovery lies in [${TWO_THIRDS[0]}, ${TWO_THIRDS[1]}]`,
    ci.estimate >= TWO_THIRDS[0] && ci.estimate <= TWO_THIRDS[1],
    `recovery ${ci.estimate.toFixed(2)} [${ci.ci[0].toFixed(2)}, ${ci.ci[1].toFixed(2)}]`,
  );
  j.check(
    "part of the gain, not none and not all: the recovery's 95 % CI excludes 0 and 1",
    ci.ci[0] > 0 && ci.ci[1] < 1,
    `[${ci.ci[0].toFixed(2)}, ${ci.ci[1].toFixed(2)}]`,
  );
  return j;
}
