import { describe, expect, it } from 'vitest';
import { attachEvidence, formatEvidence, formatNumber, formatStatistic, formatVerdictLine } from './annotate';
import { fakeRecord } from '../report/testing/fake-records';

describe('formatting', () => {
  it('formats numbers readably', () => {
    expect(formatNumber(102.456)).toBe('102.5');
    expect(formatNumber(0.0041234)).toBe('0.004123');
    expect(formatNumber(3e7)).toBe('3.00e7');
    expect(formatNumber(2e-5)).toBe('2.00e-5');
    expect(formatNumber(null)).toBe('n/a');
    expect(formatNumber(0)).toBe('0');
  });

  it('puts the measured value, CI, p and the paper number on one line', () => {
    expect(formatStatistic({ name: 'ratio', value: 102.5, unit: '×', ci: [80.1, 130], p: 0.004, paper: '~100×' })).toBe(
      'ratio = 102.5 × [80.1, 130], p = 0.004   (paper: ~100×)',
    );
    expect(formatStatistic({ name: 'loss', value: null, note: 'diverged (NaN)' })).toBe('loss = n/a   — diverged (NaN)');
    expect(formatStatistic({ name: 'q', value: 1, p: 1e-9 })).toBe('q = 1, p < 1e-4');
  });

  it('evidence text has the verdict, the scale, every statistic and assertion', () => {
    const r = fakeRecord('heavy-tailed-gradients', { verdict: 'fails' });
    const text = formatEvidence(r);
    expect(text.split('\n')[0]).toBe('FAILS: Fake claim heavy-tailed-gradients (Fig. 4)');
    expect(text).toContain('smoke profile · cpu · synthetic · resnet, depth 20, width 16, 256 images, batch 64, 3 seeds · seed 0 · 1.2 s');
    for (const s of r.statistics) expect(text).toContain(formatStatistic(s));
    expect(text).toContain('✗ ratio above 10 (ratio 2.1 ≤ 10)');
  });
});

describe('attachEvidence', () => {
  it('sends the verdict, each statistic and assertion, and the SVG as an image', async () => {
    const calls: unknown[][] = [];
    const ctx = { annotate: async (...args: unknown[]) => void calls.push(args) } as never;
    const r = fakeRecord('a-claim', { verdict: 'fails' });
    await attachEvidence(ctx, r, '<svg xmlns="http://www.w3.org/2000/svg"/>');
    expect(calls.map((c) => c[1])).toEqual(['verdict', 'statistic', 'statistic', 'statistic', 'assertion', 'figure']);
    expect(calls[0]![0]).toBe(formatVerdictLine(r));
    const json = calls[0]![2] as { body: Uint8Array; contentType: string };
    expect(json.contentType).toBe('application/json');
    expect(JSON.parse(new TextDecoder().decode(json.body))).toEqual(r);
    expect(calls.slice(1, 4).map((c) => c[0])).toEqual(r.statistics.map(formatStatistic));
    expect(calls[4]![0]).toBe('✗ ratio above 10 (ratio 2.1 ≤ 10)');
    const [msg, , att] = calls[5] as [string, string, { body: Uint8Array; contentType: string }];
    expect(msg).toBe('figure for Fig. 4: Fake claim a-claim');
    expect(att.contentType).toBe('image/svg+xml');
    expect(new TextDecoder().decode(att.body)).toBe('<svg xmlns="http://www.w3.org/2000/svg"/>');
  });

  it('adds the error of a crashed claim, and no figure when none is given', async () => {
    const calls: unknown[][] = [];
    const ctx = { annotate: async (...args: unknown[]) => void calls.push(args) } as never;
    await attachEvidence(ctx, fakeRecord('a-claim', { verdict: 'error', error: 'RangeError: boom', assertions: [] }));
    expect(calls.map((c) => c[1])).toEqual(['verdict', 'statistic', 'statistic', 'statistic', 'error']);
    expect(calls[4]![0]).toBe('RangeError: boom');
  });

  it('works with the real vitest test context (annotations land on the task)', async ({ annotate, task }) => {
    await attachEvidence({ annotate }, fakeRecord('a-claim'), '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
    expect(task.annotations.map((a) => a.type)).toEqual(['verdict', 'statistic', 'statistic', 'statistic', 'assertion', 'figure']);
    expect(task.annotations[0]!.message).toMatch(/^HOLDS: Fake claim a-claim \(Fig\. 4\) — smoke profile/);
    const att = task.annotations[5]!.attachment!;
    expect(att.contentType).toBe('image/svg+xml');
    expect(Buffer.from(String(att.body), 'base64').toString('utf8')).toContain('<svg');
  });
});
