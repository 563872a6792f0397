import { describe, expect, it } from 'vitest';
import { runsOf, type SyntheticRun } from '../src/runs/testing/synthetic-run';
import { judgeRecovery, minGain, seedsFor } from './final-layer-bn-recovers-two-thirds.judge';

const n = 10;
const acc = (x: number, spread = 0.004, phase = 0) =>
  Array.from({ length: n }, (_, i): SyntheticRun => ({ test: x + spread * Math.sin(i * 1.3 + phase) }));
const judge = (none: SyntheticRun[], final: SyntheticRun[], all: SyntheticRun[]) =>
  judgeRecovery({
    rates: { low: 3e-3, high: 0.1, bestFinal: 0.03 },
    calibrationSd: 0.004,
    none: runsOf(none, 'none', 3e-3),
    final: runsOf(final, 'final', 0.03),
    all: runsOf(all, 'all', 0.1),
    chance: 0.1,
  });

describe('final-layer-bn-recovers-two-thirds judging', () => {
  it('holds when final-layer BN recovers two thirds of a clear gain', () => {
    const j = judge(acc(0.72), acc(0.76, 0.004, 1), acc(0.78, 0.004, 2));
    expect(j.statistics.find((s) => s.name.startsWith('recovery'))!.value).toBeCloseTo(2 / 3, 1);
    expect(j.verdict()).toBe('holds');
  });

  it('fails when final-layer BN recovers all of it, or none', () => {
    expect(judge(acc(0.72), acc(0.78, 0.004, 1), acc(0.78, 0.004, 2)).verdict()).toBe('fails');
    expect(judge(acc(0.72), acc(0.72, 0.004, 1), acc(0.78, 0.004, 2)).verdict()).toBe('fails');
  });

  it('is inconclusive when the gain is not significant or too small for the seeds to resolve the ratio; an arm failing in a few seeds leaves them out, in many makes it inconclusive', () => {
    const j = judge(acc(0.775, 0.03), acc(0.777, 0.03, 1), acc(0.78, 0.03, 2));
    expect(j.verdict()).toBe('inconclusive');
    expect(j.preconditions.filter((p) => !p.met).map((p) => p.description)).toEqual([
      expect.stringMatching(/^full BN's gain over no BN is large enough for 10 seeds to resolve the ratio: at least 0\.0\d\d /),
      expect.stringMatching(/^full BN's gain over no BN is significant/),
    ]);
    // one BN seed collapsed at its rate: named and left out, 9 of 10 learned
    const collapsed = acc(0.78, 0.004, 2);
    collapsed[2] = { test: 0.1, val: 0.1, collapsed: true };
    const k = judge(acc(0.72), acc(0.76, 0.004, 1), collapsed);
    expect(k.verdict()).toBe('holds');
    expect(k.preconditions.find((p) => p.description.startsWith('the BN arm'))!.detail).toMatch(/^9 of 10 .*left out: seed 2: collapsed/);
    // three of ten: 7 of 10 cannot reject "at most half" (p = 0.17)
    collapsed[5] = collapsed[7] = { test: 0.1, val: 0.1, collapsed: true };
    expect(judge(acc(0.72), acc(0.76, 0.004, 1), collapsed).verdict()).toBe('inconclusive');
  });

  it('minGain: the half-width at R = 2/3 equals 1/3 there, and seedsFor inverts it', () => {
    const sd = 0.015;
    for (const n of [3, 5, 10, 30]) {
      const g = minGain(n, sd);
      expect(g).toBeGreaterThan(0);
      expect(minGain(n + 1, sd)).toBeLessThan(g);
      expect(seedsFor(g, sd)).toBeLessThanOrEqual(n);
      expect(seedsFor(g * 0.999, sd)).toBeGreaterThan(n);
    }
    expect(seedsFor(0, sd)).toBe(Infinity);
  });
});
