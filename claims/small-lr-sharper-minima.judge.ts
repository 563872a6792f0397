/**
 * small-lr-sharper-minima's judging (header of its spec): BN nets trained at the low rate against
 * BN nets at the high rate, compared at a matched training loss; one-sided paired t on log sharpness.
 */
import { Judgement } from '../src/report/judgement';
import { everySeedLearned, list, type RunResult } from '../src/runs';
import { meanOfFinite } from '../src/stats/moments';
import { meanInterval, pairedTTest, welchTTest } from '../src/stats/t-test';

export interface SharpnessInput {
  low: number | null;
  high: number | null;
  why?: { low?: string; high?: string };
  matchedLoss: number;
  bnLow: readonly RunResult[];
  bnHigh: readonly RunResult[];
  noneLow: readonly RunResult[];
}

export const atMatch = (runs: readonly RunResult[]) => runs.map((r) => r.sharpness?.matched?.value ?? NaN);
const atEnd = (runs: readonly RunResult[]) => runs.map((r) => r.sharpness?.final.value ?? NaN);
const where = (runs: readonly RunResult[]) =>
  runs
    .map((r) => (r.sharpness?.matched ? `step ${r.sharpness.matched.step} (loss ${r.sharpness.matched.trainLoss.toFixed(3)})` : 'never'))
    .join(', ');

export function judgeSharpness(o: SharpnessInput): Judgement {
  const j = new Judgement();
  const rates = [
    j.require('the sweep finds a low rate (the unnormalised net learns there and one grid step up)', o.low !== null, o.why?.low),
    j.require(
      'the sweep finds a high rate (the unnormalised net fails there; BN within its noise band of its best)',
      o.high !== null,
      o.why?.high,
    ),
  ].every(Boolean);
  if (!rates) return j;
  const sLow = atMatch(o.bnLow);
  const sHigh = atMatch(o.bnHigh);
  j.log(
    `BN sharpness at training loss ≤ ${o.matchedLoss}: lr ${o.low}: ${list(sLow, 2)} at ${where(o.bnLow)}; lr ${o.high}: ${list(sHigh, 2)} at ${where(o.bnHigh)}`,
  );
  j.stat('small rate', o.low!);
  j.stat('large rate', o.high!);
  const finite = (xs: number[]) => xs.filter(Number.isFinite);
  const interval = (xs: number[]): [number, number] | undefined => (finite(xs).length ? meanInterval(finite(xs)) : undefined);
  j.stat('BN: sharpness at the matched loss after the small rate (mean over seeds)', meanOfFinite(sLow).mean, {
    ci: interval(sLow),
    note: `filter-normalised curvature; reached at ${where(o.bnLow)}`,
  });
  j.stat('BN: sharpness at the matched loss after the large rate (mean over seeds)', meanOfFinite(sHigh).mean, {
    ci: interval(sHigh),
    note: `reached at ${where(o.bnHigh)}`,
  });
  j.stat('BN: sharpness at the end, small rate (mean over seeds)', meanOfFinite(atEnd(o.bnLow)).mean, {
    note: 'recorded, not asserted: the runs end at different losses',
  });
  j.stat('BN: sharpness at the end, large rate (mean over seeds)', meanOfFinite(atEnd(o.bnHigh)).mean, { note: 'recorded, not asserted' });

  const noneLearned = everySeedLearned(o.noneLow);
  const highLearned = everySeedLearned(o.bnHigh);
  const lowLearned = everySeedLearned(o.bnLow);
  const reached = [...o.bnLow, ...o.bnHigh].every((r) => r.sharpness?.matched);
  const ready = [
    j.require('the unnormalised net learned at the small (low) rate in every seed', noneLearned.met, noneLearned.detail),
    j.require(
      'the BN nets learned at both rates in every seed',
      highLearned.met && lowLearned.met,
      `small: ${lowLearned.detail}; large: ${highLearned.detail}`,
    ),
    j.require(
      `every run reached the matched training loss ${o.matchedLoss}`,
      reached,
      `lr ${o.low}: ${where(o.bnLow)}; lr ${o.high}: ${where(o.bnHigh)}`,
    ),
    j.require(
      'the sharpness at the matched loss is finite and positive in every run',
      [...sLow, ...sHigh].every((v) => Number.isFinite(v) && v > 0),
      `small ${list(sLow, 2)}; large ${list(sHigh, 2)}`,
    ),
  ].every(Boolean);
  if (!ready) return j;
  const claimText = 'BN: sharper at the matched loss after the small rate: one-sided paired t on log sharpness, p < 0.05';
  let paired: ReturnType<typeof pairedTTest>;
  try {
    paired = pairedTTest(sLow.map(Math.log), sHigh.map(Math.log), { alternative: 'greater' });
  } catch {
    j.check(
      claimText,
      sLow.every((v, i) => v > sHigh[i]!),
      'every seed gives the same ratio: t is undefined, judged on the sign',
    );
    return j;
  }
  j.stat('BN: sharpness ratio small / large rate at the matched loss (geometric mean over seeds)', Math.exp(paired.estimate!), {
    ci: [Math.exp(paired.ci![0]), Infinity],
    p: paired.p,
    paper: '> 1 (sharper after the small rate)',
    note: `one-sided paired t on log sharpness; per seed ${sLow.map((v, i) => (v / sHigh[i]!).toPrecision(3)).join(', ')}`,
  });
  const raw = welchTTest(sLow, sHigh, { alternative: 'greater' });
  j.stat('BN: sharpness small − large rate at the matched loss', raw.estimate!, {
    p: raw.p,
    note: 'one-sided Welch t on the raw values (recorded, not asserted)',
  });
  j.check(claimText, paired.p < 0.05, `ratio ${Math.exp(paired.estimate!).toPrecision(3)}, p = ${paired.p.toPrecision(3)}`);
  return j;
}
