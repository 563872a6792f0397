import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundary, judgeInputDependence, randomLevel, type InputDependenceInput } from './input-independent-gradients.judge';

const B = 128;
/** Per seed: top-class share, concordance and its null's 99th percentile, without and with BN. */
interface Row {
  shareNone: number;
  shareAll: number;
  concNone: number;
  concAll: number;
  q99None: number;
  q99All: number;
}
const input = (rows: Row[], batch = B): InputDependenceInput => ({
  batch,
  share: { none: rows.map((r) => r.shareNone), all: rows.map((r) => r.shareAll) },
  concordance: { none: rows.map((r) => r.concNone), all: rows.map((r) => r.concAll) },
  nullQ99: { none: rows.map((r) => r.q99None), all: rows.map((r) => r.q99All) },
});
const failing = (i: InputDependenceInput) =>
  judgeInputDependence(i)
    .checks.filter((c) => !c.passed)
    .map((c) => c.description.split(':')[0]);
const stat = (i: InputDependenceInput, prefix: string) => judgeInputDependence(i).statistics.find((s) => s.name.startsWith(prefix))!;
/** Five seeds as the paper describes them: one class for nearly every image and shared signs without BN, random signs with BN. */
const paperLike = (): Row[] =>
  [0, 1, 2, 3, 4].map((s) => ({
    shareNone: 0.95 + 0.01 * s,
    shareAll: 0.2 + 0.02 * s,
    concNone: 0.8 + 0.03 * s,
    concAll: 0.09 + 0.005 * s,
    q99None: 0.12,
    q99All: 0.12,
  }));
const NAMES = {
  share: 'without BN nearly every image is predicted as one class',
  null: 'without BN per-example kernel gradients share their sign',
  above: 'without BN the concordance is nearer full agreement than random signs',
  below: 'with BN the concordance is nearer random signs than full agreement',
  mw: 'one-sided Mann–Whitney across seeds',
};
const row = fc.record({
  shareNone: fc.double({ min: 0.92, max: 1, noNaN: true }),
  shareAll: fc.double({ min: 0.1, max: 0.6, noNaN: true }),
  concNone: fc.double({ min: 0.5, max: 1, noNaN: true }),
  concAll: fc.double({ min: 0.01, max: 0.3, noNaN: true }),
  q99None: fc.double({ min: 0.05, max: 0.2, noNaN: true }),
  q99All: fc.double({ min: 0.05, max: 0.2, noNaN: true }),
});

describe('input-independent-gradients judge', () => {
  it('holds when without BN one class takes nearly every image and the signs are shared, and with BN they are random (Fig. 6)', () => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 5, maxLength: 10 }), (rows) => {
        expect(failing(input(rows))).toEqual([]);
      }),
      { numRuns: 100 },
    );
    expect(failing(input(paperLike()))).toEqual([]);
  });

  it('fails each check on its own: a split prediction, a concordance at its null, one below √r, a BN concordance above √r', () => {
    const edit = (s: number, patch: Partial<Row>) => input(paperLike().map((r, i) => (i === s ? { ...r, ...patch } : r)));
    const split = input(paperLike().map((r) => ({ ...r, shareNone: 0.53 })));
    expect(failing(split)).toEqual([NAMES.share]);
    expect(failing(edit(2, { q99None: 0.9 }))).toEqual([NAMES.null]);
    expect(failing(edit(2, { concNone: 0.3 }))).toEqual([NAMES.above]);
    expect(failing(edit(2, { concAll: 0.4 }))).toEqual([NAMES.below]);
  });

  it('the boundary is the geometric midpoint of random signs, √(π/2)/√B, and full agreement; the ratio is recorded beside it', () => {
    expect(randomLevel(B)).toBeCloseTo(0.1108, 4);
    expect(boundary(B)).toBeCloseTo(0.3328, 4);
    const j = judgeInputDependence(input(paperLike()));
    expect(j.checks[2]!.description).toContain('above √r = 0.333 in every seed');
    expect(stat(input(paperLike()), 'concordance ratio').note).toContain('random signs at B = 128: ≈ 9.0×');
    // not asserted: the paper's two orders of magnitude
    expect(j.checks.some((c) => c.description.includes('100'))).toBe(false);
  });

  it('four seeds cannot reach the Mann–Whitney test’s p < 0.01 (the smallest attainable is 1/70)', () => {
    const four = input(paperLike().slice(0, 4));
    expect(failing(four)).toEqual([NAMES.mw]);
    expect(stat(four, 'Mann–Whitney').p).toBeCloseTo(1 / 70, 12);
  });

  it('degenerate input gives a failing verdict that says why, not a crash: a non-finite concordance, no seeds', () => {
    const nan = input(paperLike().map((r, i) => (i === 1 ? { ...r, concNone: NaN } : r)));
    expect(failing(nan)).toEqual([NAMES.null, NAMES.above, NAMES.mw]);
    expect(stat(nan, 'Mann–Whitney').value).toBeNaN();
    expect(stat(nan, 'Mann–Whitney').note).toMatch(/^undefined, because .*NaN/);
    expect(stat(nan, 'concordance |Σ_b g_b| / Σ_b |g_b| without BN').value).toBeNaN();
    const none = input([]);
    expect(failing(none)).toEqual([NAMES.share, NAMES.mw]);
  });

  it('larger no-BN concordances never turn a passing check into a failing one', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            shareNone: fc.double({ min: 0, max: 1, noNaN: true }),
            shareAll: fc.double({ min: 0, max: 1, noNaN: true }),
            concNone: fc.double({ min: 0, max: 1, noNaN: true }),
            concAll: fc.double({ min: 0, max: 1, noNaN: true }),
            q99None: fc.double({ min: 0, max: 1, noNaN: true }),
            q99All: fc.double({ min: 0, max: 1, noNaN: true }),
          }),
          { minLength: 3, maxLength: 8 },
        ),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (rows, t) => {
          const moved = rows.map((r) => ({ ...r, concNone: r.concNone + t * (1 - r.concNone) }));
          // no ties between the concordances, before or after: the Mann–Whitney p is then exact, and monotone in U
          const distinct = (rs: Row[]) => new Set(rs.flatMap((r) => [r.concNone, r.concAll])).size === 2 * rs.length;
          fc.pre(distinct(rows) && distinct(moved));
          const before = judgeInputDependence(input(rows)).checks;
          const after = judgeInputDependence(input(moved)).checks;
          before.forEach((c, k) => {
            if (c.passed) expect(after[k]!.passed, c.description).toBe(true);
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
