/**
 * From measurements to what vega can draw: finite values only, domains that a scale accepts,
 * axes (decade labels on log axes), binning; and the notes about what was left out, which end
 * up in the figure's subtitle.
 */
import type { Axis } from 'vega-lite/types_unstable/axis.js';
import type { Bins, Scale } from './types';

/** Notes collected while cleaning data; they end up in the subtitle. */
export class Notes {
  private readonly byWhat = new Map<string, string[]>();
  add(where: string | undefined, what: string): void {
    const list = this.byWhat.get(what) ?? [];
    if (where) list.push(where);
    this.byWhat.set(what, list);
  }
  /** One line per distinct note: "mini-batch 1 · mini-batch 4: dropped 1 non-finite point". */
  get all(): string[] {
    return [...this.byWhat].map(([what, wheres]) => (wheres.length ? `${wheres.join(' · ')}: ${what}` : what));
  }
}

export const isNum = (v: number | undefined): v is number => typeof v === 'number' && Number.isFinite(v);
export const plural = (n: number, s: string) => `${n} ${s}${n === 1 ? '' : 's'}`;
export const fmt = (x: number) =>
  Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(2) : String(Number(x.toPrecision(4)));

/** Superscript a decade's exponent, matplotlib style: 10⁻³, 1, 10, 10². */
function decadeLabelExpr(): string {
  const sup: Record<string, string> = {
    '-': '⁻',
    '0': '⁰',
    '1': '¹',
    '2': '²',
    '3': '³',
    '4': '⁴',
    '5': '⁵',
    '6': '⁶',
    '7': '⁷',
    '8': '⁸',
    '9': '⁹',
  };
  const k = 'round(log(datum.value) / LN10)';
  let e = `toString(${k})`;
  for (const [from, to] of Object.entries(sup)) e = `replace(${e}, regexp('${from}', 'g'), '${to}')`;
  return `abs(log(datum.value) / LN10 - ${k}) > 1e-6 ? '' : ${k} == 0 ? '1' : ${k} == 1 ? '10' : '10' + ${e}`;
}

/** Axis settings for a scale over [lo, hi]: decade labels on a log axis spanning ≥ 2 decades. */
export function axisFor(scale: Scale, title: string | undefined, lo: number, hi: number): Axis {
  const axis: Axis = { title: title ?? null };
  if (scale === 'log') {
    if (hi / lo >= 100) axis.labelExpr = decadeLabelExpr();
    else {
      axis.format = '~g';
      axis.tickCount = 5;
    }
  }
  return axis;
}

export function extent(xs: Iterable<number>): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of xs) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return lo <= hi ? [lo, hi] : undefined;
}

/** A domain that vega can draw: finite, non-degenerate, positive on a log scale. */
export function safeDomain(d: [number, number] | undefined, scale: Scale): [number, number] {
  if (!d) return scale === 'log' ? [1, 10] : [0, 1];
  let [lo, hi] = d;
  if (lo === hi) {
    if (scale === 'log') {
      lo /= 2;
      hi *= 2;
    } else {
      const w = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
      lo -= w;
      hi += w;
    }
  }
  return [lo, hi];
}

/** Bin finite values of xs on [lo, hi] into n equal bins. Returns counts and how many fell outside. */
export function binValues(
  xs: ArrayLike<number>,
  n: number,
  lo: number,
  hi: number,
): { bins: Bins; outside: number; nonFinite: number; total: number } {
  const counts = new Array<number>(n).fill(0);
  const w = (hi - lo) / n;
  let outside = 0;
  let nonFinite = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (!Number.isFinite(x)) {
      nonFinite++;
      continue;
    }
    if (x < lo || x > hi) {
      outside++;
      continue;
    }
    const k = Math.min(n - 1, Math.floor((x - lo) / w));
    const c = counts[k];
    if (c === undefined) throw new RangeError(`binValues: ${x} falls in no bin of [${lo}, ${hi}] cut into ${n}`);
    counts[k] = c + 1;
  }
  const edges = Array.from({ length: n + 1 }, (_, i) => lo + i * w);
  edges[n] = hi;
  return { bins: { edges, counts }, outside, nonFinite, total: xs.length };
}

/** Non-negative data whose minimum is near 0 (singular values, norms) is drawn from 0. */
export function fromZero(d: [number, number] | undefined): [number, number] | undefined {
  return d && d[0] > 0 && d[0] < 0.1 * d[1] ? [0, d[1]] : d;
}

export function finiteExtent(xs: ArrayLike<number>): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (Number.isFinite(x)) {
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  }
  return lo <= hi ? [lo, hi] : undefined;
}

/** Bins for a panel: given, or made from raw values; notes say what was left out. */
export function panelBins(
  where: string | undefined,
  p: { values?: ArrayLike<number>; bins?: Bins; binCount?: number },
  domain: [number, number] | undefined,
  notes: Notes,
): Bins {
  if (p.bins) {
    const { edges, counts } = p.bins;
    if (edges.length !== counts.length + 1) throw new Error(`${where ?? 'histogram'}: bins.edges must have counts.length + 1 entries`);
    const keep: number[] = [];
    for (let i = 0; i < counts.length; i++) if (isNum(counts[i]) && isNum(edges[i]) && isNum(edges[i + 1])) keep.push(i);
    if (keep.length < counts.length) notes.add(where, `dropped ${plural(counts.length - keep.length, 'non-finite bin')}`);
    return { edges: [...edges], counts: counts.map((c, i) => (keep.includes(i) ? c : NaN)) };
  }
  const xs = p.values ?? [];
  const d = domain ?? fromZero(finiteExtent(xs));
  const n = p.binCount ?? 100;
  const [lo, hi] = safeDomain(d, 'linear');
  const b = binValues(xs, n, lo, hi);
  if (b.nonFinite) notes.add(where, `dropped ${plural(b.nonFinite, 'non-finite value')} of ${b.total}`);
  if (b.outside) notes.add(where, `${plural(b.outside, 'value')} outside [${fmt(lo)}, ${fmt(hi)}] not shown`);
  if (b.total === 0 || b.nonFinite === b.total) notes.add(where, 'no finite values to draw');
  return b.bins;
}
