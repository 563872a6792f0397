import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runsOf, type SyntheticRun } from '../src/runs/testing/synthetic-run';
import { judgeParity, MARGIN } from './low-lr-parity.judge';

const judge = (none: Parameters<typeof runsOf>[0], bn: Parameters<typeof runsOf>[0]) =>
  judgeParity({ low: 3e-3, none: runsOf(none, 'none', 3e-3), bn: runsOf(bn, 'all', 3e-3), chance: 0.1 });
const near = (x: number, n: number, spread = 0.004) =>
  Array.from({ length: n }, (_, i): SyntheticRun => ({ test: x + spread * Math.sin(i * 2.1) }));

describe('low-lr-parity judging', () => {
  it('holds for two arms within a point of each other in every seed', () => {
    const j = judge(near(0.78, 8), near(0.785, 8));
    expect(j.verdict()).toBe('holds');
  });

  it('fails when BN is 5 points better in every seed', () => {
    expect(judge(near(0.73, 8), near(0.78, 8)).verdict()).toBe('fails');
  });

  it('leaves out, naming it, a seed where the unnormalised net did not learn, with its pair; judges the rest', () => {
    const stuck = near(0.78, 8);
    stuck[3] = { test: 0.1, val: 0.1, collapsed: true };
    const j = judge(stuck, near(0.78, 8));
    expect(j.verdict()).toBe('holds');
    expect(j.preconditions[1]!.detail).toMatch(/7 of 8 .*left out: seed 3: collapsed/);
    // the pair is gone from the test: the 0.1 would have failed it
    expect(j.statistics.find((s) => s.name.startsWith('test accuracy without'))!.value).toBeCloseTo(0.78, 2);
  });

  it('is inconclusive when the unnormalised net learned in too few seeds, or a judged seed did not converge', () => {
    const half = near(0.78, 8).map((r, i) => (i % 2 ? { test: 0.1, val: 0.1 } : r));
    const h = judge(half, near(0.78, 8));
    expect(h.verdict()).toBe('inconclusive');
    expect(h.assertions).toEqual([]);
    const slow = near(0.78, 8).map((r, i) => ({ ...r, trainEval: i === 5 ? 0.9 : 0.99 }));
    const k = judge(near(0.78, 8), slow);
    expect(k.verdict()).toBe('inconclusive');
    expect(k.preconditions.find((p) => !p.met)!.detail).toMatch(/seed 5: training accuracy 0\.900/);
  });

  it('is inconclusive when the sweep found no low rate', () => {
    const j = judgeParity({ low: null, why: 'no rate', none: [], bn: [], chance: 0.1 });
    expect(j.verdict()).toBe('inconclusive');
    expect(j.statistics).toEqual([]);
  });

  it('on any accuracies: holds only when the paired 90 % interval lies within ±δ', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0.55, max: 0.95, noNaN: true }), fc.double({ min: -0.05, max: 0.05, noNaN: true })), {
          minLength: 3,
          maxLength: 12,
        }),
        (pairs) => {
          const j = judge(
            pairs.map(([a]) => ({ test: a })),
            pairs.map(([a, d]) => ({ test: Math.min(0.99, a + d) })),
          );
          const diff = j.statistics.find((s) => s.name.startsWith('difference'));
          if (j.verdict() === 'holds' && diff?.ci) {
            expect(diff.ci[0]).toBeGreaterThan(-MARGIN);
            expect(diff.ci[1]).toBeLessThan(MARGIN);
          }
          if (diff?.ci && (diff.ci[0] <= -MARGIN || diff.ci[1] >= MARGIN)) expect(j.verdict()).toBe('fails');
        },
      ),
    );
  });
});
