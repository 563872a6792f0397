import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng, deriveSeed } from './rng';

describe('Rng (xoshiro128**)', () => {
  it('reproduces the reference output of xoshiro128** from state [1, 2, 3, 4]', () => {
    // First outputs of the reference C implementation (Blackman & Vigna) from s = {1, 2, 3, 4}.
    const r = Rng.fromState([1, 2, 3, 4]);
    expect([r.uint32(), r.uint32(), r.uint32(), r.uint32(), r.uint32(), r.uint32()]).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492,
    ]);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const a = new Rng(seed).uniforms(8);
        const b = new Rng(seed).uniforms(8);
        const c = new Rng(seed + 1).uniforms(8);
        expect(Array.from(a)).toEqual(Array.from(b));
        expect(Array.from(a)).not.toEqual(Array.from(c));
      }),
      { numRuns: 50 },
    );
  });

  it('draws uniforms on [0, 1) with mean 1/2 and variance 1/12', () => {
    const n = 200_000;
    const u = new Rng(7).uniforms(n);
    let s = 0;
    let s2 = 0;
    let outside = 0;
    for (const v of u) {
      if (!(v >= 0 && v < 1)) outside++;
      s += v;
      s2 += v * v;
    }
    expect(outside).toBe(0);
    const m = s / n;
    // sd of the mean is √(1/12/n) ≈ 6.5e-4; 5 sd.
    expect(Math.abs(m - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(s2 / n - m * m - 1 / 12)).toBeLessThan(5e-4);
  });

  it('draws standard normals: mean 0, variance 1, no skew, no excess kurtosis, P(|Z| > 1.96) = 5%', () => {
    const n = 200_000;
    const z = new Rng(11).normals(n);
    let s1 = 0,
      s2 = 0,
      s3 = 0,
      s4 = 0,
      out = 0;
    for (const v of z) {
      s1 += v;
      s2 += v * v;
      s3 += v ** 3;
      s4 += v ** 4;
      if (Math.abs(v) > 1.959964) out++;
    }
    // Standard errors at n = 2e5: mean 0.0022, var 0.0032, third moment 0.0087, fourth 0.055; 5 se.
    expect(Math.abs(s1 / n)).toBeLessThan(0.011);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.016);
    expect(Math.abs(s3 / n)).toBeLessThan(0.044);
    expect(Math.abs(s4 / n - 3)).toBeLessThan(0.28);
    expect(Math.abs(out / n - 0.05)).toBeLessThan(5 * Math.sqrt((0.05 * 0.95) / n));
  });

  it('int(n) is uniform over 0 … n−1 (chi-square far below its 0.1% critical value)', () => {
    const r = new Rng(3);
    const k = 7;
    const draws = 70_000;
    const counts = new Array(k).fill(0);
    for (let i = 0; i < draws; i++) counts[r.int(k)]++;
    const e = draws / k;
    const chi2 = counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
    expect(chi2).toBeLessThan(22.46); // qchisq(0.999, 6)
  });

  it('shuffle returns a permutation of its input, in place', () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { maxLength: 40 }), fc.nat(), (xs, seed) => {
        const copy = xs.slice();
        const out = new Rng(seed).shuffle(copy);
        expect(out).toBe(copy);
        expect(copy.slice().sort((a, b) => a - b)).toEqual(xs.slice().sort((a, b) => a - b));
      }),
      { numRuns: 100 },
    );
  });

  it('permutation(n) is a permutation of 0 … n−1, and a uniform one (each of the 6 orders of 3 equally often)', () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 0, max: 200 }), (seed, n) => {
        const p = Array.from(new Rng(seed).permutation(n));
        expect(p.sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      }),
      { numRuns: 100 },
    );
    const r = new Rng(9);
    const counts = new Map<string, number>();
    const draws = 60_000;
    for (let i = 0; i < draws; i++) {
      const key = Array.from(r.permutation(3)).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    const e = draws / 6;
    const chi2 = [...counts.values()].reduce((s, c) => s + (c - e) ** 2 / e, 0);
    expect(chi2).toBeLessThan(20.52); // qchisq(0.999, 5)
  });

  it('deriveSeed gives distinct, deterministic seeds for distinct parts, and depends on their order', () => {
    expect(deriveSeed(3, 1, 2)).toBe(deriveSeed(3, 1, 2));
    const seen = new Set<number>();
    for (let s = 0; s < 20; s++) for (let e = 0; e < 20; e++) seen.add(deriveSeed(s, e));
    expect(seen.size).toBe(400);
    expect(deriveSeed(0, 1, 2)).not.toBe(deriveSeed(0, 2, 1));
  });

  it('derived streams are reproducible and distinct from the parent and from each other', () => {
    const p = new Rng(5);
    expect(p.derive(1).uint32()).toBe(new Rng(5).derive(1).uint32());
    expect(p.derive(1).uint32()).not.toBe(p.derive(2).uint32());
    expect(deriveSeed(5, 1)).not.toBe(5);
    expect(deriveSeed(5, 1)).toBeLessThan(2 ** 31);
  });

  it('rejects bad seeds and bad ranges with a clear message', () => {
    expect(() => new Rng(1.5)).toThrow(/seed must be a safe integer/);
    expect(() => new Rng(NaN)).toThrow(/seed/);
    expect(() => new Rng(1).int(0)).toThrow(/int\(n\)/);
  });
});
