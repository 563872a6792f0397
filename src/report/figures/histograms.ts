/** Fig. 4: side-by-side histograms, each with its own x-range, optionally a log y-axis. */
import { axisFor, isNum, panelBins, safeDomain, type Notes } from './scales';
import { TAB10 } from './theme';
import type { HistogramsSpec, Panel, Scale } from './types';

export function histograms(spec: HistogramsSpec, notes: Notes): Panel[] {
  const w = spec.panelWidth ?? 320;
  const h = spec.panelHeight ?? 220;
  return spec.panels.map((p, i) => {
    const where = p.title ?? (spec.panels.length > 1 ? `panel ${i + 1}` : undefined);
    const bins = panelBins(where, p, p.xDomain, notes);
    const floor = 0.8; // a log axis cannot show 0: empty bins are left out, bars start below 1
    const rows: { x0: number; x1: number; count: number; base: number }[] = [];
    for (let k = 0; k < bins.counts.length; k++) {
      const c = bins.counts[k];
      if (!isNum(c) || (p.logY && c <= 0)) continue;
      rows.push({ x0: bins.edges[k]!, x1: bins.edges[k + 1]!, count: c, base: p.logY ? floor : 0 });
    }
    const xd = safeDomain(p.xDomain ?? (bins.edges.length ? [bins.edges[0]!, bins.edges[bins.edges.length - 1]!] : undefined), 'linear');
    const maxC = Math.max(1, ...rows.map((r) => r.count));
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
