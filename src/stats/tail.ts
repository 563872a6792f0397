/**
 * How heavy is a tail? The Hill (1975) estimator of the tail index on |x|.
 *
 * For a distribution with a Pareto-type tail, P(|X| > t) ≈ C·t^(−α), the Hill estimator uses the
 * k largest |x|: γ̂ = (1/k) Σ_{i=1..k} ln(X_(i) / X_(k+1)) with X_(1) ≥ X_(2) ≥ … the order
 * statistics of |x|, and α̂ = 1/γ̂. Why Hill: it is the maximum-likelihood estimate of α for
 * the exceedances over X_(k+1), scale-free (|c·x| gives the same α̂), and its standard error
 * is known, α̂/√k asymptotically. Small α means a heavy tail (α ≤ 4: no finite kurtosis;
 * α ≤ 2: no finite variance). Light tails (Gaussian) give a large α̂ that keeps growing with n,
 * since their tail is not Pareto at all; so compare α̂ between conditions at the same n and k,
 * rather than reading it as a parameter.
 *
 * The choice of k trades bias (k too large reaches into the body) for variance (k too small);
 * a common default is k ≈ √n, which the caller states.
 */
import { finiteSample, positiveInt } from './validate';

export interface HillEstimate {
  /** Tail index α̂ = 1/γ̂. */
  alpha: number;
  /** Extreme-value index γ̂ = mean log-excess. */
  gamma: number;
  /** Number of upper order statistics used. */
  k: number;
  /** X_(k+1), the threshold the excesses are measured from. */
  threshold: number;
  /** Asymptotic standard error of α̂, α̂/√k. */
  alphaSe: number;
}

/** Hill tail-index estimate of |x| from the k largest absolute values (needs k < n). */
export function hillTailIndex(xs: ArrayLike<number>, k: number): HillEstimate {
  const x = finiteSample(xs, 'hillTailIndex: xs', 2);
  positiveInt(k, 'hillTailIndex: k');
  if (k >= x.length) throw new RangeError(`hillTailIndex: k must be below the sample size ${x.length}, got ${k}`);
  const abs = x.map(Math.abs).sort().reverse();
  const threshold = abs[k];
  if (!(threshold > 0)) {
    throw new RangeError(`hillTailIndex: the (k+1)-th largest |x| is 0 (too many zeros for k = ${k}); choose a smaller k`);
  }
  const logT = Math.log(threshold);
  let s = 0;
  for (let i = 0; i < k; i++) s += Math.log(abs[i]) - logT;
  const gamma = s / k;
  const alpha = gamma > 0 ? 1 / gamma : Infinity;
  return { alpha, gamma, k, threshold, alphaSe: alpha / Math.sqrt(k) };
}

/** The conventional k = ⌊√n⌋ (at least 1), for callers that need a stated default. */
export function hillDefaultK(n: number): number {
  positiveInt(n, 'hillDefaultK: n');
  return Math.max(1, Math.floor(Math.sqrt(n)));
}
