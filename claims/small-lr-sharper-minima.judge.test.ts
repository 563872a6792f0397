import { describe, expect, it } from 'vitest';
import { runsOf, type SyntheticRun } from '../src/runs/testing/synthetic-run';
import { judgeSharpness } from './small-lr-sharper-minima.judge';

const n = 6;
const sharp = (x: number | null, spread = 0.1) =>
  Array.from({ length: n }, (_, i): SyntheticRun => ({
    test: 0.8,
    sharpness: { matched: x === null ? null : x * Math.exp(spread * Math.sin(i)), final: 10 },
  }));
const judge = (low: SyntheticRun[], high: SyntheticRun[]) =>
  judgeSharpness({
    low: 3e-3,
    high: 0.1,
    matchedLoss: 1,
    bnLow: runsOf(low, 'all', 3e-3),
    bnHigh: runsOf(high, 'all', 0.1),
    noneLow: runsOf(
      Array.from({ length: n }, () => ({ test: 0.75 })),
      'none',
      3e-3,
    ),
  });

describe('small-lr-sharper-minima judging', () => {
  it('holds when the small rate ends 4× sharper at the matched loss', () => {
    expect(judge(sharp(20), sharp(5)).verdict()).toBe('holds');
  });

  it('fails when both rates end equally sharp', () => {
    expect(judge(sharp(5, 0.3), sharp(5, -0.3)).verdict()).toBe('fails');
  });

  it('is inconclusive when a run never reached the matched loss', () => {
    const j = judge(sharp(null), sharp(5));
    expect(j.verdict()).toBe('inconclusive');
    expect(j.preconditions.find((p) => !p.met)!.description).toMatch(/^every run reached the matched training loss/);
  });
});
