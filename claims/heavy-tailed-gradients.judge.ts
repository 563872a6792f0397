/**
 * The judging of heavy-tailed-gradients (see the spec's header for the decisions and their
 * sources): from each seed's layer-55 kernel gradient with and without BN, its excess kurtosis
 * and its standard deviation. The scale ratio is reported as a geometric mean over seeds with its
 * two-sided 95 % t-interval, and the asserted quantity, the one-sided 95 % lower confidence bound
 * of that geometric mean, as a statistic of its own (until issue 23 the record's "ci" was
 * [that bound, the largest seed], which is not an interval).
 */
import { fmt, type Judgement, type JudgedCheck, type JudgedStatistic } from '../src/report/judged';
import { mannWhitneyU } from '../src/stats/mann-whitney';
import { median } from '../src/stats/moments';
import { meanBound, meanInterval } from '../src/stats/t-test';
import { isUndefined } from '../src/stats/types';

export const LAYER_DEPTH = 55;
/** The Laplace distribution's excess kurtosis: exponential tails (the Gaussian's is 0). */
export const LAPLACE_KURTOSIS = 3;
/** Without BN the gradients are larger by an order of magnitude at least. */
export const SCALE_RATIO = 10;

export interface HeavyTailInput {
  /** per seed, excess kurtosis of the gradient without and with BN */
  kurtosis: { none: number[]; all: number[] };
  /** per seed, standard deviation of the gradient without and with BN */
  sd: { none: number[]; all: number[] };
}

export function judgeHeavyTails(input: HeavyTailInput): Judgement {
  const { kurtosis: kurt, sd } = input;
  const stats: JudgedStatistic[] = [];
  const checks: JudgedCheck[] = [];
  const mw = mannWhitneyU(kurt.none, kurt.all, { alternative: 'greater' });
  const ratios = sd.none.map((v, i) => v / sd.all[i]!);
  const logs = ratios.map(Math.log);
  const b = meanBound(logs, { side: 'lower', mu: Math.log(SCALE_RATIO) });

  stats.push(
    { name: 'excess kurtosis without BN (median over seeds)', value: median(kurt.none), paper: 'heavy tails (log y-axis needed)' },
    { name: 'excess kurtosis with BN (median over seeds)', value: median(kurt.all), paper: 'bell-shaped (≈ 0)' },
    { name: 'Mann–Whitney U, kurtosis no BN > BN', value: mw.statistic, p: mw.p },
    { name: 'gradient std without BN (median)', value: median(sd.none), paper: 'spread over ±4' },
    { name: 'gradient std with BN (median)', value: median(sd.all), paper: 'within ±0.04' },
    {
      name: 'std ratio no BN / BN (geometric mean over seeds)',
      value: isUndefined(b) ? NaN : Math.exp(b.estimate),
      ...(logs.every(Number.isFinite) && logs.length > 1 ? { ci: meanInterval(logs).map(Math.exp) as [number, number] } : {}),
      paper: '~100×',
      note: `two-sided 95 % t-interval of the geometric mean; per seed ${ratios.map((r) => r.toFixed(1)).join(', ')}`,
    },
    {
      name: 'std ratio no BN / BN: one-sided 95 % lower confidence bound of the geometric mean',
      value: isUndefined(b) ? NaN : Math.exp(b.bound),
      ...(isUndefined(b) ? {} : { p: b.p }),
      paper: `> ${SCALE_RATIO} (asserted)`,
      note: isUndefined(b) ? b.undefined : `t bound of the mean log ratio; p of H0: geometric mean ≤ ${SCALE_RATIO}`,
    },
  );

  checks.push(
    {
      description: 'excess kurtosis without BN exceeds with BN in every seed',
      passed: kurt.none.every((k, i) => k > kurt.all[i]!),
      detail: `no BN ${kurt.none.map((k) => k.toFixed(2)).join(', ')}; BN ${kurt.all.map((k) => k.toFixed(2)).join(', ')}`,
    },
    { description: 'one-sided Mann–Whitney across seeds: p < 0.01', passed: mw.p < 0.01, detail: `p = ${mw.p.toPrecision(3)}` },
    {
      description: `without BN heavy-tailed: median excess kurtosis > ${LAPLACE_KURTOSIS} (the Laplace's)`,
      passed: median(kurt.none) > LAPLACE_KURTOSIS,
      detail: `median ${median(kurt.none).toFixed(2)}`,
    },
    {
      description: `with BN near-Gaussian: median excess kurtosis < ${LAPLACE_KURTOSIS} (the Laplace's)`,
      passed: median(kurt.all) < LAPLACE_KURTOSIS,
      detail: `median ${median(kurt.all).toFixed(2)}`,
    },
    {
      description: `gradient scale without BN ≥ ${SCALE_RATIO}× with BN: one-sided 95 % lower confidence bound of the geometric-mean ratio over seeds above ${SCALE_RATIO}`,
      passed: !isUndefined(b) && b.bound > Math.log(SCALE_RATIO),
      detail: isUndefined(b)
        ? b.undefined
        : `lower bound ${fmt(Math.exp(b.bound))}×; per seed ${ratios.map((r) => r.toFixed(1)).join(', ')}`,
    },
  );
  return { statistics: stats, checks, preconditions: {} };
}
