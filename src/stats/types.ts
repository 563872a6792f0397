/** The shape every hypothesis test returns, so reports can print any of them the same way. */

/** As in R: 'greater' means the first sample (or the statistic) is larger under H1. */
export type Alternative = 'two-sided' | 'less' | 'greater';

export interface TestResult {
  /** Which test, e.g. "Welch t", "Mann–Whitney U (exact)". */
  test: string;
  /** The test statistic (t, U, D, ρ, …; see each test). */
  statistic: number;
  p: number;
  alternative: Alternative;
  /** Degrees of freedom, for t-based tests. */
  df?: number;
  /** Point estimate of the effect the test is about (mean difference, slope, ρ, …). */
  estimate?: number;
  /** Confidence interval for `estimate` at `level`, matching the alternative (one-sided: an infinite end). */
  ci?: [number, number];
  level?: number;
}

export function checkAlternative(alt: string): Alternative {
  if (alt !== 'two-sided' && alt !== 'less' && alt !== 'greater') {
    throw new RangeError(`alternative must be 'two-sided' | 'less' | 'greater', got '${alt}'`);
  }
  return alt;
}

/** p-value from the lower and upper tail probabilities of the observed statistic. */
export function pFromTails(lower: number, upper: number, alternative: Alternative): number {
  if (alternative === 'less') return lower;
  if (alternative === 'greater') return upper;
  return Math.min(1, 2 * Math.min(lower, upper));
}

/**
 * A statistic that does not exist for this input, and why ("undefined, because seed 1004's value
 * is not finite"). For degenerate inputs that are a legitimate outcome of a measurement (a
 * diverged run, fewer seeds than a test needs), where throwing would turn a finding into a crash.
 */
export interface Undefined {
  undefined: string;
}

export function isUndefined<T extends object>(v: T | Undefined): v is Undefined {
  return 'undefined' in v;
}
