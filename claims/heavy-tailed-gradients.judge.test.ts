import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { judgeHeavyTails, type HeavyTailInput } from './heavy-tailed-gradients.judge';

const failing = (i: HeavyTailInput) =>
  judgeHeavyTails(i)
    .checks.filter((c) => !c.passed)
    .map((c) => c.description.split(':')[0]);
const stat = (i: HeavyTailInput, prefix: string) => judgeHeavyTails(i).statistics.find((s) => s.name.startsWith(prefix))!;

describe('heavy-tailed-gradients judge', () => {
  it('holds for heavy, large gradients without BN and small near-Gaussian ones with BN (Fig. 4)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.double({ min: 5, max: 25, noNaN: true }),
            fc.double({ min: 0, max: 2, noNaN: true }),
            fc.double({ min: 30, max: 600, noNaN: true }),
          ),
          {
            minLength: 5,
            maxLength: 10,
          },
        ),
        (rows) => {
          const i = {
            kurtosis: { none: rows.map((r) => r[0]), all: rows.map((r) => r[1]) },
            sd: { none: rows.map((r) => r[2] * 0.01), all: rows.map(() => 0.01) },
          };
          expect(failing(i)).toEqual([]);
          // the ratio's interval is an interval around the geometric mean; the asserted bound is its own statistic, below it
          const gm = stat(i, 'std ratio no BN / BN (geometric');
          const lb = stat(i, 'std ratio no BN / BN: one-sided 95 % lower');
          expect(gm.ci![0]).toBeLessThanOrEqual(gm.value);
          expect(gm.ci![1]).toBeGreaterThanOrEqual(gm.value);
          expect(lb.value).toBeLessThanOrEqual(gm.value);
          expect(lb.value).toBeGreaterThan(gm.ci![0]);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('fails a scale ratio near 5×, and Gaussian gradients without BN', () => {
    const base = {
      kurtosis: { none: [8, 10, 12, 6, 9], all: [1, 0.8, 1.1, 0.5, 0.9] },
      sd: { none: [1, 1.2, 0.9, 1.1, 1], all: [0.01, 0.01, 0.01, 0.01, 0.01] },
    };
    expect(failing(base)).toEqual([]);
    expect(failing({ ...base, sd: { ...base.sd, none: [0.05, 0.06, 0.04, 0.05, 0.055] } })).toEqual([
      'gradient scale without BN ≥ 10× with BN',
    ]);
    expect(failing({ ...base, kurtosis: { none: [0.2, 0.1, 0.4, 0.3, 0.2], all: base.kurtosis.all } })).toEqual([
      'excess kurtosis without BN exceeds with BN in every seed',
      'one-sided Mann–Whitney across seeds',
      'without BN heavy-tailed',
    ]);
  });

  it('BN_FAULT: identical arms give a ratio of exactly 1 in every seed, a point, and fail', () => {
    const same = [1, 2, 3, 4, 5];
    const i = { kurtosis: { none: same, all: same }, sd: { none: same, all: same } };
    expect(stat(i, 'std ratio no BN / BN: one-sided')).toMatchObject({ value: 1, p: 1 });
    expect(failing(i)).toContain('gradient scale without BN ≥ 10× with BN');
  });
});
