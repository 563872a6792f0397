/**
 * claims/baseline.json: the verdict each claim is expected to reach at one profile, written by
 * hand. A claim that does not replicate at that scale is recorded as expected to fail, with the
 * numbers that showed it (the reason), so CI stays green and says so. Schema in ./schema.ts.
 */
import fs from 'node:fs';
import { Baseline, formatIssues } from './schema';

const BASELINE_FILE = 'claims/baseline.json';

/** The baseline of a profile: claims/baseline.json for smoke (CI's), claims/baseline-<profile>.json for the others. */
export function baselineFileFor(profile: string): string {
  return profile === 'smoke' ? BASELINE_FILE : `claims/baseline-${profile}.json`;
}

export interface BaselineRead {
  baseline?: Baseline;
  /** What is wrong, naming the file; set whenever baseline is not. */
  problem?: string;
  missing?: boolean;
}

/** Read and validate a baseline file; never throws. */
export function readBaseline(file: string = BASELINE_FILE): BaselineRead {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { missing: true, problem: `${file} does not exist` };
    return { problem: `${file} could not be read: ${(e as Error).message}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { problem: `${file} is not valid JSON: ${(e as Error).message}` };
  }
  const r = Baseline.safeParse(json);
  if (!r.success)
    return {
      problem: `${file} does not match the baseline schema ({ version: 1, profile, claims: { id: { expected, reason? } } }):\n${formatIssues(r.error)}`,
    };
  return { baseline: r.data };
}
