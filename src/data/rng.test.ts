import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveSeed, Rng } from './rng';

describe('Rng (mulberry32 + Box–Muller)', () => {
  it('matches the reference mulberry32 sequence for seed 0', () => {
    // First outputs of the reference C/JS mulberry32 with state 0.
    const r = new Rng(0);
    expect([r.uint32(), r.uint32(), r.uint32()]).toEqual([1144304738, 1416247, 958946056]);
  });

  it('is deterministic per seed and differs between seeds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const a = new Rng(seed);
        const b = new Rng(seed);
        const c = new Rng(seed + 1);
        const xs = Array.from({ length: 8 }, () => a.uint32());
        expect(Array.from({ length: 8 }, () => b.uint32())).toEqual(xs);
        expect(Array.from({ length: 8 }, () => c.uint32())).not.toEqual(xs);
      }),
    );
  });

  it('int(n) stays in [0, n) and permutation is a permutation', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: 200 }), (seed, n) => {
        const r = new Rng(seed);
        for (let i = 0; i < 20; i++) {
          const k = r.int(n);
          expect(Number.isInteger(k) && k >= 0 && k < n).toBe(true);
        }
        expect(Array.from(r.permutation(n)).sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i));
      }),
    );
  });

  it('normal() has mean ~0, variance ~1, and light tails', () => {
    const r = new Rng(42);
    const n = 100_000;
    let s = 0;
    let s2 = 0;
    let beyond3 = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
      if (Math.abs(z) > 3) beyond3++;
    }
    const mean = s / n;
    // Tolerances are ~5 standard errors: se(mean) = 1/sqrt(n) ≈ 0.003, se(var) = sqrt(2/n) ≈ 0.0045.
    expect(Math.abs(mean)).toBeLessThan(0.016);
    expect(Math.abs(s2 / n - mean * mean - 1)).toBeLessThan(0.023);
    // P(|Z| > 3) = 0.0027 → expected 270, sd ≈ 16.
    expect(beyond3).toBeGreaterThan(190);
    expect(beyond3).toBeLessThan(350);
  });

  it('int(n) is close to uniform (chi-square)', () => {
    const r = new Rng(7);
    const k = 10;
    const n = 50_000;
    const counts = new Array<number>(k).fill(0);
    for (let i = 0; i < n; i++) counts[r.int(k)]!++;
    const chi2 = counts.reduce((a, c) => a + (c - n / k) ** 2 / (n / k), 0);
    expect(chi2).toBeLessThan(27.9); // chi-square(9) 0.999 quantile
  });

  it('deriveSeed gives distinct, deterministic seeds for distinct parts', () => {
    expect(deriveSeed(3, 1, 2)).toBe(deriveSeed(3, 1, 2));
    const seen = new Set<number>();
    for (let s = 0; s < 20; s++) for (let e = 0; e < 20; e++) seen.add(deriveSeed(s, e));
    expect(seen.size).toBe(400);
    expect(deriveSeed(0, 1, 2)).not.toBe(deriveSeed(0, 2, 1));
  });

  it('rejects seeds that are not integers', () => {
    expect(() => new Rng(1.5)).toThrow(/seed/);
    expect(() => new Rng(Number.NaN)).toThrow(/seed/);
  });
});
