import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runsOf, type SyntheticRun } from '../src/runs/testing/synthetic-run';
import { binomialCriticalCount } from '../src/stats/binomial';
import { FAIL_P0, judgeBenefit } from './high-lr-benefit.judge';

const n = 8;
const acc = (x: number, spread = 0.005) => Array.from({ length: n }, (_, i): SyntheticRun => ({ test: x + spread * Math.cos(i * 1.7) }));
const judge = (o: { bnHigh?: SyntheticRun[]; bnLow?: SyntheticRun[]; noneHigh?: SyntheticRun[]; noneLow?: SyntheticRun[] }) =>
  judgeBenefit({
    low: 3e-3,
    high: 0.1,
    bnHigh: runsOf(o.bnHigh ?? acc(0.81), 'all', 0.1),
    bnLow: runsOf(o.bnLow ?? acc(0.78), 'all', 3e-3),
    noneHigh: runsOf(o.noneHigh ?? Array.from({ length: n }, () => ({ collapsed: true, test: 0.1, val: 0.1 })), 'none', 0.1),
    noneLow: runsOf(o.noneLow ?? acc(0.77), 'none', 3e-3),
    chance: 0.1,
  });

describe('high-lr-benefit judging', () => {
  it('holds when BN gains 3 points at the high rate and the unnormalised net collapses there in every seed', () => {
    expect(judge({}).verdict()).toBe('holds');
  });

  it('fails when BN gains nothing from the high rate', () => {
    expect(judge({ bnHigh: acc(0.78) }).verdict()).toBe('fails');
  });

  it('fails when the unnormalised net survives the high rate in half the seeds', () => {
    const half = Array.from({ length: n }, (_, i): SyntheticRun => (i % 2 ? { collapsed: true, test: 0.1, val: 0.1 } : { test: 0.7 }));
    const j = judge({ noneHigh: half });
    expect(j.verdict()).toBe('fails');
    expect(j.assertions.find((a) => !a.passed)!.detail).toMatch(/^4 of 8 failed/);
  });

  it('is inconclusive, naming the seed, when the unnormalised net did not learn at the low rate in one seed', () => {
    const low = acc(0.77);
    low[6] = { test: 0.11, val: 0.11 };
    const j = judge({ noneLow: low });
    expect(j.verdict()).toBe('inconclusive');
    expect(j.preconditions.find((p) => !p.met)!.detail).toMatch(/seed 6: did not learn/);
  });

  it('on any number of failures: the binomial assertion passes exactly from the critical count', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: n }), (k) => {
        const noneHigh = Array.from({ length: n }, (_, i): SyntheticRun => (i < k ? { diverged: true } : { test: 0.6 }));
        const a = judge({ noneHigh }).assertions.find((x) => x.description.startsWith('without BN'))!;
        expect(a.passed).toBe(k >= binomialCriticalCount(n, FAIL_P0));
      }),
    );
  });
});
