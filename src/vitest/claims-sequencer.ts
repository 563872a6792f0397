/**
 * The order the claim files start in (vitest's `sequence.sequencer`). vitest's own order is
 * longest-first by the durations it cached on the last run, else largest file first: on a clean
 * clone (CI) that started one training claim on one worker and left another for the end, where
 * it trained its runs alone while the other worker idled (15 min wall against 12 with a warm cache,
 * measured 2026-12-01). Here the training claims go first, two at a time, so both workers take
 * the shared sweep and the shared runs of src/runs between them, and the
 * initialisation claims follow, longest first (smoke durations measured on this machine), to fill
 * the tail. Files of other projects, and claims not listed, keep vitest's order after these.
 */
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { CATALOGUE, CLAIM_IDS } from '../../claims/catalogue.js';

/**
 * The catalogue's order: the training claims first (one shared sweep and cache of runs), then the
 * probe claims longest first (smoke, 2026-12-02, seconds on a loaded machine: depth-limits ~600
 * (50-step trials), divergence ~420, moments-explode ~290, moments-grow ~90 (20 seeds), sgd-noise
 * ~40, then under 25).
 */
export const CLAIM_ORDER: readonly string[] = [
  ...CLAIM_IDS.filter((id) => CATALOGUE[id].cost === 'training'),
  ...CLAIM_IDS.filter((id) => CATALOGUE[id].cost !== 'training'),
];

/** A file's place in CLAIM_ORDER (claims project only); Infinity when it has none. */
export function claimRank(projectName: string, moduleId: string): number {
  if (projectName !== 'claims') return Infinity;
  const i = CLAIM_ORDER.indexOf(path.basename(moduleId).replace(/\.spec\.ts$/, ''));
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
