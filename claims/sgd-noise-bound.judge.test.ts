import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NoiseMeasurement, NoiseScaling } from '../src/probes/noise';
import { fpc, GRIDS, judgeNoise, POOL, type NoiseInput } from './sgd-noise-bound.judge';

/**
 * Synthetic measurements: noise = α²C/|B|^e · (finite-population factor) · exp(jitter), with the
 * exponents (eB for |B|, eA for α) and the jitter chosen by the test.
 */
function arm(o: { C: number; eB: number; eA: number; jitter: (i: number) => number; coupled?: boolean }): NoiseScaling {
  const m = (alpha: number, batchSize: number, value: number): NoiseMeasurement => ({
    alpha,
    batchSize,
    draws: 40,
    measured: value,
    stderr: value / 6,
  });
  return {
    C: o.C,
    vsBatch: GRIDS.batches.map((b, i) =>
      m(GRIDS.fixedAlpha, b, ((GRIDS.fixedAlpha ** 2 * o.C) / b ** -o.eB) * (o.coupled ? 0.4 : fpc(POOL, b)) * Math.exp(o.jitter(i))),
    ),
    vsAlpha: GRIDS.alphas.map((a, i) => m(a, GRIDS.fixedBatch, ((a ** o.eA * o.C) / GRIDS.fixedBatch) * Math.exp(o.jitter(i + 7)))),
  };
}
const input = (none: NoiseScaling, all: NoiseScaling): NoiseInput => ({ pool: POOL, arms: { none, all } });
const failing = (i: NoiseInput) =>
  judgeNoise(i)
    .checks.filter((c) => !c.passed)
    .map((c) => c.description.slice(0, 60));
const jitters = fc.array(fc.double({ min: -0.02, max: 0.02, noNaN: true }), { minLength: 16, maxLength: 16 });

describe('sgd-noise-bound judge', () => {
  it('holds when the noise follows α²C/|B| (drawn without replacement) up to a little noise', () => {
    fc.assert(
      fc.property(jitters, jitters, (j1, j2) => {
        const none = arm({ C: 10, eB: -1, eA: 2, jitter: (i) => j1[i]! });
        const all = arm({ C: 1300, eB: -1.05, eA: 2, jitter: (i) => j2[i]!, coupled: true });
        expect(failing(input(none, all))).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it('fails when an exponent is off by more than the margin: the noise falls as |B|^−0.8, or a rate applied twice (α⁴)', () => {
    const ok = arm({ C: 10, eB: -1, eA: 2, jitter: () => 0 });
    const coupled = arm({ C: 1300, eB: -1, eA: 2, jitter: () => 0, coupled: true });
    expect(failing(input(arm({ C: 10, eB: -0.8, eA: 2, jitter: () => 0 }), coupled))).toEqual([
      expect.stringContaining('without BN the noise falls as 1/|B|'),
    ]);
    expect(failing(input(ok, arm({ C: 1300, eB: -1, eA: 4, jitter: () => 0, coupled: true })))).toEqual([
      expect.stringContaining("with BN, the optimiser's deviation grows as α²"),
    ]);
  });

  it('does not reward noise: exact exponents measured with a large scatter are not shown equivalent', () => {
    const wild = (i: number) => (i % 2 ? 0.6 : -0.6);
    const f = failing(input(arm({ C: 10, eB: -1, eA: 2, jitter: wild }), arm({ C: 1300, eB: -1, eA: 2, jitter: () => 0, coupled: true })));
    expect(f).toContain('without BN the noise falls as 1/|B|: the 90 % t-interval of ');
    expect(f).toContain("without BN, the optimiser's deviation grows as α²: the 90 % ");
  });

  it('fails when the noise exceeds the bound by more than 3 standard errors, and with BN when it does not shrink', () => {
    // C underestimated by 30 %: every point lies above α²C/|B| at small |B|, by many standard errors
    const exact = arm({ C: 13, eB: -1, eA: 2, jitter: () => 0 });
    const over = { ...exact, C: 10, vsBatch: exact.vsBatch.map((m) => ({ ...m, stderr: m.measured / 100 })) };
    expect(failing(input(over, arm({ C: 1300, eB: 0, eA: 2, jitter: (i) => 0.01 * (i % 3), coupled: true })))).toEqual([
      expect.stringContaining('without BN every measurement stays under'),
      expect.stringContaining('with BN the noise shrinks with the batch'),
    ]);
  });
});
