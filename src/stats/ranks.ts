/**
 * Mid-ranks (ties share the average of the ranks they span), as R's rank(ties = "average"),
 * plus the tie-group sizes that the rank tests' variance corrections need.
 */
export interface Ranking {
  /** ranks[i] is the 1-based mid-rank of x[i]. */
  ranks: Float64Array;
  /** Sizes of the groups of tied values (only groups of size ≥ 2). */
  ties: number[];
}

export function midRanks(x: ArrayLike<number>): Ranking {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a]! - x[b]!);
  const ranks = new Float64Array(n);
  const ties: number[] = [];
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && x[order[j + 1]!] === x[order[i]!]) j++;
    const r = (i + j + 2) / 2; // average of 1-based ranks i+1 … j+1
    for (let t = i; t <= j; t++) ranks[order[t]!] = r;
    if (j > i) ties.push(j - i + 1);
    i = j + 1;
  }
  return { ranks, ties };
}

/** Σ (t³ − t) over tie groups: the correction term in rank-test variances. */
export function tieCorrection(ties: readonly number[]): number {
  let s = 0;
  for (const t of ties) s += t * t * t - t;
  return s;
}
