/** §4: a few arms' values as bars with confidence intervals, and an annotation inside the plot. */
import type { Field } from 'vega-lite/types_unstable/channeldef.js';
import type { LayerSpec } from 'vega-lite/types_unstable/spec/index.js';
import { extent, fmt, isNum, safeDomain, type Notes } from './scales';
import { TAB10 } from './theme';
import type { BarsWithCISpec, Panel, PositionDef } from './types';

export function barsWithCI(spec: BarsWithCISpec, notes: Notes): Panel[] {
  const rows: { name: string; value: number; label: string }[] = [];
  const cis: { name: string; lo: number; hi: number }[] = [];
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
  const yd = spec.yDomain ?? safeDomain(extent([0, ...rows.map((r) => r.value), ...cis.map((c) => c.hi)]), 'linear');
  const x: PositionDef = {
    field: 'name',
    type: 'nominal',
    sort: names,
    scale: { domain: names, paddingInner: 0.35 },
    axis: { title: spec.xLabel ?? null, labelAngle: 0, labelLimit: 200 },
  };
  const y: PositionDef = {
    field: 'value',
    type: 'quantitative',
    scale: { domain: yd, nice: !spec.yDomain, zero: true },
    axis: { title: spec.yLabel ?? 'value' },
  };
  const layers: LayerSpec<Field>['layer'] = [
    {
      name: 'bars',
      data: { values: rows },
      mark: { type: 'bar', clip: true },
      encoding: {
        x,
        y,
        color: { field: 'name', type: 'nominal', scale: { domain: names, range: names.map((_, i) => TAB10[i % 10]!) }, legend: null },
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
