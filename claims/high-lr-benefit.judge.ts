/**
 * high-lr-benefit's judging (header of high-lr-benefit.spec.ts): with the unnormalised net learning
 * at the low rate in every seed, BN's high rate beats its low rate (one-sided paired t), and the
 * unnormalised net fails at the high rate in most seeds (exact binomial test).
 */
import { Judgement } from '../src/report/judgement';
import { describeOutcome, everySeedLearned, learned, list, testAccuracies, type RunResult } from '../src/runs';
import { binomialCriticalCount, binomialTest } from '../src/stats/binomial';
import { mean } from '../src/stats/moments';
import { pairedTTest } from '../src/stats/t-test';

/** H0 of the binomial test: the unnormalised net fails at the high rate in at most half of all seeds. */
export const FAIL_P0 = 0.5;
export const ALPHA = 0.05;

export interface BenefitInput {
  low: number | null;
  high: number | null;
  why?: { low?: string; high?: string };
  bnHigh: readonly RunResult[];
  bnLow: readonly RunResult[];
  noneHigh: readonly RunResult[];
  noneLow: readonly RunResult[];
  chance: number;
}

export function judgeBenefit(o: BenefitInput): Judgement {
  const j = new Judgement();
  const rates = [
    j.require('the sweep finds a low rate (the unnormalised net learns there and one grid step up)', o.low !== null, o.why?.low),
    j.require(
      'the sweep finds a high rate (the unnormalised net fails there and one grid step down; BN within its noise band of its best)',
      o.high !== null,
      o.why?.high,
    ),
  ].every(Boolean);
  if (!rates) return j;
  const accHigh = testAccuracies(o.bnHigh, o.chance);
  const accLow = testAccuracies(o.bnLow, o.chance);
  const accNoneLow = testAccuracies(o.noneLow, o.chance);
  const failed = o.noneHigh.filter((r) => !learned(r));
  const n = o.noneHigh.length;
  j.log(`BN test accuracy at lr ${o.high}: ${list(accHigh)}; at lr ${o.low}: ${list(accLow)}`);
  j.log(`no BN at lr ${o.high}: ${o.noneHigh.map(describeOutcome).join('; ')}`);
  j.stat('high rate', o.high!, { paper: '0.1' });
  j.stat('low rate', o.low!, { paper: '1e-4' });
  j.stat('BN test accuracy at the high rate (mean over seeds)', mean(accHigh), { paper: '~0.93' });
  j.stat('BN test accuracy at the low rate (mean over seeds)', mean(accLow), { paper: '~0.81' });
  j.stat('no BN at the low rate: test accuracy (mean over seeds)', mean(accNoneLow), { paper: '~0.82' });
  const modes = ['diverged', 'collapsed', 'did not learn'].map(
    (m) => `${o.noneHigh.filter((r) => describeOutcome(r).startsWith(m)).length} ${m}`,
  );
  j.stat('no BN at the high rate: share of seeds that fail', failed.length / n, {
    paper: 'diverges (not plotted)',
    note: `${modes.join(', ')}, of ${n}`,
  });

  // The contrast is with a rate the unnormalised net can use: it must learn there, in every seed.
  const noneLearned = everySeedLearned(o.noneLow);
  if (!j.require('the unnormalised net learned at the low rate in every seed', noneLearned.met, noneLearned.detail)) return j;

  const beats = 'with BN, the high rate beats the low rate: one-sided paired t across seeds, p < 0.05';
  let paired: ReturnType<typeof pairedTTest> | undefined;
  try {
    paired = pairedTTest(accHigh, accLow, { alternative: 'greater' });
  } catch {
    paired = undefined;
  }
  if (!paired) {
    j.check(
      beats,
      accHigh.every((a, i) => a > accLow[i]!),
      `every paired difference is ${(accHigh[0]! - accLow[0]!).toFixed(3)}: t is undefined, judged on the sign`,
    );
  } else {
    j.stat('BN: high − low rate test accuracy (mean paired difference)', paired.estimate!, {
      ci: paired.ci,
      p: paired.p,
      paper: '+0.025 (3e-3 → 0.1), +0.12 (1e-4 → 0.1)',
      note: 'one-sided paired t across seeds',
    });
    j.check(
      beats,
      paired.p < ALPHA,
      `difference ${paired.estimate!.toFixed(3)} (high ${list(accHigh)}; low ${list(accLow)}), p = ${paired.p.toPrecision(3)}`,
    );
  }
  const need = binomialCriticalCount(n, FAIL_P0, ALPHA);
  const p = binomialTest(failed.length, n, FAIL_P0, 'greater');
  j.check(
    `without BN, the high rate fails in most seeds: exact binomial test of H0 "fails in at most half", p < ${ALPHA} (${need > n ? `${n} seeds cannot reject it` : `${need} of ${n} needed`})`,
    p < ALPHA,
    `${failed.length} of ${n} failed (${modes.join(', ')}), p = ${p.toPrecision(3)}${failed.length < n ? `; survivors: ${o.noneHigh.filter(learned).map(describeOutcome).join('; ')}` : ''}`,
  );
  return j;
}
