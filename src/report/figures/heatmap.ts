/** Fig. 3, 6: matrices as colour maps (viridis), one colour bar per panel, optionally in a grid. */
import { extent, isNum, plural, safeDomain, type Notes } from './scales';
import type { HeatmapPanel, HeatmapSpec, Panel } from './types';

export function heatmapPanel(p: HeatmapPanel, i: number, spec: HeatmapSpec, notes: Notes): Panel {
  const where = p.title || [p.col, p.row].filter(Boolean).join(', ') || `panel ${i + 1}`;
  const nr = p.matrix.length;
  const nc = Math.max(0, ...p.matrix.map((r) => r.length));
  const x0 = p.x0 ?? 0;
  const dx = p.dx ?? 1;
  const y0 = p.y0 ?? 0;
  const dy = p.dy ?? 1;
  const rows: { r: number; c: number; r1: number; c1: number; v: number; x: number; x1: number; y: number; y1: number }[] = [];
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
      // cells span [index, index + 1) in data units, so the axes get nice ticks of their own
      rows.push({ r, c, r1: r + 1, c1: c + 1, v, x: x0 + c * dx, x1: x0 + (c + 1) * dx, y: y0 + r * dy, y1: y0 + (r + 1) * dy });
    }
  }
  if (nonFinite) notes.add(where, `${plural(nonFinite, 'non-finite cell')} left blank`);
  if (zeros) notes.add(where, `${plural(zeros, 'zero cell')} left blank (log scale)`);
  if (rows.length === 0) notes.add(where, 'no finite cells to draw');
  let vd = safeDomain(extent(rows.map((d) => d.v)), 'linear');
  if (p.symmetric) {
    const m = Math.max(Math.abs(vd[0]), Math.abs(vd[1]));
    vd = [-m, m];
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
          titleAnchor: 'middle',
          titleFontWeight: 'normal',
          titleFontSize: 12,
        },
      },
    },
  };
}
