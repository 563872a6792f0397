/** Small, valid records for the report's own tests (never written by a real claim run). */
import type { ClaimRecord } from '../schema';

export function fakeRecord(id: string, overrides: Partial<ClaimRecord> = {}): ClaimRecord {
  const verdict = overrides.verdict ?? 'holds';
  const base: ClaimRecord = {
    id,
    title: `Fake claim ${id}`,
    paper: 'Fig. 4',
    profile: 'smoke',
    backend: 'cpu',
    dataset: 'synthetic',
    scale: { model: 'resnet', depth: 20, width: 16, images: 256, batch: 64, seeds: 3 },
    statistics: [
      { name: 'excess kurtosis (no BN)', value: 14.2, ci: [9.1, 20.3], paper: 'heavy tails' },
      { name: 'ratio', value: 102.5, p: 0.004, paper: '~100×', unit: '×' },
      { name: 'diverged loss', value: null, note: 'measured value was NaN (not finite)' },
    ],
    assertions:
      verdict === 'holds'
        ? [{ description: 'ratio above 10', passed: true }]
        : [{ description: 'ratio above 10', passed: false, detail: 'ratio 2.1 ≤ 10' }],
    verdict,
    durationMs: 1234,
    seed: 0,
    startedAt: '2025-01-02T03:04:05.000Z',
  };
  if (verdict === 'inconclusive')
    base.preconditions = [{ description: 'the unnormalised net learned', met: false, detail: 'test accuracy 0.11, chance 0.10' }];
  const r = { ...base, ...overrides };
  if (verdict === 'error' && !r.error) r.error = 'Error: boom';
  return r;
}
