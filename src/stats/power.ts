/**
 * Seeds needed, decided before a confirmatory run from the spread measured on calibration seeds.
 *
 *  - `oneSampleTestSize`: the n for a one-sided one-sample (or paired) t-test at level α to detect
 *    a mean (difference) Δ with power 1 − β, by Guenther's (1981) correction of the normal
 *    approximation, n = (z_α + z_β)² σ²/Δ² + z_α²/2, rounded up: within one of the exact
 *    noncentral-t answer for n ≥ 3 (R's power.t.test gives 7.73 and 26.14 where this gives 7.53
 *    and 26.08: the same n after rounding up; checked in the tests).
 *  - `halfWidthSize`: the smallest n whose expected (1 − 2α) t-interval half-width for a mean (or a
 *    paired mean difference) with spread σ is below `halfWidth`: t_{1−α, n−1} σ/√n < halfWidth, the
 *    condition under which a TOST with margin δ = halfWidth can show equivalence when the true
 *    difference is 0.
 */
import { normalCdf, normalQuantile, tQuantile } from './distributions';

export function oneSampleTestSize(o: { delta: number; sd: number; alpha?: number; power?: number }): number {
  const alpha = o.alpha ?? 0.05;
  const power = o.power ?? 0.8;
  if (!(o.delta > 0) || !(o.sd > 0)) throw new RangeError(`oneSampleTestSize: delta and sd must be positive, got ${o.delta}, ${o.sd}`);
  const za = normalQuantile(1 - alpha);
  const zb = normalQuantile(power);
  return Math.max(2, Math.ceil(((za + zb) ** 2 * o.sd ** 2) / o.delta ** 2 + za ** 2 / 2));
}

export function halfWidthSize(o: { halfWidth: number; sd: number; alpha?: number; maxN?: number }): number {
  const alpha = o.alpha ?? 0.05;
  if (!(o.halfWidth > 0) || !(o.sd > 0))
    throw new RangeError(`halfWidthSize: halfWidth and sd must be positive, got ${o.halfWidth}, ${o.sd}`);
  const maxN = o.maxN ?? 10_000;
  for (let n = 2; n <= maxN; n++) if ((tQuantile(1 - alpha, n - 1) * o.sd) / Math.sqrt(n) < o.halfWidth) return n;
  return Infinity;
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9: ~15 significant digits). */
function lnGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * Power of the paired TOST (tostPaired, level α per side) with n pairs when the true mean
 * difference is `trueDiff` and the paired differences have spread σ: the probability that the
 * (1 − 2α) interval d̄ ± t_{1−α,n−1}·s/√n falls inside (−δ, δ). Exact: d̄ ~ N(trueDiff, σ²/n) and
 * (n−1)s²/σ² ~ χ²_{n−1} are independent, so power = E_s[Φ((δ − c·s − Δ)√n/σ) − Φ((−δ + c·s − Δ)√n/σ)]⁺
 * with c = t_{1−α,n−1}/√n, integrated over the χ² density (Simpson's rule). Checked by simulation.
 */
export function tostPairedPower(o: { n: number; delta: number; sd: number; trueDiff?: number; alpha?: number }): number {
  const { n, delta, sd } = o;
  const diff = o.trueDiff ?? 0;
  const alpha = o.alpha ?? 0.05;
  if (!(n >= 2) || !Number.isInteger(n)) throw new RangeError(`tostPairedPower: n must be an integer ≥ 2, got ${n}`);
  if (!(delta > 0) || !(sd > 0)) throw new RangeError(`tostPairedPower: delta and sd must be positive, got ${delta}, ${sd}`);
  const k = n - 1;
  const c = tQuantile(1 - alpha, k) / Math.sqrt(n);
  const rootN = Math.sqrt(n);
  // s = sd·√(x/k) with x ~ χ²_k; beyond x where c·s ≥ δ the interval cannot fit
  const xMax = Math.min(k * (delta / (c * sd)) ** 2, k + 40 * Math.sqrt(2 * k) + 40);
  return overChiSquare(
    k,
    xMax,
    (s) => {
      const hi = normalCdf(((delta - c * s - diff) * rootN) / sd);
      const lo = normalCdf(((-delta + c * s - diff) * rootN) / sd);
      return Math.max(0, hi - lo);
    },
    sd,
  );
}

/**
 * Power of the one-sided one-sample (or paired) t-test at level α with n observations when the true
 * mean (difference) is `delta` > 0 and the spread σ: the probability that d̄ > t_{1−α,n−1}·s/√n.
 * Exact, as tostPairedPower: d̄ ~ N(Δ, σ²/n) independent of s, so power = E_s[Φ((Δ − c·s)√n/σ)]
 * with c = t_{1−α,n−1}/√n, integrated over the χ²_{n−1} density of (n−1)s²/σ² (Simpson's rule);
 * the noncentral t's tail (checked against scipy's nct in the tests).
 */
export function oneSampleTestPower(o: { n: number; delta: number; sd: number; alpha?: number }): number {
  const { n, delta, sd } = o;
  const alpha = o.alpha ?? 0.05;
  if (!(n >= 2) || !Number.isInteger(n)) throw new RangeError(`oneSampleTestPower: n must be an integer ≥ 2, got ${n}`);
  if (!Number.isFinite(delta) || !(sd > 0))
    throw new RangeError(`oneSampleTestPower: delta must be finite and sd positive, got ${delta}, ${sd}`);
  const k = n - 1;
  const c = tQuantile(1 - alpha, k) / Math.sqrt(n);
  const rootN = Math.sqrt(n);
  return overChiSquare(k, k + 40 * Math.sqrt(2 * k) + 40, (s) => normalCdf(((delta - c * s) * rootN) / sd), sd);
}

/**
 * E[g(s)] for a sample sd s = σ·√(x/k), x ~ χ²_k, by Simpson's rule on [0, xMax] (4,000 panels),
 * clamped to [0, 1]: the one integral both powers above need.
 */
function overChiSquare(k: number, xMax: number, g: (s: number) => number, sd: number): number {
  const logNorm = -(k / 2) * Math.log(2) - lnGamma(k / 2);
  const f = (x: number): number => (x <= 0 ? 0 : g(sd * Math.sqrt(x / k)) * Math.exp(logNorm + (k / 2 - 1) * Math.log(x) - x / 2));
  const m = 4000; // even
  const h = xMax / m;
  let sum = f(0) + f(xMax);
  for (let i = 1; i < m; i++) sum += (i % 2 ? 4 : 2) * f(i * h);
  return Math.min(1, Math.max(0, (sum * h) / 3));
}

/** The smallest number of pairs whose paired TOST has at least `power` (default 0.8) at the true difference (default 0). */
export function tostPairedSize(o: { delta: number; sd: number; trueDiff?: number; alpha?: number; power?: number; maxN?: number }): number {
  const target = o.power ?? 0.8;
  const maxN = o.maxN ?? 10_000;
  for (let n = 2; n <= maxN; n++) if (tostPairedPower({ ...o, n }) >= target) return n;
  return Infinity;
}
