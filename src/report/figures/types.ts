/**
 * What a claim asks for: one FigureSpec per figure, its `kind` naming the builder that draws it
 * (histograms.ts, lines.ts, ...). Below them, the vega-lite types that the builders produce.
 */
import type { Field, MarkPropFieldDef, PositionFieldDef } from 'vega-lite/types_unstable/channeldef.js';
import type { DataMixins } from 'vega-lite/types_unstable/spec/base.js';
import type { LayerSpec, UnitSpecWithFrame } from 'vega-lite/types_unstable/spec/index.js';

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

/** One panel of a figure, in vega-lite's own types: a single mark with its data, or a layer of marks. */
export type Panel = (UnitSpecWithFrame<Field> & DataMixins) | LayerSpec<Field>;
/** The encodings a panel's layers share: an x or y position, and the colour with its legend. */
export type PositionDef = PositionFieldDef<Field>;
export type ColorDef = MarkPropFieldDef<Field>;
