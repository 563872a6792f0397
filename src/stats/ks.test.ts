import { describe, expect, it } from 'vitest';
import { kolmogorovSf, normalCdf } from './distributions';
import { ksTest } from './ks';
import { Rng } from '../rng';

const uniformCdf = (x: number) => Math.min(1, Math.max(0, x));

describe('Kolmogorov distribution', () => {
  it('has the tabulated critical values: P(K > 1.2238) = 0.10, P(K > 1.3581) = 0.05, P(K > 1.6276) = 0.01', () => {
    expect(kolmogorovSf(1.2238)).toBeCloseTo(0.1, 4);
    expect(kolmogorovSf(1.3581)).toBeCloseTo(0.05, 4);
    expect(kolmogorovSf(1.6276)).toBeCloseTo(0.01, 4);
  });

  it('is continuous where it switches series (λ = 1.18) and decreasing from 1 to 0', () => {
    expect(Math.abs(kolmogorovSf(1.18 - 1e-9) - kolmogorovSf(1.18))).toBeLessThan(1e-9);
    let last = 1;
    for (let l = 0.05; l < 3; l += 0.05) {
      const v = kolmogorovSf(l);
      expect(v).toBeLessThanOrEqual(last);
      last = v;
    }
    expect(kolmogorovSf(0)).toBe(1);
    expect(kolmogorovSf(5)).toBeLessThan(1e-20);
  });
});

describe('KS tests', () => {
  it('computes D by hand for {0.1, 0.5, 0.9} against U(0, 1): D = max(1/3 − 0.1, 0.9 − 2/3) = 0.2333', () => {
    expect(ksTest([0.9, 0.1, 0.5], uniformCdf).statistic).toBeCloseTo(0.7 / 3, 14);
  });

  it('rejects at ≈ 5% under H0 at n = 20 (Stephens-corrected asymptotics)', () => {
    const rng = new Rng(21);
    const reps = 2000;
    let rejected = 0;
    for (let i = 0; i < reps; i++) if (ksTest(rng.uniforms(20), uniformCdf).p < 0.05) rejected++;
    expect(Math.abs(rejected / reps - 0.05)).toBeLessThan(4 * Math.sqrt((0.05 * 0.95) / reps));
  });

  it('detects a half-sd shift of a normal at n = 100 almost always', () => {
    const rng = new Rng(3);
    let rejected = 0;
    for (let i = 0; i < 100; i++) if (ksTest(rng.normals(100, 0.5), normalCdf).p < 0.05) rejected++;
    // Power of the KS test here is ≈ 0.99 (half-sd shift, D ≈ 0.19 on average vs critical 0.134).
    expect(rejected).toBeGreaterThan(90);
  });

  it('checks its input', () => {
    expect(() => ksTest([], uniformCdf)).toThrow(/at least 1/);
    expect(() => ksTest([0.5], () => 2)).toThrow(/not a probability/);
  });
});
