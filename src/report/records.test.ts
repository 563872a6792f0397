import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { claimsPath, readRecords, RecordsFileError, writeRecord } from './records';
import { writeFileAtomic } from './atomic';
import { fakeRecord } from './testing/fake-records';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'bn-records-'));

describe('writeRecord / readRecords', () => {
  it('upserts by id and keeps records sorted', () => {
    const dir = tmp();
    writeRecord(fakeRecord('b-claim'), dir);
    writeRecord(fakeRecord('a-claim'), dir);
    writeRecord(fakeRecord('b-claim', { verdict: 'fails' }), dir);
    const recs = readRecords(dir);
    expect(recs.map((r) => r.id)).toEqual(['a-claim', 'b-claim']);
    expect(recs[1]!.verdict).toBe('fails');
    expect(JSON.parse(fs.readFileSync(claimsPath(dir), 'utf8')).version).toBe(1);
    expect(fs.readdirSync(dir).sort()).toEqual(['claims.json']); // no temp file left
  });

  it('rejects an invalid record with the issue path and writes nothing', () => {
    const dir = tmp();
    const bad = fakeRecord('ok-id', { statistics: [{ name: 'x', value: null }] });
    expect(() => writeRecord(bad, dir)).toThrow(/invalid claim record "ok-id":\nstatistics\[0\]\.note/);
    expect(() => writeRecord({ ...fakeRecord('x'), id: 'Not Kebab' }, dir)).toThrow(/^invalid claim record "Not Kebab":\nid: /);
    expect(fs.existsSync(claimsPath(dir))).toBe(false);
  });

  it('gives clear errors for a missing or malformed file', () => {
    const dir = tmp();
    const file = claimsPath(dir);
    expect(() => readRecords(dir)).toThrow(`${file} does not exist`);
    expect(readRecords(dir, { allowMissing: true })).toEqual([]);
    fs.writeFileSync(file, '{"version": 1, "records": [');
    expect(() => readRecords(dir)).toThrow(new RegExp(`^${file.replace(/[.]/g, '\\.')} is not valid JSON`));
    const rec = fakeRecord('a-claim');
    fs.writeFileSync(file, JSON.stringify({ version: 1, records: [rec, { ...rec, id: 'b-claim', verdict: 'maybe' }] }));
    try {
      readRecords(dir);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RecordsFileError);
      expect((e as RecordsFileError).problem).toBe('schema');
      expect((e as Error).message).toContain(file);
      expect((e as Error).message).toContain('records[1].verdict');
    }
    fs.writeFileSync(file, JSON.stringify({ version: 1, records: [rec, rec] }));
    expect(() => readRecords(dir)).toThrow('claim "a-claim" appears twice');
  });

  it('keeps a corrupt claims.json aside instead of blocking new records', () => {
    const dir = tmp();
    fs.writeFileSync(claimsPath(dir), 'not json');
    const warn = console.warn;
    console.warn = () => {};
    try {
      writeRecord(fakeRecord('a-claim'), dir);
    } finally {
      console.warn = warn;
    }
    expect(readRecords(dir).map((r) => r.id)).toEqual(['a-claim']);
    const aside = fs.readdirSync(dir).filter((n) => n.startsWith('claims.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(fs.readFileSync(path.join(dir, aside[0]!), 'utf8')).toBe('not json');
  });

  it('writeFileAtomic replaces the whole file and leaves no temp file', () => {
    const dir = tmp();
    const f = path.join(dir, 'sub', 'a.svg');
    writeFileAtomic(f, '<svg/>');
    writeFileAtomic(f, new Uint8Array([60, 115, 118, 103, 62]));
    expect(fs.readFileSync(f, 'utf8')).toBe('<svg>');
    expect(fs.readdirSync(path.dirname(f))).toEqual(['a.svg']);
  });
});
