/**
 * low-lr-parity's judging (header of low-lr-parity.spec.ts): at the low rate, with and without BN,
 * each net learned in most seeds (version 4: a seed where either net failed is named and left out
 * with its pair, as the recovery claim does), and every pair judged converged; then TOST of the
 * paired test-accuracy difference within ±δ over those pairs.
 */
import { Judgement } from '../src/report/judgement';
import { seedOutcome, everySeedConverged, learned, list, mostSeeds, testAccuracies, type RunResult } from '../src/runs';
import { mean } from '../src/stats/moments';
import { tostPaired } from '../src/stats/t-test';

/** δ: accuracy as a fraction (2 percentage points; why: the spec's header) */
export const MARGIN = 0.02;

export interface ParityInput {
  low: number | null;
  /** why the sweep found no low rate */
  why?: string;
  /** at the low rate, by seed (the same seeds in both) */
  none: readonly RunResult[];
  bn: readonly RunResult[];
  chance: number;
}

export function judgeParity(o: ParityInput): Judgement {
  const j = new Judgement();
  if (!j.require('the sweep finds a low rate (the unnormalised net learns there and one grid step up)', o.low !== null, o.why)) return j;
  const allNone = testAccuracies(o.none, o.chance);
  const allBn = testAccuracies(o.bn, o.chance);
  j.log(`lr ${o.low}: test accuracy with BN ${list(allBn)}; without ${list(allNone)}`);
  const noneLearned = mostSeeds(o.none, learned, seedOutcome);
  const bnLearned = mostSeeds(o.bn, learned, seedOutcome);
  // the pairs judged: seeds where both nets learned ("a small learning rate that the unnormalised net survives")
  const kept = noneLearned.kept.filter((i) => bnLearned.kept.includes(i));
  const none = kept.map((i) => o.none[i]!);
  const bn = kept.map((i) => o.bn[i]!);
  const accNone = kept.map((i) => allNone[i]!);
  const accBn = kept.map((i) => allBn[i]!);
  j.stat('low rate', o.low!, { paper: '1e-4' });
  j.stat('test accuracy with BN at the low rate (mean over seeds)', mean(accBn), { paper: '~0.81' });
  j.stat('test accuracy without BN at the low rate (mean over seeds)', mean(accNone), { paper: '~0.82' });
  for (const [label, runs] of [
    ['with BN', bn],
    ['without BN', none],
  ] as const) {
    const t = runs.map((r) => r.final.trainEvalAcc ?? NaN);
    j.stat(`training accuracy ${label} (eval mode, un-augmented training images; mean over seeds)`, mean(t), {
      paper: '~1.0',
      note: `per seed ${list(t)}`,
    });
  }

  const noneConv = everySeedConverged(none);
  const bnConv = everySeedConverged(bn);
  const ready = [
    j.require(
      'the unnormalised net learned at the low rate in most seeds (exact binomial test of "at most half", p < 0.05; a seed where it did not is left out with its pair)',
      noneLearned.met,
      noneLearned.detail,
    ),
    j.require(
      'the BN net learned at the low rate in most seeds (exact binomial test of "at most half", p < 0.05; a seed where it did not is left out with its pair)',
      bnLearned.met,
      bnLearned.detail,
    ),
    j.require('the unnormalised net converged in every pair judged (training accuracy ≥ 0.95)', noneConv.met, noneConv.detail),
    j.require('the BN net converged in every pair judged (training accuracy ≥ 0.95)', bnConv.met, bnConv.detail),
  ].every(Boolean);
  if (!ready) return j;

  const claimText = `same accuracy: TOST (paired by seed) within ±${MARGIN * 100} points, p < 0.05`;
  let tost: ReturnType<typeof tostPaired> | undefined;
  try {
    tost = tostPaired(accBn, accNone, MARGIN);
  } catch {
    tost = undefined; // every paired difference the same: t undefined
  }
  if (!tost) {
    const d = accBn[0]! - accNone[0]!;
    j.check(
      claimText,
      Math.abs(d) < MARGIN,
      `every paired difference is ${(d * 100).toFixed(2)} points: t is undefined, judged on the value`,
    );
    return j;
  }
  j.stat('difference with − without BN', tost.estimate, {
    ci: tost.ci,
    p: tost.p,
    paper: '≈ −0.01',
    note: `TOST within ±${MARGIN}: ${(tost.level * 100).toFixed(0)} % CI and p = the larger of the two one-sided tests`,
  });
  j.check(
    claimText,
    tost.p < 0.05,
    `difference ${(tost.estimate * 100).toFixed(2)} points, 90 % CI [${(tost.ci[0] * 100).toFixed(2)}, ${(tost.ci[1] * 100).toFixed(2)}], p = ${tost.p.toPrecision(3)}`,
  );
  return j;
}
