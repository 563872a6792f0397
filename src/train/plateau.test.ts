import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Plateau, type PlateauRule } from './plateau';

const RULE: PlateauRule = {
  kind: 'plateau',
  lr: 0.01,
  factor: 0.1,
  window: 10,
  threshold: 0.01,
  patience: 2,
  minAccuracy: 0.2,
  maxSteps: 1000,
};

/** Feed a known curve step by step: (step) → [loss, accuracy]; returns the schedule and the steps taken. */
function run(rule: PlateauRule, curve: (step: number, lr: number) => [number, number]): { p: Plateau; steps: number; lrs: number[] } {
  const p = new Plateau(rule);
  const lrs: number[] = [];
  let steps = 0;
  while (steps < 10 * rule.maxSteps) {
    const lr = p.lr();
    lrs.push(lr);
    const [loss, acc] = curve(steps, lr);
    steps++;
    if (p.observe(loss, Math.round(acc * 64), 64)) break;
  }
  return { p, steps, lrs };
}

describe('the plateau rule (cut when progress stalls)', () => {
  it('never cuts a net that stays at chance: it trains to the cap, uncut', () => {
    const { p, steps } = run(RULE, () => [Math.log(10), 0.1]);
    expect(p.cutAt).toBeNull();
    expect(p.ended).toBe('step cap');
    expect(steps).toBe(RULE.maxSteps);
  });

  it('waits out a plateau at chance, cuts once the curve has flattened after leaving it, and ends at the next stall', () => {
    // ln 10 at chance for 400 steps, then an exponential fall to 0.5 (time constant 50 steps);
    // after the cut the floor drops to 0.3 (time constant 20)
    let cut = -1;
    const { p, lrs } = run(RULE, (s, lr) => {
      if (lr < RULE.lr && cut < 0) cut = s;
      if (s < 400) return [Math.log(10), 0.1];
      if (cut < 0) return [0.5 + (Math.log(10) - 0.5) * Math.exp(-(s - 400) / 50), 0.9];
      return [0.3 + 0.2 * Math.exp(-(s - cut) / 20), 0.95];
    });
    expect(p.cutAt).not.toBeNull();
    // not before the loss has flattened: 0.5 + 1.8 e^{-t/50} improves by 1.8 e^{-t/50} (1 − e^{-1/5})
    // a window of 10 steps, below 0.01 nats from t ≈ 175; two such windows in a row make the stall
    expect(p.cutAt!).toBeGreaterThan(400 + 175);
    expect(p.cutAt!).toBeLessThan(400 + 250);
    expect(p.ended).toBe('stalled after the cut');
    expect(lrs.filter((lr) => lr === RULE.lr)).toHaveLength(p.cutAt!);
    expect(lrs.slice(p.cutAt!).every((lr) => lr === RULE.lr * RULE.factor)).toBe(true);
    // after the cut it trains until that curve flattens too (a few of its time constants)
    expect(lrs.length - p.cutAt!).toBeGreaterThanOrEqual(4 * RULE.window);
    expect(lrs.length - p.cutAt!).toBeLessThan(200);
  });

  it('does not cut a curve that keeps improving by more than the threshold per window', () => {
    const { p } = run({ ...RULE, maxSteps: 500 }, (s) => [5 - 0.02 * Math.floor(s / RULE.window), 0.5]);
    expect(p.cutAt).toBeNull();
    expect(p.ended).toBe('step cap');
  });

  it('needs `patience` stalled windows in a row', () => {
    // alternating: a better window, then a flat one, forever: never two stalls in a row
    const { p } = run({ ...RULE, maxSteps: 400 }, (s) => [2 * Math.pow(0.95, Math.floor(s / (2 * RULE.window))), 0.5]);
    expect(p.cutAt).toBeNull();
  });

  it('rejects a rule it cannot follow', () => {
    expect(() => new Plateau({ ...RULE, factor: 1 })).toThrow(/plateau rule is not valid/);
    expect(() => new Plateau({ ...RULE, window: 0 })).toThrow(/plateau rule is not valid/);
  });

  it('on any curve: at most one cut, never in a window below minAccuracy, the rate cut by the factor after it, never past the cap', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0, max: 5, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })), {
          minLength: 1,
          maxLength: 60,
        }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 3 }),
        (segments, window, patience) => {
          const rule = { ...RULE, window, patience, maxSteps: 300 };
          const { p, steps, lrs } = run(rule, (s) => segments[Math.floor(s / 5) % segments.length]!);
          expect(steps).toBeLessThanOrEqual(rule.maxSteps);
          expect(p.ended).not.toBeNull();
          if (p.cutAt !== null) {
            const w = p.windows.find((x) => x.step === p.cutAt)!;
            expect(w.accuracy).toBeGreaterThanOrEqual(rule.minAccuracy);
            expect(w.stalled).toBe(true);
            expect(lrs.slice(0, p.cutAt).every((lr) => lr === rule.lr)).toBe(true);
            expect(lrs.slice(p.cutAt).every((lr) => lr === rule.lr * rule.factor)).toBe(true);
          } else {
            expect(p.ended).toBe('step cap');
            expect(lrs.every((lr) => lr === rule.lr)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
