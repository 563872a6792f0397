import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { TestAnnotation } from 'vitest';
import { attachEvidence } from './annotate';
import ClaimsReporter, { attachmentText, evidenceFromAnnotations, writeEvidence } from './claims-reporter';
import { readRecords, serializeRecords } from '../report/records';
import { fakeRecord } from '../report/testing/fake-records';

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" data-figure-kind="barsWithCI"><text>é ≥ 1</text></svg>';

/** The annotations a test ends with after attachEvidence, stored as vitest stores them (Uint8Array bodies as base64). */
async function annotationsOf(...evidence: [ReturnType<typeof fakeRecord>, string?][]): Promise<TestAnnotation[]> {
  const out: TestAnnotation[] = [];
  const ctx = {
    annotate: async (message: string, type: string, attachment?: { body: Uint8Array; contentType: string }) => {
      out.push({
        message,
        type,
        ...(attachment
          ? {
              attachment: {
                contentType: attachment.contentType,
                body: Buffer.from(attachment.body).toString('base64'),
                bodyEncoding: 'base64' as const,
              },
            }
          : {}),
      });
    },
  } as never;
  for (const [r, svg] of evidence) await attachEvidence(ctx, r, svg);
  return out;
}

describe('claims reporter: reading the evidence off a test', () => {
  it('decodes the record and the figure that attachEvidence attached', async () => {
    const r = fakeRecord('heavy-tailed-gradients', { figure: 'heavy-tailed-gradients.svg' });
    const e = evidenceFromAnnotations('t', await annotationsOf([r, SVG]));
    expect(e).toEqual({ test: 't', record: r, svg: SVG });
  });

  it('reads utf-8 bodies and file attachments too', () => {
    expect(attachmentText({ body: 'plain ≥', bodyEncoding: 'utf-8' })).toBe('plain ≥');
    expect(attachmentText({ body: Buffer.from('b64 ≥').toString('base64') })).toBe('b64 ≥');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bn-reporter-'));
    fs.writeFileSync(path.join(dir, 'f.svg'), SVG);
    expect(attachmentText({ path: 'f.svg' }, dir)).toBe(SVG);
    expect(attachmentText(undefined)).toBeUndefined();
  });

  it('ignores tests that are not claims, and takes the last attempt of a retried claim', async () => {
    expect(
      evidenceFromAnnotations('unit', [
        { message: 'x', type: 'notice' },
        { message: 'HOLDS', type: 'verdict' },
      ]),
    ).toBeUndefined();
    const first = fakeRecord('a-claim', { verdict: 'fails', figure: 'a-claim.svg' });
    const second = fakeRecord('a-claim', { verdict: 'error' });
    const e = evidenceFromAnnotations('t', await annotationsOf([first, SVG], [second]));
    expect(e?.record).toEqual(second);
    expect(e?.svg).toBeUndefined();
  });

  it('names the test when the attached record is not JSON', () => {
    const bad: TestAnnotation = {
      message: 'HOLDS',
      type: 'verdict',
      attachment: { contentType: 'application/json', body: Buffer.from('{').toString('base64') },
    };
    expect(() => evidenceFromAnnotations('claims/x.spec.ts > x', [bad])).toThrow(
      /^claims\/x\.spec\.ts > x: the record attached .* not JSON/,
    );
  });
});

describe('claims reporter: writing the evidence', () => {
  it('upserts the records and writes the figures; writing twice changes nothing', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bn-reporter-'));
    const kept = fakeRecord('kept-claim');
    fs.writeFileSync(path.join(dir, 'claims.json'), serializeRecords([kept]));
    const a = fakeRecord('a-claim', { figure: 'a-claim.svg' });
    const b = fakeRecord('b-claim', { verdict: 'fails' });
    const evidence = [
      { test: 'a', record: a, svg: SVG },
      { test: 'b', record: b },
    ];
    expect(writeEvidence(evidence, dir)).toEqual({ written: [a, b], problems: [] });
    const once = fs.readFileSync(path.join(dir, 'claims.json'), 'utf8');
    expect(readRecords(dir)).toEqual([a, b, kept]);
    expect(fs.readFileSync(path.join(dir, 'a-claim.svg'), 'utf8')).toBe(SVG);
    writeEvidence(evidence, dir);
    expect(fs.readFileSync(path.join(dir, 'claims.json'), 'utf8')).toBe(once);
  });

  it('skips an invalid record with a message naming the test, and warns about a missing figure', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bn-reporter-'));
    const invalid = { ...fakeRecord('bad-claim'), verdict: 'holds' as const, assertions: [] };
    const noFigure = fakeRecord('c-claim', { figure: 'c-claim.svg' });
    const { written, problems } = writeEvidence(
      [
        { test: 'claims/bad.spec.ts > bad', record: invalid },
        { test: 'claims/c.spec.ts > c', record: noFigure },
      ],
      dir,
    );
    expect(written.map((r) => r.id)).toEqual(['c-claim']);
    expect(problems[0]).toMatch(/^claims\/bad\.spec\.ts > bad: invalid claim record "bad-claim":\nverdict: verdict "holds" needs/);
    expect(problems[1]).toBe('claims/c.spec.ts > c: its record names the figure c-claim.svg but no figure is attached');
  });
});

describe('claims reporter: when it writes', () => {
  it("writes a claim's record and figure as its test ends, the page at the end, and nothing for another project's test", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bn-reporter-'));
    const test = (id: string, project: string, annotations: TestAnnotation[]) =>
      ({ id, fullName: `${project} > ${id}`, project: { name: project }, annotations: () => annotations }) as never;
    const a = test('a', 'claims', await annotationsOf([fakeRecord('a-claim', { figure: 'a-claim.svg' }), SVG]));
    const b = test('b', 'claims', await annotationsOf([fakeRecord('b-claim')]));
    const unit = test('u', 'unit', await annotationsOf([fakeRecord('unit-evidence')]));
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const reporter = new ClaimsReporter({ reportsDir: dir });
      reporter.onTestRunStart();
      reporter.onTestCaseResult(unit);
      expect(fs.readdirSync(dir)).toEqual([]);
      reporter.onTestCaseResult(a);
      expect(readRecords(dir).map((r) => r.id)).toEqual(['a-claim']);
      expect(fs.readFileSync(path.join(dir, 'a-claim.svg'), 'utf8')).toBe(SVG);
      expect(fs.existsSync(path.join(dir, 'index.html'))).toBe(false);
      // at the end: what no test event brought (a merge), then the page
      reporter.onTestRunEnd([{ children: { allTests: () => [a, b, unit] } }] as never);
      expect(readRecords(dir).map((r) => r.id)).toEqual(['a-claim', 'b-claim']);
      expect(fs.existsSync(path.join(dir, 'index.html'))).toBe(true);
      expect(log).toHaveBeenCalledWith(expect.stringMatching(/^\[report\] 2 claim records upserted into .*claims\.json; claims summary: /));
    } finally {
      log.mockRestore();
      warn.mockRestore();
    }
  });
});
