import { describe, expect, it } from 'vitest';
import { ClaimContext } from './harness';

describe('ClaimContext', () => {
  it("lists the claim's own statistics first and supporting ones after, each in the order recorded", () => {
    const c = new ClaimContext({ id: 'x', title: 't', paper: 'Fig. 1' });
    c.supportingStat('sweep a', 1);
    c.stat('main 1', 2, { paper: '≈ 2' });
    c.supportingStat('sweep b', 3, { note: 'diverged' });
    c.stat('main 2', 4);
    expect(c.allStatistics().map((s) => s.name)).toEqual(['main 1', 'main 2', 'sweep a', 'sweep b']);
    expect(c.allStatistics()[3]!.note).toBe('diverged');
    expect(c.statistics.map((s) => s.name)).toEqual(['main 1', 'main 2']);
  });
});
