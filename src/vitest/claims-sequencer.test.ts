import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../claims/catalogue';
import { CLAIM_ORDER, claimRank } from './claims-sequencer';

describe('claims sequencer', () => {
  it('starts the probe claims first, longest (depth-limits) first, and the training claims after them', () => {
    expect(CLAIM_ORDER[0]).toBe('depth-limits-learning-rate');
    const firstTraining = CLAIM_ORDER.findIndex((id) => CATALOGUE[id].cost === 'training');
    expect(firstTraining).toBeGreaterThan(0);
    expect(CLAIM_ORDER.slice(firstTraining).every((id) => CATALOGUE[id].cost === 'training')).toBe(true);
  });

  it('ranks claim files by that order and leaves everything else unranked', () => {
    expect(claimRank('claims', '/x/claims/depth-limits-learning-rate.spec.ts')).toBe(0);
    expect(claimRank('claims', '/x/claims/low-lr-parity.spec.ts')).toBe(CLAIM_ORDER.length - 1);
    expect(claimRank('claims', '/x/claims/a-new-claim.spec.ts')).toBe(Infinity);
    expect(claimRank('unit', '/x/src/stats/ols.test.ts')).toBe(Infinity);
  });
});
