/**
 * Fig. 1, 2: several series per panel, an optional shaded band, log or linear axes, reference
 * lines; an optional rows × cols grid (column titles on top, row labels on the right).
 */
import { axisFor, extent, isNum, plural, safeDomain, type Notes } from './scales';
import { legendAt, noLegend } from './theme';
import type { Field } from 'vega-lite/types_unstable/channeldef.js';
import type { LayerSpec } from 'vega-lite/types_unstable/spec/index.js';
import type { ColorDef, LinesPanel, LinesSpec, Panel, PositionDef } from './types';

export function linesPanel(p: LinesPanel, i: number, spec: LinesSpec, notes: Notes, colorOf: (n: string) => string): Panel {
  const where = p.title || [p.col, p.row].filter(Boolean).join(', ') || `panel ${i + 1}`;
  const xScale = p.xScale ?? 'linear';
  const yScale = p.yScale ?? 'linear';
  const rows: { series: string; x: number; y: number; k: number }[] = [];
  const bands: { series: string; x: number; lo: number; hi: number }[] = [];
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

  const xd = safeDomain(p.xDomain ?? extent(rows.map((r) => r.x)), xScale);
  const yAll = [...rows.map((r) => r.y), ...bands.flatMap((b) => [b.lo, b.hi]), ...(p.hlines ?? []).map((l) => l.y)];
  const yd = safeDomain(p.yDomain ?? extent(yAll.filter((y) => isNum(y) && okY(y))), yScale);
  const names = p.series.map((s) => s.name);
  const color: ColorDef = {
    field: 'series',
    type: 'nominal',
    scale: { domain: names, range: names.map(colorOf) },
    legend: legendAt(p.legend, names.length),
    sort: names,
  };
  const x: PositionDef = {
    field: 'x',
    type: 'quantitative',
    scale: { type: xScale, domain: xd, nice: false, ...(xScale === 'linear' ? { zero: false } : {}) },
    axis: axisFor(xScale, p.xLabel, xd[0], xd[1]),
  };
  const y: PositionDef = {
    field: 'y',
    type: 'quantitative',
    scale: { type: yScale, domain: yd, nice: yScale === 'linear', ...(yScale === 'linear' ? { zero: false } : {}) },
    axis: axisFor(yScale, p.yLabel, yd[0], yd[1]),
  };
  const layers: LayerSpec<Field>['layer'] = [];
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
