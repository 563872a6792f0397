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
import { normalQuantile, tQuantile } from './distributions';

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
