/**
 * One plausible FigureSpec per kind, shaped like the paper's figures, with a few NaNs and
 * infinities mixed in: used by figures.test.ts and by scripts/figure-gallery.ts to look at them.
 */
import { Rng } from '../../rng';
import type { FigureSpec } from '../figures';

const rng = (seed: number) => {
  const g = new Rng(seed);
  return () => g.uniform();
};
function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}
const logspace = (a: number, b: number, n: number) => Array.from({ length: n }, (_, i) => 10 ** (a + ((b - a) * i) / (n - 1)));

export function sampleFigures() {
  const r = rng(1);
  // Fig. 4: BN gradients Gaussian ±0.04, no-BN heavy-tailed over ±4 (Student-t-like, a spike at 0).
  const bn = Array.from({ length: 20000 }, () => 0.012 * gauss(r));
  const nobn = Array.from({ length: 20000 }, () => {
    const g = gauss(r);
    const chi = Math.abs(gauss(r)) + 0.05;
    return (0.15 * g) / (chi * chi);
  });
  nobn.push(NaN, Infinity);

  // Fig. 2: relative loss vs step size, BN row and no-BN row, three mini-batches.
  const steps = logspace(-5, -1, 40);
  const cols = ['mini-batch 1', 'mini-batch 4', 'mini-batch 7'];
  const linesPanels = cols.flatMap((col, j) => [
    {
      row: 'with BN',
      col,
      series: [{ name: 'relative loss', x: steps, y: steps.map((s) => 1 - 2 * s + 40 * s * s * (1 + j)) }],
      xScale: 'log' as const,
      yScale: 'log' as const,
      xLabel: 'step size',
      yLabel: j === 0 ? 'relative loss' : undefined,
    },
    {
      row: 'w/o BN',
      col,
      series: [{ name: 'relative loss', x: steps, y: steps.map((s, k) => (k === 39 ? Infinity : 1 + (s / 1e-3) ** 6)) }],
      xScale: 'log' as const,
      yScale: 'log' as const,
      xLabel: 'step size',
      yLabel: j === 0 ? 'relative loss' : undefined,
      yDomain: [1e-2, 1e6] as [number, number],
      hlines: [{ y: 1e3, label: 'divergence (10³)' }],
    },
  ]);

  // Fig. 1: accuracy vs % of training, seeds' spread shaded.
  const pct = Array.from({ length: 50 }, (_, i) => 2 * (i + 1));
  const curve = (top: number, rate: number, jump: number) => pct.map((p) => top - (top - 10) * Math.exp(-rate * p) + (p >= 50 ? jump : 0));
  const acc = [
    { name: 'lr=0.003 (with BN)', y: curve(88.5, 0.2, 2) },
    { name: 'lr=0.1 (with BN)', y: curve(86, 0.08, 6) },
    { name: 'lr=0.0001 (with BN)', y: curve(80.5, 0.1, 0.8) },
    { name: 'lr=0.0001 (w/o BN)', y: curve(80.8, 0.07, 1) },
  ].map((s, i) => ({ ...s, x: pct, lo: s.y.map((v) => v - 1 - i * 0.3), hi: s.y.map((v) => v + 1 + i * 0.3) }));

  // Fig. 6: 128 images × 10 classes, no-BN has one bright column.
  const heat = (oneClass: boolean) =>
    Array.from({ length: 128 }, (_, i) =>
      Array.from({ length: 10 }, (_, c) => (oneClass ? (c === 9 ? 0.006 : 0) : 0.002 * gauss(r)) + (c === (i * 7) % 10 ? -0.006 : 0)),
    );
  const heat6 = heat(true);
  heat6[3]![3] = NaN;

  // Fig. 3: t × channel of log10 |moment|, rows means / variances, three layers.
  const layers = [8, 44, 80];
  const heat3 = layers.flatMap((layer, j) =>
    (['means', 'variances'] as const).map((row) => ({
      row,
      col: `layer ${layer}`,
      matrix: Array.from({ length: 25 }, (_, t) =>
        Array.from({ length: 16 }, (_, c) => (1 + r()) * 10 ** ((t / 24) ** 3 * (j + 1) * (row === 'means' ? 3 : 6) + (c % 3) * 0.1)),
      ),
      transform: 'log10abs' as const,
      xLabel: 'channel',
      yLabel: '% of step',
      y0: 0,
      dy: 100 / 24,
      colorLabel: `log10 |${row}|`,
    })),
  );

  // Fig. 5: log magnitude vs depth with error bars.
  const depth = [6, 18, 30, 42, 54, 66, 78, 90, 102, 110];
  const depthSeries = [
    { name: 'channel means, with BN', f: () => -0.5 + 0.6 * gauss(r) },
    { name: 'channel stds, with BN', f: () => 0.4 + 0.4 * gauss(r) },
    { name: 'channel means, w/o BN', f: (k: number) => -1.5 + 0.5 * k },
    { name: 'channel stds, w/o BN', f: (k: number) => -1.3 + 0.45 * k },
  ].map((s) => ({ name: s.name, depth, value: depth.map((_, k) => s.f(k)), err: depth.map(() => 0.3 + r()) }));

  // Fig. 7: singular values of products of M Gaussian matrices, with the quarter-circle law for M=1.
  // Stand-in samples with the right support and shape, not real spectra (tests need no linear
  // algebra): quarter-circle draws for M = 1, products of M of them rescaled for M > 1.
  const quarter = () => {
    for (;;) {
      const x = 2 * r();
      if (r() * 2 < Math.sqrt(4 - x * x)) return x;
    }
  };
  const sv = (M: number) =>
    Array.from({ length: 3000 }, () => {
      let p = 1;
      for (let m = 0; m < M; m++) p *= quarter();
      return (p * Math.sqrt((M + 1) ** (M + 1) / M ** M)) / 2 ** M;
    });
  const xs = Array.from({ length: 101 }, (_, i) => (2 * i) / 100);

  return {
    histograms: {
      kind: 'histograms',
      title: 'Gradients of layer 55 at initialisation',
      caption: 'smoke scale: ResNet-20, 256 images',
      panels: [
        { title: 'with BN', values: bn, binCount: 120 },
        { title: 'w/o BN', values: nobn, binCount: 120, xDomain: [-4, 4], logY: true },
      ],
    },
    lines: {
      kind: 'lines',
      title: 'Relative loss after one gradient step',
      grid: { rows: ['with BN', 'w/o BN'], cols },
      panels: linesPanels,
    },
    accuracy: {
      kind: 'lines',
      panels: [{ series: acc, xLabel: '% of training', yLabel: 'test accuracy', legend: 'bottom-right', yDomain: [50, 95] }],
    },
    heatmap: {
      kind: 'heatmap',
      title: 'Gradients of the output layer',
      panels: [
        { title: 'w/o BN', matrix: heat6, xLabel: 'Class activation', yLabel: 'Image in batch', colorLabel: 'Gradient', symmetric: true },
        {
          title: 'with BN',
          matrix: heat(false),
          xLabel: 'Class activation',
          yLabel: 'Image in batch',
          colorLabel: 'Gradient',
          symmetric: true,
        },
      ],
    },
    moments: {
      kind: 'heatmap',
      grid: { rows: ['means', 'variances'], cols: layers.map((l) => `layer ${l}`) },
      panels: heat3,
      panelWidth: 160,
      panelHeight: 150,
    },
    depthProfile: {
      kind: 'depthProfile',
      title: 'Channel moments at initialisation',
      panels: [{ series: depthSeries, yLabel: 'log [ magnitude ]' }],
    },
    barsWithCI: {
      kind: 'barsWithCI',
      title: 'BN in the final layer only',
      bars: [
        { name: 'no BN', value: 0.61, ci: [0.58, 0.64] },
        { name: 'final-layer BN', value: 0.7, ci: [0.67, 0.73] },
        { name: 'BN everywhere', value: 0.75, ci: [0.72, 0.78] },
      ],
      yLabel: 'test accuracy',
      yDomain: [0, 1],
      annotation: 'recovery = 0.64 [0.41, 0.88] (paper: ≈ 2/3)',
    },
    histogramWithDensity: {
      kind: 'histogramWithDensity',
      panels: [
        {
          series: [
            { name: 'one matrix', values: sv(1) },
            { name: 'three matrices', values: sv(3) },
            { name: 'five matrices', values: sv(5) },
          ],
        },
        {
          series: [{ name: 'one matrix', values: sv(1) }],
          densities: [{ name: 'quarter circle', x: xs, pdf: xs.map((x) => Math.sqrt(Math.max(0, 4 - x * x)) / Math.PI) }],
          binCount: 40,
        },
      ],
    },
  } satisfies Record<string, FigureSpec>;
}
