/**
 * The look: matplotlib's (boxed axes, no grid, tab10 colours, legends inside the plot), as a
 * vega-lite config, and the colours and legends the builders share.
 */
import type { Config } from 'vega-lite';
import type { Legend } from 'vega-lite/types_unstable/legend.js';
import type { ExprRef } from 'vega-lite/types_unstable/expr.js';
import type { LegendPosition } from './types';

/** matplotlib's tab10 (= d3 category10). */
export const TAB10 = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

export const CONFIG: Config = {
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

/** A legend at `pos`, or none (null) when asked or when there is a single series. */
export function legendAt(pos: LegendPosition | undefined, n: number): Legend<ExprRef> | null {
  if (pos === 'none' || (pos === undefined && n < 2)) return null;
  const orient = pos ?? 'top-right';
  return { orient, title: null, symbolType: 'stroke' };
}

/** The same colour encoding for a secondary layer, which leaves the legend to the main one. */
export function noLegend<C extends { legend?: unknown }>(color: C): Omit<C, 'legend'> {
  const { legend: _legend, ...rest } = color;
  return rest;
}

/** Stable colours: the i-th distinct series name of the whole figure gets tab10[i]. */
export function palette(names: string[]): (n: string) => string {
  const order = [...new Set(names)];
  return (n) => TAB10[Math.max(0, order.indexOf(n)) % TAB10.length]!;
}
