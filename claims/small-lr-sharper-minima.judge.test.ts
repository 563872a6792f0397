import { describe, expect, it } from 'vitest';
import { runsOf, type SyntheticRun } from '../src/runs/testing/synthetic-run';
import { judgeSharpness } from './small-lr-sharper-minima.judge';

const sharp = (x: number | null, spread = 0.1, n = 6) =>
  Array.from({ length: n }, (_, i): SyntheticRun => ({
    test: 0.8,
    sharpness: { matched: x === null ? null : x * Math.exp(spread * Math.sin(i)), final: 10 },
  }));
const judge = (low: SyntheticRun[], high: SyntheticRun[], noneLow?: SyntheticRun[]) =>
  judgeSharpness({
    low: 3e-3,
    high: 0.1,
    matchedLoss: 1,
    bnLow: runsOf(low, 'all', 3e-3),
    bnHigh: runsOf(high, 'all', 0.1),
    noneLow: runsOf(noneLow ?? Array.from({ length: low.length }, () => ({ test: 0.75 })), 'none', 3e-3),
  });

describe('small-lr-sharper-minima judging', () => {
  it('holds when the small rate ends 4× sharper at the matched loss', () => {
    expect(judge(sharp(20), sharp(5)).verdict()).toBe('holds');
  });

  it('fails when both rates end equally sharp', () => {
    expect(judge(sharp(5, 0.3), sharp(5, -0.3)).verdict()).toBe('fails');
  });

  it('is inconclusive when most runs never reached the matched loss', () => {
    const j = judge(sharp(null), sharp(5));
    expect(j.verdict()).toBe('inconclusive');
    expect(j.preconditions.find((p) => !p.met)!.description).toMatch(
      /^the BN nets learned at both rates and reached the matched training loss/,
    );
  });

  it('judges the seeds where both BN runs trained when most did, naming the one left out (BN collapsed at the high rate)', () => {
    const high = sharp(5, 0.1, 8);
    high[2] = { collapsed: true, test: 0.1, val: 0.1, sharpness: { matched: null, final: NaN } };
    const j = judge(sharp(20, 0.1, 8), high);
    expect(j.verdict()).toBe('holds');
    expect(j.preconditions.at(-1)!.detail).toMatch(/^7 of 8 .*left out: seed 2 \(small: learned .*large: collapsed/);
    // two seeds left out of eight: 6 of 8 cannot reject "at most half" (p = 0.14)
    high[4] = { collapsed: true, test: 0.1, val: 0.1, sharpness: { matched: null, final: NaN } };
    expect(judge(sharp(20, 0.1, 8), high).verdict()).toBe('inconclusive');
  });

  it('version 9: the unnormalised net at the small rate must learn in most seeds, not every seed', () => {
    const none = (bad: number[]) =>
      Array.from({ length: 8 }, (_, i): SyntheticRun => (bad.includes(i) ? { test: 0.11, val: 0.11 } : { test: 0.75 }));
    const one = judge(sharp(20, 0.1, 8), sharp(5, 0.1, 8), none([3]));
    expect(one.verdict()).toBe('holds');
    expect(one.preconditions.find((p) => p.description.startsWith('the unnormalised net'))!.detail).toMatch(
      /^7 of 8 .*left out: seed 3: did not learn/,
    );
    const two = judge(sharp(20, 0.1, 8), sharp(5, 0.1, 8), none([3, 5]));
    expect(two.verdict()).toBe('inconclusive');
    expect(two.preconditions.find((p) => !p.met)!.description).toMatch(
      /^the unnormalised net learned at the small \(low\) rate in most seeds/,
    );
  });
});
