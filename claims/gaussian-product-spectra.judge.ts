/**
 * The judging of gaussian-product-spectra (see the spec's header for the decisions and their
 * sources). The real check is the moments of s² within a stated tolerance of the Fuss–Catalan
 * law, as an equivalence test over seeds (TOST at 5 %: the 90 % t-interval of the mean of
 * m_k / FC_k inside 1 ± 10 %); with it, the share of small singular values and the condition
 * number grow with M. A KS test that "does not reject" is not a pass: its distance is recorded.
 */
import type { Profile } from '../src/config';
import { fmt, type Judgement, type JudgedCheck, type JudgedStatistic } from '../src/report/judged';
import type { SpectrumSummary } from '../src/rmt/spectrum-summary';
import { median } from '../src/stats/moments';
import { equivalenceOfMean } from '../src/stats/t-test';
import { isUndefined } from '../src/stats/types';

export const MS = [1, 3, 5];
export const EPS = 0.1;
/** Moments of s² within this relative tolerance of Fuss–Catalan (finite-N bias and spread: a few % at N = 200). */
export const MOMENT_TOLERANCE = 0.1;
/** The moments asserted: k = 1, 2. The third is recorded: at N = 200 and M = 5 its finite-N bias is the tolerance's size (docs/probe-claims.md, section 2). */
export const MOMENTS = [1, 2];
export const RECORDED_MOMENTS = [3];
/** Seeds: enough for the 90 % interval of moment 2 at M = 5 (bias +5 %, sd 0.08 on calibration seeds) to fit inside 10 % with power ≈ 0.99. */
export const N_SEEDS = 40;
export const matrixSize = (profile: Profile) => (profile === 'paper' ? 1000 : 200);
const PAPER_TOP: Record<number, string> = { 1: '2', 3: '~3.1', 5: '~3.9' };

/** What the judge reads of each seed's spectrum (src/rmt spectrumSummary). */
export type SpectrumRun = Pick<
  SpectrumSummary,
  'moments' | 'shareBelow' | 'conditionNumber' | 'ks' | 'topSingularValue' | 'theoreticalTop'
>;

export interface SpectraInput {
  N: number;
  /** per M of MS: the runs over seeds, and the exact finite-N sd of one run's first moment */
  byM: { M: number; runs: SpectrumRun[]; m1Sd: number }[];
}

export function judgeSpectra(input: SpectraInput): Judgement {
  const stats: JudgedStatistic[] = [];
  const checks: JudgedCheck[] = [];
  const shares: number[] = [];
  const conds: number[] = [];
  for (const { M, runs, m1Sd } of input.byM) {
    for (const k of [...MOMENTS, ...RECORDED_MOMENTS]) {
      const asserted = MOMENTS.includes(k);
      const theory = runs[0]!.moments[k - 1]!.theory;
      const rel = runs.map((s) => s.moments[k - 1]!.empirical / s.moments[k - 1]!.theory);
      const e = equivalenceOfMean(rel, 1 - MOMENT_TOLERANCE, 1 + MOMENT_TOLERANCE);
      const meanMoment = runs.reduce((a, s) => a + s.moments[k - 1]!.empirical, 0) / runs.length;
      const z = k === 1 ? (meanMoment - 1) / (m1Sd / Math.sqrt(runs.length)) : undefined;
      stats.push({
        name: `M=${M}: moment ${k} of s² / Fuss–Catalan's (mean over seeds)`,
        value: isUndefined(e) ? NaN : e.estimate,
        ...(isUndefined(e) ? {} : { ci: e.ci }),
        paper: `1 (Fuss–Catalan moment ${fmt(theory)})`,
        note: `${asserted ? '' : 'recorded, not asserted (finite-N bias at N = 200: docs/probe-claims.md); '}90 % t-interval; mean moment ${fmt(meanMoment, 5)}${z === undefined ? '' : `, ${z.toFixed(2)} exact finite-N standard errors from 1 (recorded, not asserted)`}`,
      });
      if (asserted)
        checks.push({
          description: `M=${M}: moment ${k} of s² equivalent to Fuss–Catalan's ${fmt(theory)} within ±${MOMENT_TOLERANCE * 100} %: the 90 % t-interval of mean m_${k}/FC_${k} inside [${1 - MOMENT_TOLERANCE}, ${1 + MOMENT_TOLERANCE}] (TOST at 5 %)`,
          passed: !isUndefined(e) && e.equivalent,
          detail: isUndefined(e) ? e.undefined : `${e.estimate.toFixed(4)} [${e.ci.map((v) => v.toFixed(4)).join(', ')}]`,
        });
    }
    stats.push({
      name: `M=${M}: KS distance of s² to Fuss–Catalan (max over seeds)`,
      value: Math.max(...runs.map((s) => s.ks.D)),
      p: Math.min(...runs.map((s) => s.ks.p)),
      note: 'recorded, not asserted ("does not reject" is no evidence of agreement); p conservative: eigenvalues are more regular than i.i.d. draws',
    });
    stats.push({
      name: `M=${M}: top singular value (median)`,
      value: median(runs.map((s) => s.topSingularValue)),
      paper: PAPER_TOP[M] ?? '',
      note: `theory √edge = ${runs[0]!.theoreticalTop.toFixed(3)}`,
    });
    shares.push(runs.reduce((a, s) => a + s.shareBelow.empirical, 0) / runs.length);
    conds.push(median(runs.map((s) => Math.min(s.conditionNumber, Number.MAX_VALUE))));
    stats.push({
      name: `M=${M}: share of singular values below ${EPS}`,
      value: shares.at(-1)!,
      note: `Fuss–Catalan predicts ${runs[0]!.shareBelow.theory.toFixed(4)}`,
    });
    stats.push({ name: `M=${M}: condition number (median)`, value: conds.at(-1)! });
  }
  const increasing = (v: number[]) => v.every((x, i) => i === 0 || x > v[i - 1]!);
  checks.push(
    {
      description: `the share of singular values below ${EPS} increases with M`,
      passed: increasing(shares),
      detail: shares.map((s) => s.toFixed(4)).join(' < '),
    },
    {
      description: 'the condition number increases with M',
      passed: increasing(conds),
      detail: conds.map((s) => s.toExponential(2)).join(' < '),
    },
  );
  return { statistics: stats, checks, preconditions: {} };
}
