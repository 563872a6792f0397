/**
 * The judging of moments-explode-in-divergent-step (see the spec's header for the decisions and
 * their sources): from each seed's moments along the diverging step, the growth of the variance
 * at the paper's layers 8, 44 and 80, the paired late-against-early test, the BN contrast, and
 * what is recorded without being asserted.
 */
import type { LayerTrace } from '../src/probes/divergent-step';
import { fmt, type Judgement, type JudgedCheck, type JudgedStatistic } from '../src/report/judged';
import { binomialTest } from '../src/stats/binomial';
import { spearman } from '../src/stats/correlation';
import { median } from '../src/stats/moments';
import { meanBound, meanInterval } from '../src/stats/t-test';
import { isUndefined } from '../src/stats/types';

/** The paper's layers (Fig. 3): one early, two late. */
export const EARLY = 8;
export const LATE = [44, 80] as const;
export const LAYERS = [EARLY, ...LATE];
/**
 * The late layer the assertions are about: 80, the paper's latest. Layer 44 is recorded with the
 * same statistics but not asserted: on the calibration seeds its growth was too close to the
 * threshold for any affordable seed count to decide (docs/probe-claims.md, section 2).
 */
export const ASSERTED_LATE = 80;
/** Seeds: a power calculation on calibration seeds 9000–9009 (power 0.95; docs/probe-claims.md, section 2). */
export const N_SEEDS = 20;
/** The step sizes tried: 4 per decade from 1e-4 to 1 (logGrid(1e-4, 1, 17)). */
export const STEP_GRID = Array.from({ length: 17 }, (_, i) => 10 ** (-4 + i / 4));
/** Step fractions along which the moments are taken (the paper's 0 → 100 %): every tenth for the figure's seed, … */
export const TS = Array.from({ length: 11 }, (_, i) => i / 10);
/** … the start, the middle and the end for the others (the growth is judged from t = 0 to t = 1). */
export const TS_JUDGED = [0, 0.5, 1];
/** The step: relative loss above this (the top of Fig. 2's no-BN axis). */
export const MIN_RELATIVE_LOSS = 1e6;
/** Precondition: most seeds have a step above MIN_RELATIVE_LOSS, by a one-sided binomial test at this level (15 of 20). */
export const STEP_SHARE_P = 0.05;
/** Blowing up: growth by more than the paper's divergence factor 1e3, in decades. */
export const BLOW_UP_DECADES = 3;
/** With BN: within an order of magnitude along the step, in decades. */
export const BN_DECADES = 1;
/** A variance that overflowed float32 counts as its largest value: a lower bound of the growth. */
export const FLOAT32_MAX = 3.4028234663852886e38;
const PAPER_GROWTH: Record<number, string> = { 8: '≈ 0 (≈ 1 → ≈ 1)', 44: '≈ 7 (≈ 0.5 → 5e6)', 80: '≈ 15 (≈ 16 → 5e16)' };

export interface ExplodeSeed {
  seed: number;
  /** the step size (null: no α of the grid reached MIN_RELATIVE_LOSS) */
  alpha: number | null;
  relativeLoss: number | null;
  /** without BN, along the step: at least the layers of LAYERS (by depth) */
  none: LayerTrace[];
  /** with BN, the same layers, along its own gradient step of the same α */
  bn: LayerTrace[];
  /** recorded only: the residual-block outputs' variance at t = 0 and t = 1, no BN */
  blocks?: { depth: number[]; var0: number[]; var1: number[] };
}

const capped = (v: number) => (Number.isFinite(v) ? v : FLOAT32_MAX); // NaN and Infinity after an overflow
/** log10 of the change from t = 0 to `at` of a positive quantity; NaN when the start is not positive and finite. */
export function decades(series: readonly number[], at = series.length - 1): number {
  const v0 = series[0]!;
  if (!(v0 > 0 && Number.isFinite(v0))) return NaN;
  return Math.log10(Math.max(capped(series[at]!), Number.MIN_VALUE) / v0);
}
const traceAt = (traces: readonly LayerTrace[], depth: number) => {
  const t = traces.find((tr) => tr.depth === depth);
  if (!t) throw new Error(`no trace at layer ${depth} (have ${traces.map((tr) => tr.depth).join(', ')})`);
  return t;
};
/** Per seed, the largest |log10 change| of the variance over the layers and every t (the BN contrast). */
export function largestMove(traces: readonly LayerTrace[]): number {
  return Math.max(...LAYERS.flatMap((d) => traceAt(traces, d).variance.map((_, i) => Math.abs(decades(traceAt(traces, d).variance, i)))));
}

export function judgeMomentsExplode(seeds: readonly ExplodeSeed[]): Judgement<'step'> {
  const missing = seeds.filter((s) => s.alpha === null);
  const judged = seeds.filter((s) => s.alpha !== null);
  const stats: JudgedStatistic[] = [];
  const checks: JudgedCheck[] = [];
  const perSeed = (v: number[]) => v.map((x) => fmt(x)).join(', ');

  stats.push({
    name: 'step size α: the first of the grid with relative loss above 1e6 (median over seeds)',
    value: judged.length ? median(judged.map((s) => s.alpha!)) : NaN,
    paper: 'a diverging step (Fig. 2 leaves its axis at 1e6)',
    note: `per seed α ${seeds.map((s) => fmt(s.alpha)).join(', ')}; relative loss ${seeds.map((s) => fmt(s.relativeLoss)).join(', ')}`,
  });

  const growth = new Map<number, number[]>(LAYERS.map((d) => [d, judged.map((s) => decades(traceAt(s.none, d).variance))]));
  for (const d of LAYERS) {
    const g = growth.get(d)!;
    const b = meanBound(g, { side: 'lower', mu: BLOW_UP_DECADES });
    stats.push({
      name: `layer ${d}: growth of the variance during the step, no BN (decades, mean over seeds)`,
      value: isUndefined(b) ? NaN : b.estimate,
      ...(g.every(Number.isFinite) && g.length > 1 ? { ci: meanInterval(g) } : {}),
      paper: PAPER_GROWTH[d],
      note: `95 % t-interval; per seed ${perSeed(g)}${isUndefined(b) ? `; ${b.undefined}` : `; one-sided 95 % lower confidence bound ${fmt(b.bound)}`}`,
    });
  }
  {
    const g = growth.get(ASSERTED_LATE)!;
    const b = meanBound(g, { side: 'lower', mu: BLOW_UP_DECADES });
    checks.push({
      description: `without BN layer ${ASSERTED_LATE} blows up during the step: one-sided 95 % lower confidence bound of the mean growth of its variance above ${BLOW_UP_DECADES} decades`,
      passed: !isUndefined(b) && b.bound > BLOW_UP_DECADES,
      detail: isUndefined(b) ? b.undefined : `mean ${fmt(b.estimate)}, bound ${fmt(b.bound)}, p = ${fmt(b.p)}; per seed ${perSeed(g)}`,
    });
  }
  for (const d of LATE) {
    const diff = growth.get(d)!.map((g, i) => g - growth.get(EARLY)![i]!);
    const b = meanBound(diff, { side: 'lower', mu: BLOW_UP_DECADES });
    const asserted = d === ASSERTED_LATE;
    stats.push({
      name: `layer ${d} against layer ${EARLY}: difference of the growth, no BN (decades, mean over seeds, paired by seed)`,
      value: isUndefined(b) ? NaN : b.estimate,
      ...(isUndefined(b) ? {} : { p: b.p }),
      paper: d === 44 ? '≈ 7' : '≈ 15',
      note: `${asserted ? 'asserted' : 'recorded, not asserted (not decidable at this scale: docs/probe-claims.md)'}; ${isUndefined(b) ? b.undefined : `one-sided 95 % lower confidence bound ${fmt(b.bound)}; p of mean ≤ ${BLOW_UP_DECADES}`}; per seed ${perSeed(diff)}`,
    });
    if (asserted)
      checks.push({
        description: `without BN layer ${d} grows more than the early layer ${EARLY}, by over ${BLOW_UP_DECADES} decades: paired one-sided 95 % lower confidence bound of the mean difference above ${BLOW_UP_DECADES}`,
        passed: !isUndefined(b) && b.bound > BLOW_UP_DECADES,
        detail: isUndefined(b) ? b.undefined : `mean ${fmt(b.estimate)}, bound ${fmt(b.bound)}, p = ${fmt(b.p)}; per seed ${perSeed(diff)}`,
      });
  }

  const moves = judged.map((s) => largestMove(s.bn));
  const bnBound = meanBound(moves, { side: 'upper', mu: BN_DECADES });
  stats.push({
    name: `with BN: largest change of a layer's variance along the same step (decades, mean over seeds)`,
    value: isUndefined(bnBound) ? NaN : bnBound.estimate,
    ...(isUndefined(bnBound) ? {} : { p: bnBound.p }),
    paper: 'stays normalised',
    note: isUndefined(bnBound)
      ? bnBound.undefined
      : `layers ${LAYERS.join(', ')}, every t; one-sided 95 % upper confidence bound ${fmt(bnBound.bound)}; per seed ${perSeed(moves)}`,
  });
  checks.push({
    description: `with BN, along a step of the same size, layers ${LAYERS.join(', ')} stay within an order of magnitude: one-sided 95 % upper confidence bound of the mean largest change below ${BN_DECADES} decade`,
    passed: !isUndefined(bnBound) && bnBound.bound < BN_DECADES,
    detail: isUndefined(bnBound)
      ? bnBound.undefined
      : `mean ${fmt(bnBound.estimate)}, bound ${fmt(bnBound.bound)}; per seed ${perSeed(moves)}`,
  });

  // recorded, not asserted: |mean|, the initialisation's own profile, and the previous statistic (ρ)
  for (const d of LAYERS) {
    const h = judged.map((s) => decades(traceAt(s.none, d).absMean));
    stats.push({
      name: `layer ${d}: growth of the mean |channel mean| during the step, no BN (decades, mean over seeds)`,
      value: h.length && h.every(Number.isFinite) ? h.reduce((a, b) => a + b, 0) / h.length : NaN,
      note: `recorded, not asserted; per seed ${perSeed(h)}`,
      supporting: true,
    });
  }
  for (const d of LAYERS) {
    const v0 = judged.map((s) => traceAt(s.none, d).variance[0]!);
    stats.push({
      name: `layer ${d}: variance at the start of the step, no BN (geometric mean over seeds)`,
      value: v0.length ? 10 ** (v0.map(Math.log10).reduce((a, b) => a + b, 0) / v0.length) : NaN,
      note: `recorded: the initialisation's own growth with depth (Fig. 5); per seed ${perSeed(v0)}`,
      supporting: true,
    });
  }
  const withBlocks = judged.filter((s) => s.blocks);
  if (withBlocks.length) {
    const rhos = withBlocks.map((s) => {
      try {
        return spearman(s.blocks!.depth, s.blocks!.var1.map(capped)).statistic;
      } catch {
        return NaN;
      }
    });
    const okRhos = rhos.filter(Number.isFinite);
    stats.push({
      name: 'Spearman ρ(depth, end-of-step variance of the residual-block outputs), no BN (mean over seeds via Fisher z)',
      value: okRhos.length
        ? Math.tanh(okRhos.map((r) => Math.atanh(Math.max(-1 + 1e-12, Math.min(r, 1 - 1e-12)))).reduce((a, b) => a + b, 0) / okRhos.length)
        : NaN,
      note: `recorded, not asserted (the previous statistic: it also sees the initialisation's growth with depth); per seed ${perSeed(rhos)}`,
      supporting: true,
    });
    const last = withBlocks.map((s) => decades([s.blocks!.var0.at(-1)!, s.blocks!.var1.at(-1)!]));
    stats.push({
      name: `last residual-block output (layer ${withBlocks[0]!.blocks!.depth.at(-1)}): growth of the variance during the step, no BN (decades, mean over seeds)`,
      value: last.every(Number.isFinite) ? last.reduce((a, b) => a + b, 0) / last.length : NaN,
      note: `recorded: where the step blows the net up most at this scale; per seed ${perSeed(last)}`,
      supporting: true,
    });
    for (const [when, key] of [
      ['start', 'var0'],
      ['end', 'var1'],
    ] as const) {
      const spans = withBlocks.map((s) => capped(s.blocks![key].at(-1)!) / s.blocks![key][0]!);
      stats.push({
        name: `deepest / shallowest residual-block output variance at the ${when} of the step, no BN (median over seeds)`,
        value: median(spans),
        note: `recorded; per seed ${perSeed(spans)}`,
        supporting: true,
      });
    }
  }

  // Most initialisations must have a diverging step in the grid (a share fixed in advance, with its
  // test: asking every seed gets harder with every seed added); the others are named and left out.
  const pShare = seeds.length ? binomialTest(judged.length, seeds.length, 0.5) : 1;
  return {
    statistics: stats,
    checks,
    preconditions: {
      step: {
        met: pShare < STEP_SHARE_P,
        detail: `${judged.length} of ${seeds.length} seeds (one-sided exact binomial test of a share above ½: p = ${fmt(pShare)})${
          missing.length
            ? `; none up to the grid's end in seed${missing.length > 1 ? 's' : ''} ${missing.map((s) => s.seed).join(', ')}, left out`
            : ''
        }`,
      },
    },
  };
}
