/** Fig. 7: overlaid histograms with a theoretical density curve on top. */
import { extent, finiteExtent, fromZero, isNum, panelBins, plural, safeDomain, type Notes } from './scales';
import { legendAt, noLegend } from './theme';
import type { ColorDef, DensityPanel, HistogramWithDensitySpec, Panel, PositionDef } from './types';

export function densityPanel(
  p: DensityPanel,
  i: number,
  spec: HistogramWithDensitySpec,
  notes: Notes,
  colorOf: (n: string) => string,
): Panel {
  const where = p.title ?? (spec.panels.length > 1 ? `panel ${i + 1}` : undefined);
  // One set of bin edges for all series of the panel, so the overlaid bars line up.
  let domain = p.xDomain;
  if (!domain) {
    const ex = p.series
      .map((s) => (s.bins ? extent(s.bins.edges.filter(isNum)) : s.values ? finiteExtent(s.values) : undefined))
      .filter((e): e is [number, number] => !!e);
    domain = ex.length ? fromZero([Math.min(...ex.map((e) => e[0])), Math.max(...ex.map((e) => e[1]))]) : undefined;
  }
  const rows: { series: string; x0: number; x1: number; count: number }[] = [];
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
      rows.push({ series: s.name, x0: b.edges[k]!, x1: b.edges[k + 1]!, count: c });
    }
    perSeries.set(s.name, { n, width: b.counts.length ? (b.edges[b.edges.length - 1]! - b.edges[0]!) / b.counts.length : 1 });
  }
  const maxC = Math.max(1, ...rows.map((r) => r.count));
  const yTop = maxC * 1.08;
  const curves: { series: string; x: number; y: number; k: number }[] = [];
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
  const x: PositionDef = {
    field: 'x0',
    type: 'quantitative',
    scale: { domain: xd, nice: false, zero: false },
    axis: { title: p.xLabel ?? 'singular value' },
  };
  const y: PositionDef = {
    field: 'count',
    type: 'quantitative',
    scale: { domain: [0, yTop], nice: false },
    axis: { title: p.yLabel ?? 'counts' },
  };
  const color: ColorDef = { field: 'series', type: 'nominal', scale: { domain: names, range: names.map(colorOf) }, sort: names };
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
