/** Fig. 5: a value against layer depth with error bars, one line per series. */
import { extent, isNum, plural, safeDomain, type Notes } from './scales';
import { legendAt, noLegend } from './theme';
import type { ColorDef, DepthPanel, DepthProfileSpec, Panel, PositionDef } from './types';

export function depthPanel(p: DepthPanel, i: number, spec: DepthProfileSpec, notes: Notes, colorOf: (n: string) => string): Panel {
  const where = p.title ?? (spec.panels.length > 1 ? `panel ${i + 1}` : undefined);
  const pts: { series: string; depth: number; layer: number; value: number }[] = [];
  const bars: { series: string; depth: number; lo: number; hi: number }[] = [];
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
  const depths = [...new Set(pts.map((q) => q.layer))].sort((a, b) => a - b);
  const xd = safeDomain(extent(depths), 'linear');
  const pad = (xd[1] - xd[0]) * 0.04;
  const yd = safeDomain(extent([...pts.map((q) => q.value), ...bars.flatMap((b) => [b.lo, b.hi])]), 'linear');
  const names = p.series.map((s) => s.name);
  const color: ColorDef = {
    field: 'series',
    type: 'nominal',
    scale: { domain: names, range: names.map(colorOf) },
    legend: legendAt(p.legend ?? 'top-left', names.length),
    sort: names,
  };
  const x: PositionDef = {
    field: 'depth',
    type: 'quantitative',
    scale: { domain: [xd[0] - pad, xd[1] + pad], nice: false, zero: false },
    axis: { title: p.xLabel ?? 'layer', ...(depths.length <= 16 ? { values: depths, labelOverlap: false } : {}) },
  };
  const y: PositionDef = {
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
