import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DELTA, fitSlope, judgeMomentsGrow, type MomentsInput, type Profile } from './moments-grow-with-depth.judge';

/** The probed layers of ResNet-110 (each block's second conv, 3, 5, …, 109), 18 per stage. */
const LAYERS = Array.from({ length: 54 }, (_, i) => 3 + 2 * i);
const stageOf = (d: number) => 1 + Math.floor((d - 3) / 36);
/** ln moment = slope·layer + step·stage (a step at each stage boundary, as the zero padding makes) + wiggle. */
const profile = (slope: number, step = 0, wiggle: (i: number) => number = () => 0): Profile => ({
  depth: LAYERS,
  stage: LAYERS.map(stageOf),
  value: LAYERS.map((d, i) => -1 + slope * d + step * stageOf(d) + wiggle(i)),
});
/** Per seed, the within-stage slopes: no BN std and mean, BN std and mean (and the BN stage step). */
interface Slopes {
  noneStd: number;
  noneMean: number;
  allStd: number;
  allMean: number;
  step?: number;
}
const input = (rows: Slopes[]): MomentsInput => ({
  profiles: {
    none: { std: rows.map((r) => profile(r.noneStd)), mean: rows.map((r) => profile(r.noneMean)) },
    all: { std: rows.map((r) => profile(r.allStd, r.step)), mean: rows.map((r) => profile(r.allMean, r.step)) },
  },
  streamBn: rows.map(() => profile(0.01, -0.5)),
});
const failing = (i: MomentsInput) =>
  judgeMomentsGrow(i)
    .checks.filter((c) => !c.passed)
    .map((c) => c.description.split(':')[0]);
/** Five seeds as Fig. 5: ln moments grow by ≈ 0.045 per layer without BN, flat with BN. */
const paperLike = (): Slopes[] =>
  [0, 1, 2, 3, 4].map((s) => ({ noneStd: 0.04 + 0.002 * s, noneMean: 0.05 - 0.002 * s, allStd: 2e-4 * (s - 2), allMean: -1e-4 * (s - 2) }));
const NAMES = {
  growStd: 'without BN ln std grows with depth',
  flatStd: 'with BN ln std is flat',
  growMean: 'without BN ln |mean| grows with depth',
  flatMean: 'with BN ln |mean| is flat',
};

describe('moments-grow-with-depth judge', () => {
  it('holds when the moments grow within stages without BN and stay flat within stages with BN, whatever the steps between stages', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            noneStd: fc.double({ min: 0.02, max: 0.06, noNaN: true }),
            noneMean: fc.double({ min: 0.02, max: 0.06, noNaN: true }),
            allStd: fc.double({ min: -1e-3, max: 1e-3, noNaN: true }),
            allMean: fc.double({ min: -1e-3, max: 1e-3, noNaN: true }),
            step: fc.double({ min: -2, max: 2, noNaN: true }),
          }),
          { minLength: 5, maxLength: 10 },
        ),
        (rows) => {
          // identical slopes in every seed have no t-interval (the judge says why and fails: below)
          const i = input(rows);
          const arms = [i.profiles.none.std, i.profiles.none.mean, i.profiles.all.std, i.profiles.all.mean];
          fc.pre(arms.every((ps) => new Set(ps.map(fitSlope)).size > 1));
          expect(failing(i)).toEqual([]);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('fits the slope within stages: a step at each stage boundary is not a trend, and non-finite layers are left out', () => {
    expect(fitSlope(profile(0, -0.4))).toBeCloseTo(0, 12);
    expect(fitSlope(profile(0.03, 1.5))).toBeCloseTo(0.03, 12);
    const gaps = profile(0.02);
    gaps.value[7] = NaN;
    gaps.value[30] = -Infinity;
    expect(fitSlope(gaps)).toBeCloseTo(0.02, 12);
    expect(fitSlope({ depth: [3, 5], stage: [1, 1], value: [NaN, NaN] })).toBeNaN();
  });

  it('fails without growth, with a BN trend beyond ±δ, and with a BN spread too wide to show flatness (noise is not agreement)', () => {
    const rows = paperLike();
    expect(failing(input(rows))).toEqual([]);
    expect(failing(input(rows.map((r, s) => ({ ...r, noneStd: 1e-3 * (s - 2) }))))).toEqual([NAMES.growStd]);
    expect(failing(input(rows.map((r) => ({ ...r, allMean: r.allMean + 2 * DELTA }))))).toEqual([NAMES.flatMean]);
    expect(failing(input(rows.map((r, s) => ({ ...r, allStd: s % 2 ? 0.006 : -0.006 }))))).toEqual([NAMES.flatStd]);
    // BN_FAULT=bn-no-normalise: the BN arm grows as the plain net does
    expect(failing(input(rows.map((r) => ({ ...r, allStd: r.noneStd, allMean: r.noneMean }))))).toEqual([NAMES.flatStd, NAMES.flatMean]);
  });

  it('records the statistics in order, with the paper’s numbers, the BN residual stream as supporting', () => {
    const j = judgeMomentsGrow(input(paperLike()));
    expect(j.statistics.map((s) => [s.name, !!s.supporting])).toEqual([
      ['slope of ln std per layer, no BN (mean over seeds)', false],
      ['slope of ln std per layer, BN (mean over seeds)', false],
      ['slope of ln |mean| per layer, no BN (mean over seeds)', false],
      ['slope of ln |mean| per layer, BN (mean over seeds)', false],
      ['slope of ln std of the residual stream (block outputs) per layer, BN (mean over seeds)', true],
    ]);
    expect(j.statistics[0]).toMatchObject({ value: expect.closeTo(0.044, 12), paper: '≈ 0.045 (−1.3 → 3.0)' });
    expect(j.statistics[0]!.note).toBe('within stages; 95 % t-interval; p one-sided (slope > 0); 4.66 over layers 3…109');
    expect(j.statistics[0]!.p).toBeLessThan(1e-4);
    expect(j.statistics[1]!.ci![0]).toBeLessThan(0);
    expect(j.statistics[1]!.ci![1]).toBeGreaterThan(0);
    expect(j.statistics[4]!.value).toBeCloseTo(0.01, 12);
    expect(j.checks.map((c) => c.description)).toEqual([
      'without BN ln std grows with depth: one-sided 95 % t-interval of the mean slope above 0',
      `with BN ln std is flat: 90 % t-interval of the mean slope within ±${DELTA} per layer`,
      'without BN ln |mean| grows with depth: one-sided 95 % t-interval of the mean slope above 0',
      `with BN ln |mean| is flat: 90 % t-interval of the mean slope within ±${DELTA} per layer`,
    ]);
    expect(DELTA).toBe(0.0045);
  });

  it('degenerate input gives a failing verdict that says why, not a crash: one seed, a profile with no finite value', () => {
    const one = judgeMomentsGrow(input(paperLike().slice(0, 1)));
    expect(one.checks.every((c) => !c.passed)).toBe(true);
    expect(one.checks[0]!.detail).toMatch(/^undefined, because .*at least 2/);
    expect(one.statistics.slice(0, 4).every((s) => Number.isNaN(s.value) && s.note!.startsWith('undefined, because'))).toBe(true);

    const i = input(paperLike());
    i.profiles.none.mean[3] = { ...i.profiles.none.mean[3]!, value: LAYERS.map(() => NaN) };
    i.streamBn[0] = { ...i.streamBn[0]!, value: LAYERS.map(() => -Infinity) };
    const j = judgeMomentsGrow(i);
    expect(failing(i)).toEqual([NAMES.growMean]);
    expect(j.checks[2]!.detail).toMatch(/^undefined, because .*NaN/);
    expect(j.statistics[4]!.value).toBeNaN();
  });

  it('steeper growth without BN never turns a passing check into a failing one', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            noneStd: fc.double({ min: -0.02, max: 0.06, noNaN: true }),
            noneMean: fc.double({ min: -0.02, max: 0.06, noNaN: true }),
            allStd: fc.double({ min: -0.01, max: 0.01, noNaN: true }),
            allMean: fc.double({ min: -0.01, max: 0.01, noNaN: true }),
          }),
          { minLength: 2, maxLength: 10 },
        ),
        fc.double({ min: 1e-4, max: 0.05, noNaN: true }),
        (rows, more) => {
          const before = judgeMomentsGrow(input(rows)).checks;
          const after = judgeMomentsGrow(input(rows.map((r) => ({ ...r, noneStd: r.noneStd + more, noneMean: r.noneMean + more })))).checks;
          before.forEach((c, k) => {
            if (c.passed) expect(after[k]!.passed, c.description).toBe(true);
          });
        },
      ),
      { numRuns: 100 },
    );
  });
});
