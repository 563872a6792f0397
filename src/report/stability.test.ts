import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildIndexHtml } from './html';
import { buildStability, formatStability, readStability, writeStability } from './stability';
import { fakeRecord } from './testing/fake-records';

describe('stability across seed bases', () => {
  const holds = (id: string, v: number) => fakeRecord(id, { verdict: 'holds', statistics: [{ name: 'k', value: v }] });
  const fails = (id: string) => fakeRecord(id, { verdict: 'fails', assertions: [{ description: 'x', passed: false }] });
  const byBase = new Map([
    [0, [holds('a-claim', 1), fails('b-claim'), holds('c-claim', 3)]],
    [1000, [holds('a-claim', 2), fails('b-claim'), fails('c-claim')]],
    [2000, [holds('a-claim', 1.5), fails('b-claim')]],
  ]);
  const t = buildStability(byBase);

  it('one row per claim: a verdict per base, stable only when every base ran and all agree', () => {
    expect(t.bases).toEqual([0, 1000, 2000]);
    const row = (id: string) => t.rows.find((r) => r.id === id)!;
    expect(row('a-claim')).toMatchObject({ verdicts: ['holds', 'holds', 'holds'], stable: true });
    expect(row('a-claim').key.map((k) => k?.value)).toEqual([1, 2, 1.5]);
    expect(row('b-claim').stable).toBe(true); // fails everywhere: a stable non-replication
    expect(row('c-claim')).toMatchObject({ verdicts: ['holds', 'fails', 'not-run'], stable: false });
    expect(formatStability(t)).toMatch(/c-claim .*UNSTABLE/);
    // the key statistic is the first with the paper's number beside it
    const withPaper = fakeRecord('d-claim', {
      statistics: [
        { name: 'rate', value: 0.1 },
        { name: 'effect', value: 3, paper: '~2' },
      ],
    });
    expect(buildStability(new Map([[0, [withPaper]]])).rows[0]!.key[0]).toEqual({ name: 'effect', value: 3 });
  });

  it('round-trips through reports/stability.json and marks unstable claims on the page', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stability-'));
    expect(readStability(dir)).toBeUndefined();
    writeStability(dir, t);
    expect(readStability(dir)).toEqual(t);
    fs.writeFileSync(path.join(dir, 'stability.json'), '{"version": 1, "bases": []}');
    expect(() => readStability(dir)).toThrow(/stability\.json: .*bases/);
    const html = buildIndexHtml([holds('c-claim', 3)], undefined, [], { stability: t });
    expect(html).toMatch(/<tr data-stability-for="c-claim" data-unstable>/);
    expect(html).toMatch(/<tr data-stability-for="a-claim">/);
    expect(html).toMatch(/data-summary-for="c-claim".*data-unstable/);
  });
});
