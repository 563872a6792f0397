/**
 * The judging of input-independent-gradients (see the spec's header for the decisions and their
 * sources): from each seed's top-class share and concordance |Σ_b g_b| / Σ_b |g_b| of layer 55's
 * per-example kernel gradients, with and without BN, and the 99th percentile of each
 * concordance's sign-flip null: the share against "nearly every image", the concordance against
 * its null and against the boundary from theory, √r with r = √(π/2)/√B, and the two arms against
 * each other across seeds (one-sided Mann–Whitney). The paper's "two orders of magnitude" is
 * reported, not asserted.
 */
import { attempt, type Judgement, type JudgedCheck, type JudgedStatistic } from '../src/report/judged';
import { mannWhitneyU } from '../src/stats/mann-whitney';
import { median } from '../src/stats/moments';
import { isUndefined } from '../src/stats/types';

export const LAYER_DEPTH = 55;
/** "Nearly every image": at most one image in ten predicted as another class. */
export const NEARLY_ALL = 0.9;
/** Draws of the sign-flip null per seed and arm. */
export const NULL_DRAWS = 400;
/** The one-sided Mann–Whitney test's level. */
export const MW_ALPHA = 0.01;

export interface InputDependenceInput {
  /** the batch size B: random-sign (input-dependent) terms give a concordance of ≈ √(π/2)/√B */
  batch: number;
  /** per seed, the share of the batch predicted as its most common class, without and with BN */
  share: { none: number[]; all: number[] };
  /** per seed, the median over kernel entries of |Σ_b g_b| / Σ_b |g_b|, without and with BN */
  concordance: { none: number[]; all: number[] };
  /** per seed, the 99th percentile of the concordance's sign-flip null, without and with BN */
  nullQ99: { none: number[]; all: number[] };
}

/** The concordance of B independent random-sign terms, √(π/2)/√B (shared signs give ≈ 1). */
export const randomLevel = (batch: number) => Math.sqrt(Math.PI / 2 / batch);
/** The boundary between random and shared signs: their geometric midpoint √r. */
export const boundary = (batch: number) => Math.sqrt(randomLevel(batch));

/** The median, NaN where it does not exist (no values, or a non-finite one). */
const medianOrNaN = (v: number[]) => (v.length && v.every(Number.isFinite) ? median(v) : NaN);
const list = (v: number[]) => v.map((r) => r.toFixed(3)).join(', ');

export function judgeInputDependence(input: InputDependenceInput): Judgement {
  const { batch, share, concordance: conc, nullQ99: q99 } = input;
  const stats: JudgedStatistic[] = [];
  const checks: JudgedCheck[] = [];
  const ratios = conc.none.map((v, i) => v / conc.all[i]!);
  const r = randomLevel(batch);
  const b = boundary(batch);
  const mw = attempt(() => mannWhitneyU(conc.none, conc.all, { alternative: 'greater' }));
  const shareNone = medianOrNaN(share.none);

  stats.push(
    {
      name: 'top-class share without BN (median over seeds)',
      value: shareNone,
      paper: 'one bright column (≈ 1)',
      note: `per seed ${share.none.join(', ')}`,
    },
    { name: 'top-class share with BN (median)', value: medianOrNaN(share.all), paper: 'no single column' },
    {
      name: 'concordance |Σ_b g_b| / Σ_b |g_b| without BN (median over seeds)',
      value: medianOrNaN(conc.none),
      paper: '≈ 1',
      note: `per seed ${list(conc.none)}; sign-flip 99 % ${list(q99.none)}`,
    },
    {
      name: 'concordance |Σ_b g_b| / Σ_b |g_b| with BN (median over seeds)',
      value: medianOrNaN(conc.all),
      paper: '≈ 0.01',
      note: `per seed ${list(conc.all)}; sign-flip 99 % ${list(q99.all)}`,
    },
    {
      name: 'concordance ratio no BN / BN (median over seeds)',
      value: medianOrNaN(ratios),
      paper: '~100×',
      note: `per seed ${ratios.map((x) => x.toFixed(1)).join(', ')}; random signs at B = ${batch}: ≈ ${(1 / r).toFixed(1)}×`,
    },
    {
      name: 'Mann–Whitney U, concordance no BN > BN',
      value: isUndefined(mw) ? NaN : mw.statistic,
      ...(isUndefined(mw) ? { note: mw.undefined } : { p: mw.p }),
    },
  );

  checks.push(
    {
      description: `without BN nearly every image is predicted as one class: median top-class share over seeds ≥ ${NEARLY_ALL}`,
      passed: shareNone >= NEARLY_ALL,
      detail: `shares ${share.none.join(', ')}`,
    },
    {
      description:
        "without BN per-example kernel gradients share their sign: concordance above the sign-flip null's 99th percentile in every seed",
      passed: conc.none.every((v, i) => v > q99.none[i]!),
      detail: `concordance ${list(conc.none)}; 99 % ${list(q99.none)}`,
    },
    {
      description: `without BN the concordance is nearer full agreement than random signs: above √r = ${b.toFixed(3)} in every seed`,
      passed: conc.none.every((v) => v > b),
      detail: `concordance ${list(conc.none)}`,
    },
    {
      description: `with BN the concordance is nearer random signs than full agreement: below √r = ${b.toFixed(3)} in every seed`,
      passed: conc.all.every((v) => v < b),
      detail: `concordance ${list(conc.all)}`,
    },
    {
      description: `one-sided Mann–Whitney across seeds: p < ${MW_ALPHA}`,
      passed: !isUndefined(mw) && mw.p < MW_ALPHA,
      detail: isUndefined(mw) ? mw.undefined : `p = ${mw.p.toPrecision(3)}`,
    },
  );
  return { statistics: stats, checks, preconditions: {} };
}
