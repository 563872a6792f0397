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
 *
 * One file per kind builds its panels in vega-lite's own types (types.ts: the FigureSpec types;
 * theme.ts: the look; scales.ts: domains, axes, binning and the notes); this one lays the panels
 * out, adds the title and renders.
 */
import path from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Resolve } from 'vega-lite/types_unstable/resolve.js';
import type { GenericHConcatSpec, GenericVConcatSpec } from 'vega-lite/types_unstable/spec/index.js';
import { writeFileAtomic } from '../atomic';
import { barsWithCI } from './bars';
import { densityPanel } from './density';
import { depthPanel } from './depth';
import { heatmapPanel } from './heatmap';
import { histograms } from './histograms';
import { linesPanel } from './lines';
import { Notes } from './scales';
import { CONFIG, palette } from './theme';
import type { FigureSpec, Panel } from './types';
import { reportsDir } from '../../config';

export { binValues } from './scales';
export type * from './types';

const INDEPENDENT: Resolve = {
  scale: { x: 'independent', y: 'independent', color: 'independent', strokeDash: 'independent' },
  legend: { color: 'independent' },
};

type Body = Panel | GenericHConcatSpec<Panel> | GenericVConcatSpec<GenericHConcatSpec<Panel>>;

/** Panels side by side, or in a rows × cols grid with the row labels on the right. */
function arrange(panels: Panel[], grid: { rows: string[]; cols: string[] } | undefined, keys: { row?: string; col?: string }[]): Body {
  if (!grid) return panels.length === 1 ? panels[0]! : { hconcat: panels, resolve: INDEPENDENT };
  const rows = grid.rows.map((row): GenericHConcatSpec<Panel> => {
    const cells = grid.cols.map((col) => panels[keys.findIndex((k) => k.row === row && k.col === col)]).filter((p) => p !== undefined);
    return { hconcat: cells, resolve: INDEPENDENT, title: { text: row, orient: 'right', anchor: 'middle', fontSize: 14, angle: 90 } };
  });
  return { vconcat: rows, resolve: INDEPENDENT };
}

/** The vega-lite spec for a figure, and the notes about what was dropped. Exported for tests. */
export function toVegaLite(spec: FigureSpec): { vl: TopLevelSpec; notes: string[] } {
  const notes = new Notes();
  let body: Body;
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
  let title: TopLevelSpec['title'];
  if (spec.title) {
    title = { text: spec.title, ...(subtitle.length ? { subtitle } : {}), anchor: 'start' };
  } else if (subtitle.length) {
    // vega drops a subtitle without a title: the notes become the title, in the subtitle's style
    title = { text: subtitle, anchor: 'start', fontSize: 11, color: '#444', lineHeight: 13 };
  }
  const vl: TopLevelSpec = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', config: CONFIG, ...body, ...(title && { title }) };
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
export function saveFigure(id: string, svg: string, dir = reportsDir()): string {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id)) throw new Error(`saveFigure: "${id}" is not a kebab-case claim id`);
  const rel = `${id}.svg`;
  writeFileAtomic(path.join(dir, rel), svg);
  return rel;
}
