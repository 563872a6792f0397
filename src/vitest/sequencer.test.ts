import { describe, expect, it } from 'vitest';
import { CLAIM_ORDER, claimRank } from './claims-sequencer';

describe('claims sequencer', () => {
  it('ranks claim files by the catalogue order and leaves everything else unranked', () => {
    expect(claimRank('claims', '/x/claims/high-lr-benefit.spec.ts')).toBe(0);
    expect(claimRank('claims', '/x/claims/gaussian-product-spectra.spec.ts')).toBe(CLAIM_ORDER.length - 1);
    expect(claimRank('claims', '/x/claims/a-new-claim.spec.ts')).toBe(Infinity);
    expect(claimRank('unit', '/x/src/stats/ols.test.ts')).toBe(Infinity);
  });
});
