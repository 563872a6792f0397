/**
 * The claims' figures, drawn like the paper's (matplotlib look: boxed axes, no grid, tab10
 * colours, legends inside the plot), rendered to SVG strings in Node by vega-lite → vega with
 * the 'none' renderer: no browser, no canvas, no network.
 *
 *   const svg = await renderFigure({ kind: 'histograms', panels: [...] });
 *   saveFigure('heavy-tailed-gradients', svg);          // reports/heavy-tailed-gradients.svg
 *
 * Kinds (FigureSpec.kind) and the paper figure each one imitates:
 *   histograms            Fig. 4  side-by-side histograms, own x-range each, optional log y
 *   lines                 Fig. 1, 2  several series per panel, optional shaded band, log/linear
 *                         axes, an optional rows × cols grid (column titles on top, row labels
 *                         on the right)
 *   heatmap               Fig. 3, 6  matrices as colour maps (viridis), one colour bar per panel
 *   depthProfile          Fig. 5  value vs layer depth with error bars, one line per series
 *   barsWithCI            §4  a few arms' values with confidence intervals and an annotation
 *   histogramWithDensity  Fig. 7  overlaid histograms with a theoretical density curve on top
 *
 * Measurements can be NaN or infinite (a diverged network): such points are dropped, never
 * drawn, and the figure's subtitle says how many were dropped and why. The same goes for
 * non-positive values on a log axis and values outside a requested range.
 */
import path from 'node:path';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { writeFileAtomic } from './atomic';

// ---------------------------------------------------------------------------------------------
// The spec types

export type Scale = 'linear' | 'log';
export type LegendPosition = 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right' | 'right' | 'none';
/** Pre-binned counts: edges.length === counts.length + 1. */
export interface Bins {
  edges: number[];
  counts: number[];
}

interface Common {
  /** Figure title (top). */
  title?: string;
  /** A line under the title (e.g. the scale it ran at); notes about dropped values follow it. */
  caption?: string;
  /** Size of one panel in px (default depends on the kind). */
  panelWidth?: number;
  panelHeight?: number;
}

export interface HistogramPanel {
  title?: string;
  /** Raw values (binned here) or pre-binned counts. */
  values?: ArrayLike<number>;
  bins?: Bins;
  /** Number of bins for raw values (default 100). */
  binCount?: number;
  /** x-range shown; raw values outside it are counted in the subtitle, not drawn. */
  xDomain?: [number, number];
  logY?: boolean;
  xLabel?: string;
  yLabel?: string;
}
export interface HistogramsSpec extends Common {
  kind: 'histograms';
  panels: HistogramPanel[];
}

export interface LineSeries {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** A shaded band (e.g. min/max or ± std over seeds), same length as x. */
  lo?: ArrayLike<number>;
  hi?: ArrayLike<number>;
  dashed?: boolean;
}
export interface LinesPanel {
  title?: string;
  /** Grid position, when the spec has a grid: one of grid.rows / grid.cols. */
  row?: string;
  col?: string;
  series: LineSeries[];
  xLabel?: string;
  yLabel?: string;
  xScale?: Scale;
  yScale?: Scale;
  xDomain?: [number, number];
  /** Points outside are clipped at the frame (said in the subtitle). */
  yDomain?: [number, number];
  /** Horizontal reference lines, e.g. a divergence threshold. */
  hlines?: { y: number; label?: string }[];
  legend?: LegendPosition;
}
export interface LinesSpec extends Common {
  kind: 'lines';
  panels: LinesPanel[];
  grid?: { rows: string[]; cols: string[] };
}

export interface HeatmapPanel {
  title?: string;
  row?: string;
  col?: string;
  /** matrix[r][c]; row 0 is drawn at the top, as matplotlib's imshow does. */
  matrix: ArrayLike<number>[];
  xLabel?: string;
  yLabel?: string;
  colorLabel?: string;
  /** 'log10abs' draws log10(|v|) (zeros dropped); default 'none'. */
  transform?: 'none' | 'log10abs';
  /** Symmetric colour range around 0 (for signed values such as gradients). */
  symmetric?: boolean;
  /** Tick labels: the value at index 0 and the step (default 0 and 1). */
  x0?: number;
  dx?: number;
  y0?: number;
  dy?: number;
}
export interface HeatmapSpec extends Common {
  kind: 'heatmap';
  panels: HeatmapPanel[];
  grid?: { rows: string[]; cols: string[] };
}

export interface DepthSeries {
  name: string;
  depth: ArrayLike<number>;
  value: ArrayLike<number>;
  /** Error bars: symmetric `err`, or explicit `lo` / `hi`. */
  err?: ArrayLike<number>;
  lo?: ArrayLike<number>;
  hi?: ArrayLike<number>;
}
export interface DepthPanel {
  title?: string;
  series: DepthSeries[];
  xLabel?: string;
  yLabel?: string;
  legend?: LegendPosition;
}
export interface DepthProfileSpec extends Common {
  kind: 'depthProfile';
  panels: DepthPanel[];
}

export interface BarsWithCISpec extends Common {
  kind: 'barsWithCI';
  bars: { name: string; value: number; ci?: [number, number] }[];
  yLabel?: string;
  xLabel?: string;
  yDomain?: [number, number];
  /** e.g. "recovery = 0.64 [0.41, 0.88] (paper: ≈ 2/3)"; drawn inside the plot. */
  annotation?: string;
}

export interface DensityCurve {
  name: string;
  x: ArrayLike<number>;
  /** A probability density; scaled here to counts of the series it belongs to. */
  pdf: ArrayLike<number>;
  /** Which histogram series it overlays (default: the first). */
  series?: string;
}
export interface DensityPanel {
  title?: string;
  series: { name: string; values?: ArrayLike<number>; bins?: Bins }[];
  densities?: DensityCurve[];
  binCount?: number;
  xDomain?: [number, number];
  xLabel?: string;
  yLabel?: string;
  legend?: LegendPosition;
}
export interface HistogramWithDensitySpec extends Common {
  kind: 'histogramWithDensity';
  panels: DensityPanel[];
}

export type FigureSpec = HistogramsSpec | LinesSpec | HeatmapSpec | DepthProfileSpec | BarsWithCISpec | HistogramWithDensitySpec;
export type FigureKind = FigureSpec['kind'];

// ---------------------------------------------------------------------------------------------
// Look

/** matplotlib's tab10 (= d3 category10). */
export const TAB10 = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

const CONFIG = {
  background: 'white',
  aria: false, // no per-mark aria labels: they triple the size of a heat map's SVG
  padding: 8,
  font: FONT,
  view: { stroke: '#000', strokeWidth: 1 },
  axis: {
    grid: false,
    domain: false, // the view's frame draws the box
    tickColor: '#000',
    labelColor: '#000',
    titleColor: '#000',
    labelFontSize: 11,
    titleFontSize: 13,
    titleFontWeight: 'normal',
    tickSize: 4,
  },
  title: { fontSize: 15, fontWeight: 'normal', anchor: 'middle', subtitleFontSize: 11, subtitleColor: '#444', subtitlePadding: 4 },
  header: { titleFontWeight: 'normal' },
  legend: {
    labelFontSize: 11,
    titleFontSize: 11,
    strokeColor: '#bbb',
    fillColor: 'rgba(255,255,255,0.85)',
    padding: 6,
    cornerRadius: 3,
    symbolStrokeWidth: 2,
    labelLimit: 400,
    symbolOpacity: 1,
  },
  concat: { spacing: 28 },
};

// Vega-lite specs are plain JSON; typing them structurally here buys nothing.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type VL = any;

/** Notes collected while cleaning data; they end up in the subtitle. */
class Notes {
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

const isNum = (v: number | undefined): v is number => typeof v === 'number' && Number.isFinite(v);
const plural = (n: number, s: string) => `${n} ${s}${n === 1 ? '' : 's'}`;

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
function axisFor(scale: Scale, title: string | undefined, lo: number, hi: number, extra: VL = {}): VL {
  const axis: VL = { title: title ?? null, ...extra };
  if (scale === 'log') {
    if (hi / lo >= 100) axis.labelExpr = decadeLabelExpr();
    else {
      axis.format = '~g';
      axis.tickCount = 5;
    }
  }
  return axis;
}

function legendAt(pos: LegendPosition | undefined, n: number): VL {
  if (pos === 'none' || (pos === undefined && n < 2)) return null;
  const orient = pos ?? 'top-right';
  return { orient, title: null, symbolType: 'stroke' };
}

/** The same colour encoding for a secondary layer, which leaves the legend to the main one. */
function noLegend(color: VL): VL {
  const { legend: _legend, ...rest } = color;
  return rest;
}

function extent(xs: Iterable<number>): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of xs) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return lo <= hi ? [lo, hi] : undefined;
}

/** A domain that vega can draw: finite, non-degenerate, positive on a log scale. */
function safeDomain(d: [number, number] | undefined, scale: Scale): [number, number] {
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

// ---------------------------------------------------------------------------------------------
// Binning

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
function fromZero(d: [number, number] | undefined): [number, number] | undefined {
  return d && d[0] > 0 && d[0] < 0.1 * d[1] ? [0, d[1]] : d;
}

function finiteExtent(xs: ArrayLike<number>): [number, number] | undefined {
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
function panelBins(
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

const fmt = (x: number) => (Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(2) : String(Number(x.toPrecision(4))));

// ---------------------------------------------------------------------------------------------
// Kinds

function histograms(spec: HistogramsSpec, notes: Notes): VL[] {
  const w = spec.panelWidth ?? 320;
  const h = spec.panelHeight ?? 220;
  return spec.panels.map((p, i) => {
    const where = p.title ?? (spec.panels.length > 1 ? `panel ${i + 1}` : undefined);
    const bins = panelBins(where, p, p.xDomain, notes);
    const floor = 0.8; // a log axis cannot show 0: empty bins are left out, bars start below 1
    const rows: VL[] = [];
    for (let k = 0; k < bins.counts.length; k++) {
      const c = bins.counts[k];
      if (!isNum(c) || (p.logY && c <= 0)) continue;
      rows.push({ x0: bins.edges[k], x1: bins.edges[k + 1], count: c, base: p.logY ? floor : 0 });
    }
    const xd = safeDomain(p.xDomain ?? (bins.edges.length ? [bins.edges[0]!, bins.edges[bins.edges.length - 1]!] : undefined), 'linear');
    const maxC = Math.max(1, ...rows.map((r) => r.count as number));
    const yScale: Scale = p.logY ? 'log' : 'linear';
    const yd: [number, number] = p.logY ? [floor, maxC * 1.5] : [0, maxC * 1.05];
    return {
      name: `hist${i}`,
      title: p.title ?? '',
      width: w,
      height: h,
      data: { values: rows },
      mark: { type: 'rect', color: TAB10[0], stroke: TAB10[0], strokeWidth: 0.2 },
      encoding: {
        x: {
          field: 'x0',
          type: 'quantitative',
          scale: { domain: xd, nice: false, zero: false },
          axis: { title: p.xLabel ?? 'gradient magnitude' },
        },
        x2: { field: 'x1' },
        y: {
          field: 'count',
          type: 'quantitative',
          scale: { type: yScale, domain: yd, nice: false },
          axis: axisFor(yScale, p.yLabel ?? 'counts', yd[0], yd[1]),
        },
        y2: { field: 'base' },
      },
    };
  });
}

function linesPanel(p: LinesPanel, i: number, spec: LinesSpec, notes: Notes, colorOf: (n: string) => string): VL {
  const where = p.title || [p.col, p.row].filter(Boolean).join(', ') || `panel ${i + 1}`;
  const xScale = p.xScale ?? 'linear';
  const yScale = p.yScale ?? 'linear';
  const rows: VL[] = [];
  const bands: VL[] = [];
  let nonFinite = 0;
  let nonPositive = 0;
  let clipped = 0;
  const okX = (x: number) => xScale !== 'log' || x > 0;
  const okY = (y: number) => yScale !== 'log' || y > 0;
  for (const s of p.series) {
    const n = Math.min(s.x.length, s.y.length);
    for (let k = 0; k < n; k++) {
      const x = s.x[k];
      const y = s.y[k];
      if (!isNum(x) || !isNum(y)) {
        nonFinite++;
        continue;
      }
      if (!okX(x) || !okY(y)) {
        nonPositive++;
        continue;
      }
      if (p.yDomain && (y < p.yDomain[0] || y > p.yDomain[1])) clipped++;
      rows.push({ series: s.name, x, y, k });
      if (s.lo && s.hi) {
        const lo = s.lo[k];
        const hi = s.hi[k];
        if (isNum(lo) && isNum(hi) && okY(lo) && okY(hi)) bands.push({ series: s.name, x, lo, hi });
      }
    }
  }
  if (nonFinite) notes.add(where, `dropped ${plural(nonFinite, 'non-finite point')}`);
  if (nonPositive) notes.add(where, `dropped ${plural(nonPositive, 'non-positive point')} on a log axis`);
  if (clipped) notes.add(where, `${plural(clipped, 'point')} beyond the y-range clipped at the frame`);
  if (rows.length === 0) notes.add(where, 'no finite points to draw');

  const xd = safeDomain(p.xDomain ?? extent(rows.map((r) => r.x as number)), xScale);
  const yAll = [
    ...rows.map((r) => r.y as number),
    ...bands.flatMap((b) => [b.lo as number, b.hi as number]),
    ...(p.hlines ?? []).map((l) => l.y),
  ];
  const yd = safeDomain(p.yDomain ?? extent(yAll.filter((y) => isNum(y) && okY(y))), yScale);
  const names = p.series.map((s) => s.name);
  const color = {
    field: 'series',
    type: 'nominal',
    scale: { domain: names, range: names.map(colorOf) },
    legend: legendAt(p.legend, names.length),
    sort: names,
  };
  const x = {
    field: 'x',
    type: 'quantitative',
    scale: { type: xScale, domain: xd, nice: false, ...(xScale === 'linear' ? { zero: false } : {}) },
    axis: axisFor(xScale, p.xLabel, xd[0], xd[1]),
  };
  const y = {
    field: 'y',
    type: 'quantitative',
    scale: { type: yScale, domain: yd, nice: yScale === 'linear', ...(yScale === 'linear' ? { zero: false } : {}) },
    axis: axisFor(yScale, p.yLabel, yd[0], yd[1]),
  };
  const layers: VL[] = [];
  if (bands.length) {
    layers.push({
      name: `band${i}`,
      data: { values: bands },
      mark: { type: 'area', opacity: 0.3, clip: true },
      encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color: noLegend(color) },
    });
  }
  const dashed = p.series.filter((s) => s.dashed).map((s) => s.name);
  layers.push({
    name: `line${i}`,
    data: { values: rows },
    mark: { type: 'line', strokeWidth: 1.6, clip: true, interpolate: 'linear' },
    encoding: {
      x,
      y,
      color,
      order: { field: 'k', type: 'quantitative' },
      ...(dashed.length
        ? { strokeDash: { condition: { test: `indexof(${JSON.stringify(dashed)}, datum.series) >= 0`, value: [5, 3] }, value: [1, 0] } }
        : {}),
    },
  });
  for (const [j, l] of (p.hlines ?? []).entries()) {
    if (!isNum(l.y) || !okY(l.y)) continue;
    layers.push({
      name: `hline${i}_${j}`,
      data: { values: [{ y: l.y, label: l.label ?? '' }] },
      layer: [
        { mark: { type: 'rule', strokeDash: [4, 3], color: '#555', clip: true }, encoding: { y: { ...y, field: 'y' } } },
        {
          mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 3, dy: -2, fontSize: 10, color: '#555', x: 0 },
          encoding: { y: { ...y, field: 'y' }, text: { field: 'label' } },
        },
      ],
    });
  }
  return {
    title: p.title ?? (spec.grid && p.row === spec.grid.rows[0] ? (p.col ?? '') : ''),
    width: spec.panelWidth ?? (spec.grid ? 260 : 320),
    height: spec.panelHeight ?? (spec.grid ? 190 : 220),
    layer: layers,
    resolve: { scale: { color: 'shared' } },
  };
}

function heatmapPanel(p: HeatmapPanel, i: number, spec: HeatmapSpec, notes: Notes): VL {
  const where = p.title || [p.col, p.row].filter(Boolean).join(', ') || `panel ${i + 1}`;
  const nr = p.matrix.length;
  const nc = Math.max(0, ...p.matrix.map((r) => r.length));
  const rows: VL[] = [];
  let nonFinite = 0;
  let zeros = 0;
  for (let r = 0; r < nr; r++) {
    const row = p.matrix[r]!;
    for (let c = 0; c < row.length; c++) {
      let v = row[c];
      if (!isNum(v)) {
        nonFinite++;
        continue;
      }
      if (p.transform === 'log10abs') {
        if (v === 0) {
          zeros++;
          continue;
        }
        v = Math.log10(Math.abs(v));
      }
      rows.push({ r, c, r1: r + 1, c1: c + 1, v }); // x/y filled in below
    }
  }
  if (nonFinite) notes.add(where, `${plural(nonFinite, 'non-finite cell')} left blank`);
  if (zeros) notes.add(where, `${plural(zeros, 'zero cell')} left blank (log scale)`);
  if (rows.length === 0) notes.add(where, 'no finite cells to draw');
  let vd = safeDomain(extent(rows.map((d) => d.v as number)), 'linear');
  if (p.symmetric) {
    const m = Math.max(Math.abs(vd[0]), Math.abs(vd[1]));
    vd = [-m, m];
  }
  const x0 = p.x0 ?? 0;
  const dx = p.dx ?? 1;
  const y0 = p.y0 ?? 0;
  const dy = p.dy ?? 1;
  for (const d of rows) {
    // cells span [index, index + 1) in data units, so the axes get nice ticks of their own
    d.x = x0 + d.c * dx;
    d.x1 = x0 + d.c1 * dx;
    d.y = y0 + d.r * dy;
    d.y1 = y0 + d.r1 * dy;
  }
  return {
    name: `heat${i}`,
    title: p.title ?? (spec.grid && p.row === spec.grid.rows[0] ? (p.col ?? '') : ''),
    width: spec.panelWidth ?? 220,
    height: spec.panelHeight ?? 220,
    data: { values: rows },
    mark: { type: 'rect', strokeWidth: 0 },
    encoding: {
      x: {
        field: 'x',
        type: 'quantitative',
        scale: { domain: [x0, x0 + Math.max(1, nc) * dx], nice: false, zero: false },
        axis: { title: p.xLabel ?? null },
      },
      x2: { field: 'x1' },
      y: {
        field: 'y',
        type: 'quantitative',
        scale: { domain: [y0, y0 + Math.max(1, nr) * dy], nice: false, zero: false, reverse: true },
        axis: { title: p.yLabel ?? null },
      },
      y2: { field: 'y1' },
      color: {
        field: 'v',
        type: 'quantitative',
        scale: { scheme: 'viridis', domain: vd, nice: false, zero: false },
        legend: {
          title: p.colorLabel ?? (p.transform === 'log10abs' ? 'log10 |value|' : null),
          orient: 'right',
          direction: 'vertical',
          gradientLength: spec.panelHeight ?? 220,
          gradientThickness: 12,
          // a matplotlib colour bar: no box, its label written along it
          strokeColor: 'transparent',
          fillColor: 'transparent',
          padding: 0,
          titleOrient: 'right',
          titleAngle: 90,
          titleAnchor: 'middle',
          titleFontWeight: 'normal',
          titleFontSize: 12,
        },
      },
    },
  };
}

function depthPanel(p: DepthPanel, i: number, spec: DepthProfileSpec, notes: Notes, colorOf: (n: string) => string): VL {
  const where = p.title ?? (spec.panels.length > 1 ? `panel ${i + 1}` : undefined);
  const pts: VL[] = [];
  const bars: VL[] = [];
  let nonFinite = 0;
  // Series are nudged sideways by a hair so their error bars do not hide each other.
  const allDepths = extent(p.series.flatMap((s) => Array.from(s.depth).filter(isNum)));
  const nudge = allDepths ? (allDepths[1] - allDepths[0] || 1) * 0.006 : 0;
  for (const [j, s] of p.series.entries()) {
    const off = (j - (p.series.length - 1) / 2) * nudge;
    for (let k = 0; k < Math.min(s.depth.length, s.value.length); k++) {
      const d0 = s.depth[k]!;
      const d = d0 + off;
      const v = s.value[k];
      if (!isNum(d) || !isNum(v)) {
        nonFinite++;
        continue;
      }
      pts.push({ series: s.name, depth: d, layer: d0, value: v });
      const lo = s.lo ? s.lo[k] : s.err ? v - Math.abs(s.err[k] ?? NaN) : undefined;
      const hi = s.hi ? s.hi[k] : s.err ? v + Math.abs(s.err[k] ?? NaN) : undefined;
      if (lo !== undefined && hi !== undefined) {
        if (isNum(lo) && isNum(hi)) bars.push({ series: s.name, depth: d, lo, hi });
        else nonFinite++;
      }
    }
  }
  if (nonFinite) notes.add(where, `dropped ${plural(nonFinite, 'non-finite value')}`);
  if (pts.length === 0) notes.add(where, 'no finite values to draw');
  const depths = [...new Set(pts.map((q) => q.layer as number))].sort((a, b) => a - b);
  const xd = safeDomain(extent(depths), 'linear');
  const pad = (xd[1] - xd[0]) * 0.04;
  const yd = safeDomain(extent([...pts.map((q) => q.value as number), ...bars.flatMap((b) => [b.lo as number, b.hi as number])]), 'linear');
  const names = p.series.map((s) => s.name);
  const color = {
    field: 'series',
    type: 'nominal',
    scale: { domain: names, range: names.map(colorOf) },
    legend: legendAt(p.legend ?? 'top-left', names.length),
    sort: names,
  };
  const x = {
    field: 'depth',
    type: 'quantitative',
    scale: { domain: [xd[0] - pad, xd[1] + pad], nice: false, zero: false },
    axis: { title: p.xLabel ?? 'layer', ...(depths.length <= 16 ? { values: depths, labelOverlap: false } : {}) },
  };
  const y = {
    field: 'value',
    type: 'quantitative',
    scale: { domain: yd, nice: true, zero: false },
    axis: { title: p.yLabel ?? 'log magnitude' },
  };
  return {
    title: p.title ?? '',
    width: spec.panelWidth ?? 400,
    height: spec.panelHeight ?? 240,
    layer: [
      {
        name: `err${i}`,
        data: { values: bars },
        mark: { type: 'rule', strokeWidth: 1.4 },
        encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color: noLegend(color) },
      },
      { name: `line${i}`, data: { values: pts }, mark: { type: 'line', strokeWidth: 1.6, point: false }, encoding: { x, y, color } },
    ],
  };
}

function barsWithCI(spec: BarsWithCISpec, notes: Notes): VL[] {
  const rows: VL[] = [];
  const cis: VL[] = [];
  for (const b of spec.bars) {
    if (!isNum(b.value)) {
      notes.add(b.name, 'value not finite, bar left out');
      continue;
    }
    rows.push({ name: b.name, value: b.value, label: fmt(b.value) });
    if (b.ci) {
      if (isNum(b.ci[0]) && isNum(b.ci[1])) cis.push({ name: b.name, lo: Math.min(...b.ci), hi: Math.max(...b.ci) });
      else notes.add(b.name, 'CI not finite, left out');
    }
  }
  const names = spec.bars.map((b) => b.name);
  const yd = spec.yDomain ?? safeDomain(extent([0, ...rows.map((r) => r.value as number), ...cis.map((c) => c.hi as number)]), 'linear');
  const x = {
    field: 'name',
    type: 'nominal',
    sort: names,
    scale: { domain: names, paddingInner: 0.35 },
    axis: { title: spec.xLabel ?? null, labelAngle: 0, labelLimit: 200 },
  };
  const y = {
    field: 'value',
    type: 'quantitative',
    scale: { domain: yd, nice: !spec.yDomain, zero: true },
    axis: { title: spec.yLabel ?? 'value' },
  };
  const layers: VL[] = [
    {
      name: 'bars',
      data: { values: rows },
      mark: { type: 'bar', clip: true },
      encoding: {
        x,
        y,
        color: { field: 'name', type: 'nominal', scale: { domain: names, range: names.map((_, i) => TAB10[i % 10]) }, legend: null },
      },
    },
    {
      name: 'ci',
      data: { values: cis },
      mark: { type: 'errorbar', ticks: { size: 14, color: '#000' }, rule: { color: '#000', strokeWidth: 1.5 } },
      encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' } },
    },
    {
      name: 'labels',
      data: { values: rows },
      mark: { type: 'text', dy: -6, baseline: 'bottom', fontSize: 11, dx: -18 },
      encoding: { x, y, text: { field: 'label' } },
    },
  ];
  if (spec.annotation) {
    layers.push({
      name: 'annotation',
      data: { values: [{ t: spec.annotation }] },
      mark: { type: 'text', x: 8, y: 10, align: 'left', baseline: 'top', fontSize: 12, fontWeight: 'bold' },
      encoding: { text: { field: 't' } },
    });
  }
  return [{ width: spec.panelWidth ?? 360, height: spec.panelHeight ?? 240, layer: layers }];
}

function densityPanel(p: DensityPanel, i: number, spec: HistogramWithDensitySpec, notes: Notes, colorOf: (n: string) => string): VL {
  const where = p.title ?? (spec.panels.length > 1 ? `panel ${i + 1}` : undefined);
  // One set of bin edges for all series of the panel, so the overlaid bars line up.
  let domain = p.xDomain;
  if (!domain) {
    const ex = p.series
      .map((s) => (s.bins ? extent(s.bins.edges.filter(isNum)) : s.values ? finiteExtent(s.values) : undefined))
      .filter((e): e is [number, number] => !!e);
    domain = ex.length ? fromZero([Math.min(...ex.map((e) => e[0])), Math.max(...ex.map((e) => e[1]))]) : undefined;
  }
  const rows: VL[] = [];
  const perSeries = new Map<string, { n: number; width: number }>();
  for (const s of p.series) {
    const b = panelBins(
      `${where ? `${where}, ` : ''}${s.name}`,
      { values: s.values, bins: s.bins, binCount: p.binCount ?? 60 },
      domain,
      notes,
    );
    let n = 0;
    for (let k = 0; k < b.counts.length; k++) {
      const c = b.counts[k];
      if (!isNum(c)) continue;
      n += c;
      rows.push({ series: s.name, x0: b.edges[k], x1: b.edges[k + 1], count: c });
    }
    perSeries.set(s.name, { n, width: b.counts.length ? (b.edges[b.edges.length - 1]! - b.edges[0]!) / b.counts.length : 1 });
  }
  const maxC = Math.max(1, ...rows.map((r) => r.count as number));
  const yTop = maxC * 1.08;
  const curves: VL[] = [];
  let clipped = 0;
  let nonFinite = 0;
  for (const d of p.densities ?? []) {
    const of = perSeries.get(d.series ?? p.series[0]?.name ?? '') ?? { n: 1, width: 1 };
    for (let k = 0; k < Math.min(d.x.length, d.pdf.length); k++) {
      const x = d.x[k];
      const y = d.pdf[k]! * of.n * of.width;
      if (!isNum(x) || !isNum(y)) {
        nonFinite++;
        continue;
      }
      if (y > yTop) clipped++;
      curves.push({ series: d.name, x, y, k });
    }
  }
  if (nonFinite) notes.add(where, `density: dropped ${plural(nonFinite, 'non-finite point')}`);
  if (clipped) notes.add(where, `density: ${plural(clipped, 'point')} above the tallest bar clipped`);
  const names = [...p.series.map((s) => s.name), ...(p.densities ?? []).map((d) => d.name)];
  const xd = safeDomain(domain, 'linear');
  const x = {
    field: 'x0',
    type: 'quantitative',
    scale: { domain: xd, nice: false, zero: false },
    axis: { title: p.xLabel ?? 'singular value' },
  };
  const y = { field: 'count', type: 'quantitative', scale: { domain: [0, yTop], nice: false }, axis: { title: p.yLabel ?? 'counts' } };
  const color = { field: 'series', type: 'nominal', scale: { domain: names, range: names.map(colorOf) }, sort: names };
  return {
    title: p.title ?? '',
    width: spec.panelWidth ?? 300,
    height: spec.panelHeight ?? 220,
    layer: [
      {
        name: `hist${i}`,
        data: { values: rows },
        mark: { type: 'rect', opacity: 0.5, clip: true },
        encoding: {
          x,
          x2: { field: 'x1' },
          y,
          y2: { datum: 0 },
          color: { ...color, legend: legendAt(p.legend, names.length) && { ...legendAt(p.legend, names.length), symbolType: 'square' } },
        },
      },
      {
        name: `density${i}`,
        data: { values: curves },
        mark: { type: 'line', strokeWidth: 2, clip: true, strokeDash: [6, 3] },
        encoding: { x: { ...x, field: 'x' }, y: { ...y, field: 'y' }, color: noLegend(color), order: { field: 'k', type: 'quantitative' } },
      },
    ],
    resolve: { scale: { color: 'shared' } },
  };
}

// ---------------------------------------------------------------------------------------------
// Layout and rendering

const INDEPENDENT = {
  scale: { x: 'independent', y: 'independent', color: 'independent', strokeDash: 'independent' },
  legend: { color: 'independent' },
};

function arrange(panels: VL[], grid: { rows: string[]; cols: string[] } | undefined, keys: { row?: string; col?: string }[]): VL {
  if (!grid) return panels.length === 1 ? panels[0] : { hconcat: panels, resolve: INDEPENDENT };
  const rows = grid.rows.map((row) => {
    const cells = grid.cols.map((col) => panels[keys.findIndex((k) => k.row === row && k.col === col)]).filter(Boolean);
    return { hconcat: cells, resolve: INDEPENDENT, title: { text: row, orient: 'right', anchor: 'middle', fontSize: 14, angle: 90 } };
  });
  return { vconcat: rows, resolve: INDEPENDENT };
}

/** Stable colours: the i-th distinct series name of the whole figure gets tab10[i]. */
function palette(names: string[]): (n: string) => string {
  const order = [...new Set(names)];
  return (n) => TAB10[Math.max(0, order.indexOf(n)) % TAB10.length]!;
}

/** The vega-lite spec for a figure, and the notes about what was dropped. Exported for tests. */
export function toVegaLite(spec: FigureSpec): { vl: VL; notes: string[] } {
  const notes = new Notes();
  let body: VL;
  switch (spec.kind) {
    case 'histograms':
      body = arrange(histograms(spec, notes), undefined, []);
      break;
    case 'lines': {
      const colorOf = palette(spec.panels.flatMap((p) => p.series.map((s) => s.name)));
      body = arrange(
        spec.panels.map((p, i) => linesPanel(p, i, spec, notes, colorOf)),
        spec.grid,
        spec.panels,
      );
      break;
    }
    case 'heatmap':
      body = arrange(
        spec.panels.map((p, i) => heatmapPanel(p, i, spec, notes)),
        spec.grid,
        spec.panels,
      );
      break;
    case 'depthProfile': {
      const colorOf = palette(spec.panels.flatMap((p) => p.series.map((s) => s.name)));
      body = arrange(
        spec.panels.map((p, i) => depthPanel(p, i, spec, notes, colorOf)),
        undefined,
        [],
      );
      break;
    }
    case 'barsWithCI':
      body = arrange(barsWithCI(spec, notes), undefined, []);
      break;
    case 'histogramWithDensity': {
      const colorOf = palette(spec.panels.flatMap((p) => [...p.series.map((s) => s.name), ...(p.densities ?? []).map((d) => d.name)]));
      body = arrange(
        spec.panels.map((p, i) => densityPanel(p, i, spec, notes, colorOf)),
        undefined,
        [],
      );
      break;
    }
    default: {
      const never: never = spec;
      throw new Error(`unknown figure kind: ${JSON.stringify((never as { kind?: unknown }).kind)}`);
    }
  }
  const subtitle = [...(spec.caption ? [spec.caption] : []), ...notes.all];
  const vl: VL = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CONFIG,
    ...body,
  };
  if (spec.title) {
    vl.title = { text: spec.title, ...(subtitle.length ? { subtitle } : {}), anchor: 'start' };
  } else if (subtitle.length) {
    // vega drops a subtitle without a title: the notes become the title, in the subtitle's style
    vl.title = { text: subtitle, anchor: 'start', fontSize: 11, color: '#444', lineHeight: 13 };
  }
  return { vl, notes: notes.all };
}

/** Render a figure to an SVG string (no browser). */
export async function renderFigure(spec: FigureSpec): Promise<string> {
  const { vl } = toVegaLite(spec);
  const compiled = compile(vl).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  try {
    const svg = await view.toSVG();
    return svg.replace('<svg ', `<svg data-figure-kind="${spec.kind}" `);
  } finally {
    view.finalize();
  }
}

/** Write `<dir>/<id>.svg` atomically; returns its path relative to `dir` (for ClaimRecord.figure). */
export function saveFigure(id: string, svg: string, dir = 'reports'): string {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id)) throw new Error(`saveFigure: "${id}" is not a kebab-case claim id`);
  const rel = `${id}.svg`;
  writeFileAtomic(path.join(dir, rel), svg);
  return rel;
}
