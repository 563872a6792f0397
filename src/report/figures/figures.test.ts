import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import { binValues, renderFigure, saveFigure, toVegaLite, type FigureSpec } from '.';
import { sampleFigures } from '../testing/sample-figures';

/** Parse as XML (throws on anything malformed) and return the <svg> document. */
function parseSvg(svg: string): Document {
  const doc = new DOMParser({
    onError: (level, msg) => {
      if (level !== 'warning') throw new Error(`SVG is not well-formed XML: ${msg}`);
    },
  }).parseFromString(svg, 'image/svg+xml');
  expect(doc.documentElement?.tagName).toBe('svg');
  return doc;
}

function all(doc: Document, tag: string): Element[] {
  return Array.from(doc.getElementsByTagName(tag));
}

/** The items drawn by the mark named `name` (vega-lite layer name), over all its groups. */
function marks(doc: Document, name: string): Element[] {
  return all(doc, 'g')
    .filter((g) => (g.getAttribute('class') ?? '').split(' ').includes(`${name}_marks`))
    .flatMap((g) => Array.from(g.childNodes).filter((n): n is Element => n.nodeType === 1));
}

/** Every text line drawn (multi-line texts are one <tspan> per line). */
function texts(doc: Document): string[] {
  return all(doc, 'text').flatMap((t) => {
    const spans = Array.from(t.getElementsByTagName('tspan'));
    return spans.length ? spans.map((s) => s.textContent ?? '') : [t.textContent ?? ''];
  });
}

function checkCommon(svg: string): Document {
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg).not.toMatch(/NaN|Infinity|undefined/);
  const doc = parseSvg(svg);
  const root = doc.documentElement!;
  expect(Number(root.getAttribute('width'))).toBeGreaterThan(100);
  expect(Number(root.getAttribute('height'))).toBeGreaterThan(100);
  return doc;
}

const samples = sampleFigures();

describe('renderFigure', () => {
  it('histograms: one bar per bin, log y without empty bins, notes about dropped values', async () => {
    const spec = samples.histograms as Extract<FigureSpec, { kind: 'histograms' }>;
    const doc = checkCommon(await renderFigure(spec));
    expect(marks(doc, 'hist0')).toHaveLength(120);
    const nobn = spec.panels[1]!.values!;
    const nonEmpty = binValues(nobn, 120, -4, 4).bins.counts.filter((c) => c > 0).length;
    expect(marks(doc, 'hist1')).toHaveLength(nonEmpty);
    const t = texts(doc);
    for (const s of ['with BN', 'w/o BN', 'gradient magnitude', 'counts', 'Gradients of layer 55 at initialisation'])
      expect(t).toContain(s);
    expect(t).toContain('w/o BN: dropped 2 non-finite values of 20002');
    expect(t.some((x) => /^w\/o BN: \d+ values outside \[-4, 4\] not shown$/.test(x))).toBe(true);
    // decade labels on the log axis: 1, 10, 10², ...
    expect(t).toEqual(expect.arrayContaining(['1', '10', '10²']));
  });

  it('lines: a rows × cols grid with column titles, row labels, reference lines', async () => {
    const doc = checkCommon(await renderFigure(samples.lines));
    for (let i = 0; i < 6; i++) expect(marks(doc, `line${i}`)).toHaveLength(1); // one series per panel
    for (const i of [1, 3, 5]) expect(marks(doc, `hline${i}_0_layer_0`)).toHaveLength(1);
    const t = texts(doc);
    for (const s of ['mini-batch 1', 'mini-batch 4', 'mini-batch 7', 'with BN', 'w/o BN', 'step size', 'relative loss', 'divergence (10³)'])
      expect(t).toContain(s);
    expect(t.filter((x) => x === 'step size')).toHaveLength(6);
    expect(t).toContain('mini-batch 1, w/o BN · mini-batch 4, w/o BN · mini-batch 7, w/o BN: dropped 1 non-finite point');
    expect(t).toEqual(expect.arrayContaining(['10⁻⁴', '10⁻²', '10⁶']));
  });

  it('lines: bands for the seeds spread, a legend with every series', async () => {
    const doc = checkCommon(await renderFigure(samples.accuracy));
    expect(marks(doc, 'line0')).toHaveLength(4);
    expect(marks(doc, 'band0')).toHaveLength(4);
    const t = texts(doc);
    for (const s of [
      'lr=0.003 (with BN)',
      'lr=0.1 (with BN)',
      'lr=0.0001 (with BN)',
      'lr=0.0001 (w/o BN)',
      '% of training',
      'test accuracy',
    ])
      expect(t).toContain(s);
    // each series keeps its tab10 colour in line and band
    const strokes = marks(doc, 'line0').map((p) => p.getAttribute('stroke'));
    expect(strokes).toEqual(['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728']);
  });

  it('heatmap: one cell per finite matrix entry, NaN left blank and said so', async () => {
    const doc = checkCommon(await renderFigure(samples.heatmap));
    expect(marks(doc, 'heat0')).toHaveLength(128 * 10 - 1);
    expect(marks(doc, 'heat1')).toHaveLength(128 * 10);
    const t = texts(doc);
    for (const s of ['w/o BN', 'with BN', 'Class activation', 'Image in batch', 'Gradient']) expect(t).toContain(s);
    expect(t).toContain('w/o BN: 1 non-finite cell left blank');
  });

  it('heatmap grid: six panels of log10 values with row labels', async () => {
    const doc = checkCommon(await renderFigure(samples.moments));
    for (let i = 0; i < 6; i++) expect(marks(doc, `heat${i}`)).toHaveLength(25 * 16);
    const t = texts(doc);
    for (const s of ['layer 8', 'layer 44', 'layer 80', 'means', 'variances', 'channel', '% of step']) expect(t).toContain(s);
  });

  it('depthProfile: a line per series and an error bar per point', async () => {
    const doc = checkCommon(await renderFigure(samples.depthProfile));
    expect(marks(doc, 'line0')).toHaveLength(4);
    expect(marks(doc, 'err0')).toHaveLength(40);
    const t = texts(doc);
    for (const s of ['layer', 'log [ magnitude ]', 'channel means, with BN', 'channel stds, w/o BN', '6', '110']) expect(t).toContain(s);
  });

  it('barsWithCI: bars, CI whiskers, value labels and the annotation', async () => {
    const doc = checkCommon(await renderFigure(samples.barsWithCI));
    expect(marks(doc, 'bars')).toHaveLength(3);
    expect(marks(doc, 'ci_layer_2')).toHaveLength(3);
    const t = texts(doc);
    for (const s of ['no BN', 'final-layer BN', 'BN everywhere', 'test accuracy', 'recovery = 0.64 [0.41, 0.88] (paper: ≈ 2/3)', '0.7'])
      expect(t).toContain(s);
  });

  it('histogramWithDensity: overlaid histograms and the density curve', async () => {
    const doc = checkCommon(await renderFigure(samples.histogramWithDensity));
    expect(marks(doc, 'hist0')).toHaveLength(3 * 60);
    expect(marks(doc, 'hist1')).toHaveLength(40);
    expect(marks(doc, 'density1')).toHaveLength(1);
    const t = texts(doc);
    for (const s of ['one matrix', 'three matrices', 'five matrices', 'quarter circle', 'singular value', 'counts']) expect(t).toContain(s);
  });

  it('never draws non-finite values: all-NaN panels, zeros on log axes, empty series', async () => {
    const nan = [NaN, Infinity, -Infinity];
    const specs: FigureSpec[] = [
      {
        kind: 'histograms',
        panels: [
          { title: 'all bad', values: nan },
          { title: 'empty', values: [], logY: true },
        ],
      },
      { kind: 'lines', panels: [{ series: [{ name: 'a', x: [1, 2, 3], y: [0, -1, NaN] }], xScale: 'log', yScale: 'log' }, { series: [] }] },
      {
        kind: 'heatmap',
        panels: [
          {
            matrix: [
              [NaN, 0],
              [Infinity, 0],
            ],
            transform: 'log10abs',
          },
        ],
      },
      { kind: 'depthProfile', panels: [{ series: [{ name: 'a', depth: [1, 2], value: [NaN, NaN], err: [1, NaN] }] }] },
      {
        kind: 'barsWithCI',
        bars: [
          { name: 'a', value: NaN, ci: [0, 1] },
          { name: 'b', value: 1, ci: [NaN, 2] },
        ],
      },
      {
        kind: 'histogramWithDensity',
        panels: [{ series: [{ name: 'a', values: nan }], densities: [{ name: 'd', x: [0, 1], pdf: [Infinity, 1] }] }],
      },
    ];
    for (const spec of specs) {
      const svg = await renderFigure(spec);
      const doc = checkCommon(svg);
      const subtitle = texts(doc).join('\n');
      expect(subtitle, spec.kind).toMatch(/non-finite|not finite|no finite|non-positive|zero cell/);
    }
  });

  it('takes typed arrays (Float32Array values, Float64Array series)', async () => {
    const v = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i));
    const x = Float64Array.from({ length: 20 }, (_, i) => i + 1);
    const doc1 = checkCommon(await renderFigure({ kind: 'histograms', panels: [{ values: v, binCount: 25 }] }));
    expect(marks(doc1, 'hist0')).toHaveLength(25);
    const doc2 = checkCommon(
      await renderFigure({ kind: 'lines', panels: [{ series: [{ name: 's', x, y: x.map((t) => t * t) }], xScale: 'log', yScale: 'log' }] }),
    );
    expect(marks(doc2, 'line0')).toHaveLength(1);
  });

  it('toVegaLite puts the caption first and the notes after it', () => {
    const { vl, notes } = toVegaLite({ kind: 'barsWithCI', title: 'T', caption: 'smoke scale', bars: [{ name: 'a', value: NaN }] });
    expect(notes).toEqual(['a: value not finite, bar left out']);
    expect(vl.title).toMatchObject({ text: 'T', subtitle: ['smoke scale', 'a: value not finite, bar left out'] });
    // without a title the notes still show, as the title
    expect(toVegaLite({ kind: 'barsWithCI', bars: [{ name: 'a', value: NaN }] }).vl.title).toMatchObject({
      text: ['a: value not finite, bar left out'],
    });
  });

  it('binValues counts every finite value inside the range exactly once', () => {
    const b = binValues([0, 0.5, 1, 1, 2, NaN, -1], 2, 0, 2);
    expect(b.bins.counts).toEqual([2, 3]); // 2 falls in the last bin
    expect(b.bins.edges).toEqual([0, 1, 2]);
    expect(b).toMatchObject({ outside: 1, nonFinite: 1, total: 7 });
  });
});

describe('saveFigure', () => {
  it('writes reports/<id>.svg atomically and returns the relative path', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bn-fig-'));
    expect(saveFigure('heavy-tailed-gradients', '<svg/>', dir)).toBe('heavy-tailed-gradients.svg');
    expect(fs.readFileSync(path.join(dir, 'heavy-tailed-gradients.svg'), 'utf8')).toBe('<svg/>');
    expect(() => saveFigure('../evil', '<svg/>', dir)).toThrow(/kebab-case/);
  });
});
