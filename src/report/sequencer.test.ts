import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLAIM_ORDER, claimRank } from './claims-sequencer';

describe('claims sequencer', () => {
  it('lists every claim spec exactly once, the training claims first', () => {
    const specs = fs.readdirSync(path.resolve(__dirname, '../../claims')).filter((f) => f.endsWith('.spec.ts')).map((f) => f.replace(/\.spec\.ts$/, ''));
    expect([...CLAIM_ORDER].sort()).toEqual([...specs].sort());
    expect(new Set(CLAIM_ORDER).size).toBe(CLAIM_ORDER.length);
    const training = ['high-lr-benefit', 'final-layer-bn-recovers-two-thirds', 'small-lr-sharper-minima', 'low-lr-parity'];
    expect(CLAIM_ORDER.slice(0, 4).sort()).toEqual(training.sort());
  });

  it('ranks claim files by that order and leaves everything else unranked', () => {
    expect(claimRank('claims', '/x/claims/high-lr-benefit.spec.ts')).toBe(0);
    expect(claimRank('claims', '/x/claims/gaussian-product-spectra.spec.ts')).toBe(CLAIM_ORDER.length - 1);
    expect(claimRank('claims', '/x/claims/a-new-claim.spec.ts')).toBe(Infinity);
    expect(claimRank('unit', '/x/src/stats/ols.test.ts')).toBe(Infinity);
  });
});
