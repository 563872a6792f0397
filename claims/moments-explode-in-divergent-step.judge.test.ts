import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LayerTrace } from '../src/probes/divergent-step';
import {
  decades,
  FLOAT32_MAX,
  judgeMomentsExplode,
  LAYERS,
  largestMove,
  type ExplodeSeed,
} from './moments-explode-in-divergent-step.judge';

/** A trace whose variance grows by `g` decades from `v0` over the step (geometric in t). */
const trace = (depth: number, g: number, v0 = 1, ts = [0, 0.5, 1]): LayerTrace => ({
  point: `conv:${depth}`,
  depth,
  variance: ts.map((t) => v0 * 10 ** (g * t)),
  absMean: ts.map((t) => Math.sqrt(v0) * 10 ** ((g / 2) * t)),
});
/** One seed: the no-BN growth at layers 8, 44, 80, and the BN growth at every layer. */
const seedOf = (seed: number, g: { 8: number; 44: number; 80: number }, bn = 0.02): ExplodeSeed => ({
  seed,
  alpha: 0.01,
  relativeLoss: 1e8,
  none: LAYERS.map((d) => trace(d, g[d as 8 | 44 | 80], 0.1 * 10 ** (d / 40))),
  bn: LAYERS.map((d) => trace(d, bn)),
  blocks: { depth: [3, 55, 109], var0: [0.1, 3, 100], var1: [0.01, 30, 1e15] },
});
const verdict = (seeds: ExplodeSeed[]) => {
  const j = judgeMomentsExplode(seeds);
  return { j, holds: j.preconditions.step.met && j.checks.every((c) => c.passed) };
};
const decade = (lo: number, hi: number) => fc.double({ min: lo, max: hi, noNaN: true });

describe('moments-explode-in-divergent-step judge', () => {
  it('holds when layer 80 blows up by ≫ 3 decades, layer 8 barely moves, and BN stays put (Fig. 3)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(decade(-1, 1), decade(-3, 12), decade(8, 14), decade(0, 0.2)), { minLength: 5, maxLength: 20 }),
        (rows) => {
          const { j, holds } = verdict(rows.map(([g8, g44, g80, bn], i) => seedOf(i, { 8: g8, 44: g44, 80: g80 }, bn)));
          expect(holds, JSON.stringify(j.checks)).toBe(true);
          // layer 44 is recorded, never asserted
          expect(j.checks.some((c) => c.description.includes('layer 44'))).toBe(false);
          expect(j.statistics.some((s) => s.name.startsWith('layer 44'))).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('fails when layer 80 does not blow up, when layer 8 grows as much, or when BN moves like the plain net', () => {
    const n = 8;
    const base = (i: number) => ({ 8: 0.2 * (i % 3), 44: 6, 80: 10 + (i % 4) });
    const failing = (seeds: ExplodeSeed[]) =>
      verdict(seeds)
        .j.checks.filter((c) => !c.passed)
        .map((c) => c.description);
    expect(failing(Array.from({ length: n }, (_, i) => seedOf(i, base(i))))).toEqual([]);
    // layer 80 grows 1–2 decades only
    expect(failing(Array.from({ length: n }, (_, i) => seedOf(i, { ...base(i), 80: 1 + (i % 2) })))).toEqual([
      expect.stringContaining('layer 80 blows up'),
      expect.stringContaining('layer 80 grows more than the early layer 8'),
    ]);
    // the whole net blows up, the early layer too: "later, not earlier" fails
    expect(failing(Array.from({ length: n }, (_, i) => seedOf(i, { ...base(i), 8: 9 + (i % 3) })))).toEqual([
      expect.stringContaining('layer 80 grows more than the early layer 8'),
    ]);
    // BN_FAULT=bn-no-normalise: the BN arm blows up as the plain net does
    expect(failing(Array.from({ length: n }, (_, i) => seedOf(i, base(i), 10 + (i % 3))))).toEqual([expect.stringContaining('with BN')]);
  });

  it('a few seeds that collapse instead pull the mean down; a paired bound, not a minimum over seeds', () => {
    const rows = Array.from({ length: 20 }, (_, i) => seedOf(i, { 8: 1, 44: 5, 80: i < 2 ? -2 : 10 }));
    const { j, holds } = verdict(rows);
    expect(holds, JSON.stringify(j.checks)).toBe(true);
  });

  it('counts a variance that overflowed as float32’s largest value: a finite lower bound of the growth', () => {
    expect(decades([1, Infinity])).toBeCloseTo(Math.log10(FLOAT32_MAX), 9);
    expect(decades([1, NaN])).toBeCloseTo(Math.log10(FLOAT32_MAX), 9);
    expect(decades([0, 5])).toBeNaN();
    const rows = Array.from({ length: 6 }, (_, i) => {
      const s = seedOf(i, { 8: 0, 44: 5, 80: 10 + i });
      s.none[2]!.variance[2] = Infinity;
      return s;
    });
    expect(verdict(rows).holds).toBe(true);
  });

  it('needs a diverging step in most seeds (binomial test), names the others and leaves them out', () => {
    const rows = Array.from({ length: 20 }, (_, i) => seedOf(i, { 8: 0, 44: 5, 80: 10 + (i % 3) }));
    rows[3] = { ...rows[3]!, alpha: null, relativeLoss: null, none: [], bn: [] };
    const j = judgeMomentsExplode(rows);
    expect(j.preconditions.step).toEqual({
      met: true,
      detail:
        "19 of 20 seeds (one-sided exact binomial test of a share above ½: p = 2.00e-5); none up to the grid's end in seed 3, left out",
    });
    expect(j.checks.every((c) => c.passed)).toBe(true);
    // 2 of 5 is no evidence that most initialisations diverge in the grid: inconclusive
    const few = Array.from({ length: 5 }, (_, i) => (i < 2 ? { ...rows[i]!, alpha: null, none: [], bn: [] } : rows[i]!));
    expect(judgeMomentsExplode(few).preconditions.step.met).toBe(false);
    expect(judgeMomentsExplode(few).preconditions.step.detail).toBe(
      "2 of 5 seeds (one-sided exact binomial test of a share above ½: p = 0.813); none up to the grid's end in seeds 0, 1, 3, left out",
    );
  });

  it('the BN contrast takes the largest change over the layers and every step fraction', () => {
    const traces = LAYERS.map((d) => trace(d, 0.1, 1, [0, 0.1, 0.2, 1]));
    traces[1]!.variance[1] = 1e-2; // a dip of 2 decades half-way
    expect(largestMove(traces)).toBeCloseTo(2, 9);
  });
});
