/**
 * The order the claim files start in (vitest's `sequence.sequencer`). The training phase has
 * trained every run before any claim file starts (training-phase.ts), so what is left to schedule
 * on the two workers is the probe claims, and the longest of them decides the wall time: started
 * last, it runs alone while the other worker idles. vitest's own order is longest-first by the
 * durations it cached on the last run, else the largest file first; on a clean clone (CI) that put
 * depth-limits-learning-rate (the smallest probe file, the longest probe) at the end, running alone
 * for about two fifths of a smoke run (docs/measurements.md). Here the probe claims start in the
 * catalogue's order, which lists them longest first (claims/catalogue.ts), and the training
 * claims, which only read the cache, follow.
 * Files of other projects, and claims not in the catalogue, keep vitest's order after these.
 */
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { CATALOGUE, CLAIM_IDS, type ClaimId } from '../../claims/catalogue.js';

/** The probe claims in the catalogue's order (longest first), then the training claims. */
export const CLAIM_ORDER: readonly ClaimId[] = [
  ...CLAIM_IDS.filter((id) => CATALOGUE[id].cost !== 'training'),
  ...CLAIM_IDS.filter((id) => CATALOGUE[id].cost === 'training'),
];

/** A file's place in CLAIM_ORDER (claims project only); Infinity when it has none. */
export function claimRank(projectName: string, moduleId: string): number {
  if (projectName !== 'claims') return Infinity;
  const i = CLAIM_ORDER.indexOf(path.basename(moduleId).replace(/\.spec\.ts$/, '') as ClaimId);
  return i < 0 ? Infinity : i;
}

export class ClaimsSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files);
    const rank = (f: TestSpecification) => claimRank(f.project.name, f.moduleId);
    // stable: equal ranks (other projects, unlisted claims) keep vitest's order
    return base
      .map((f, i) => ({ f, i }))
      .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
      .map(({ f }) => f);
  }
}
