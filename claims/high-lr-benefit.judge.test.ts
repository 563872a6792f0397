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

  const collapsed = (): SyntheticRun => ({ collapsed: true, test: 0.1, val: 0.1 });
  const stuck = (): SyntheticRun => ({ test: 0.11, val: 0.11 });

  it('version 9: one seed in 8 where the unnormalised net did not learn at the low rate is named and left out of the high-rate test', () => {
    const low = acc(0.77);
    low[6] = stuck();
    const j = judge({ noneLow: low });
    expect(j.verdict()).toBe('holds');
    expect(j.preconditions.find((p) => p.description.startsWith('the unnormalised net learned'))!.detail).toMatch(
      /^7 of 8 .*left out: seed 6: did not learn/,
    );
    // the binomial counts the 7 seeds that learned at the low rate: 7 of 7 needed
    const a = j.assertions.find((x) => x.description.startsWith('without BN'))!;
    expect(a.description).toContain('7 of 7 needed');
    expect(a.detail).toMatch(/^7 of 7 failed/);
  });

  it('version 9: a seed left out is never counted as a failure at the high rate (6 of the other 7 fail: fails, where all 8 would pass)', () => {
    const low = acc(0.77);
    low[6] = stuck();
    const high = Array.from({ length: n }, (_, i): SyntheticRun => (i === 7 ? { test: 0.7 } : collapsed()));
    const j = judge({ noneLow: low, noneHigh: high });
    expect(j.verdict()).toBe('fails');
    expect(j.assertions.find((x) => !x.passed)!.detail).toMatch(/^6 of 7 failed.*survivors: seed 7: learned/);
    // the same runs under version 8's count (all 8 seeds, 7 failures) would have passed
    expect(7).toBeGreaterThanOrEqual(binomialCriticalCount(8, FAIL_P0));
  });

  it('is inconclusive, naming the seeds, when the unnormalised net did not learn at the low rate in 2 of 8 (6 of 8 cannot reject "at most half")', () => {
    const low = acc(0.77);
    low[2] = stuck();
    low[6] = { collapsed: true, test: 0.1, val: 0.1 };
    const j = judge({ noneLow: low });
    expect(j.verdict()).toBe('inconclusive');
    expect(j.preconditions.find((p) => !p.met)!.detail).toMatch(/^6 of 8 .*left out: seed 2: did not learn.*; seed 6: collapsed/);
  });

  it('on any seeds stuck at the low rate and any failures at the high rate: the precondition and the binomial follow the critical counts over the seeds that learned', () => {
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: n, maxLength: n }),
        fc.array(fc.boolean(), { minLength: n, maxLength: n }),
        (lowOk, highFails) => {
          const j = judge({
            noneLow: lowOk.map((ok, i) => (ok ? { test: 0.77 + 0.001 * i } : stuck())),
            noneHigh: highFails.map((f) => (f ? collapsed() : { test: 0.7 })),
          });
          const kept = lowOk.flatMap((ok, i) => (ok ? [i] : []));
          const met = kept.length >= binomialCriticalCount(n, 0.5);
          expect(j.preconditions.find((p) => p.description.startsWith('the unnormalised net learned'))!.met).toBe(met);
          const a = j.assertions.find((x) => x.description.startsWith('without BN'));
          if (!met) {
            expect(a).toBeUndefined();
            return;
          }
          const k = kept.filter((i) => highFails[i]).length;
          expect(a!.passed).toBe(k >= binomialCriticalCount(kept.length, FAIL_P0));
        },
      ),
    );
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
