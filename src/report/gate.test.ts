import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runGate } from './gate';
import { serializeRecords } from './records';
import type { Baseline, ClaimRecord } from './schema';
import { fakeRecord } from './testing/fake-records';

const here = path.dirname(fileURLToPath(import.meta.url));
// tsx's loader by absolute URL: the CLI runs with the temp project as cwd, where `tsx` does not resolve
const tsxLoader = pathToFileURL(path.join(here, '..', '..', 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

const BASELINE: Baseline = {
  version: 1,
  profile: 'smoke',
  claims: {
    'a-holds': { expected: 'holds' },
    'b-holds': { expected: 'holds' },
    'c-fails': { expected: 'fails', reason: 'ratio 3.1 (paper ~100) at ResNet-20' },
  },
};

/** A temp project: reports/claims.json and claims/baseline.json (each optional, or raw text). */
function project(records: ClaimRecord[] | string | null, baseline: Baseline | string | null = BASELINE): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bn-gate-'));
  fs.mkdirSync(path.join(dir, 'reports'));
  fs.mkdirSync(path.join(dir, 'claims'));
  if (records !== null)
    fs.writeFileSync(path.join(dir, 'reports', 'claims.json'), typeof records === 'string' ? records : serializeRecords(records));
  if (baseline !== null)
    fs.writeFileSync(path.join(dir, 'claims', 'baseline.json'), typeof baseline === 'string' ? baseline : JSON.stringify(baseline));
  return dir;
}

const good = () => [fakeRecord('a-holds'), fakeRecord('b-holds'), fakeRecord('c-fails', { verdict: 'fails' })];

describe('runGate', () => {
  it('without --baseline, judges records against the baseline of the profile they ran at', () => {
    const full = good().map((r) => ({ ...r, profile: 'full' as const }));
    const dir = project(full);
    const fullBaseline: Baseline = { ...BASELINE, profile: 'full' };
    fs.writeFileSync(path.join(dir, 'claims', 'baseline-full.json'), JSON.stringify(fullBaseline));
    const r = runGate([], dir);
    expect(r.code).toBe(0);
    expect(r.output).toContain('claims/baseline-full.json (full profile');
    fs.rmSync(path.join(dir, 'claims', 'baseline-full.json'));
    expect(runGate([], dir)).toMatchObject({ code: 2, output: expect.stringContaining('baseline-full.json does not exist') });
  });

  it('an inconclusive verdict: as expected when the baseline says so; a regression for a claim expected to hold; a change to report otherwise', () => {
    const baseline: Baseline = {
      ...BASELINE,
      claims: { ...BASELINE.claims, 'd-inconclusive': { expected: 'inconclusive', reason: 'the unnormalised net stays at chance' } },
    };
    const ok = runGate([], project([...good(), fakeRecord('d-inconclusive', { verdict: 'inconclusive' })], baseline));
    expect(ok.code, ok.output).toBe(0);
    expect(ok.output).toMatch(
      /^d-inconclusive\s+inconclusive\s+inconclusive\s+inconclusive as expected: the unnormalised net stays at chance$/m,
    );
    expect(ok.output).toContain('OK: no regression (2 hold, 1 fail as the baseline expects, 1 inconclusive as expected)');

    const nowHolds = runGate([], project([...good(), fakeRecord('d-inconclusive')], baseline));
    expect(nowHolds.code).toBe(0);
    expect(nowHolds.output).toContain('changed: d-inconclusive was inconclusive, is holds: update the baseline');

    const recs = good();
    recs[2] = fakeRecord('c-fails', { verdict: 'inconclusive' });
    const wasFails = runGate([], project(recs));
    expect(wasFails.code).toBe(0);
    expect(wasFails.output).toMatch(/^c-fails\s+fails\s+inconclusive\s+changed: now inconclusive/m);

    recs[0] = fakeRecord('a-holds', { verdict: 'inconclusive' });
    const regression = runGate([], project(recs));
    expect(regression.code).toBe(1);
    expect(regression.output).toContain('a-holds: expected to hold (baseline holds, now inconclusive)');
  });

  it('exit 0 with a table when every claim matches the baseline', () => {
    const { code, output } = runGate([], project(good()));
    expect(code).toBe(0);
    expect(output).toMatch(/^claim\s+baseline\s+now\s+status$/m);
    expect(output).toMatch(/^a-holds\s+holds\s+holds\s+ok$/m);
    expect(output).toMatch(/^c-fails\s+fails\s+fails\s+fails as expected: ratio 3\.1 \(paper ~100\) at ResNet-20$/m);
    expect(output).toContain('OK: no regression (2 hold, 1 fail as the baseline expects)');
  });

  it('exit 1 when a claim expected to hold now fails', () => {
    const recs = good();
    recs[1] = fakeRecord('b-holds', { verdict: 'fails' });
    const { code, output } = runGate([], project(recs));
    expect(code).toBe(1);
    expect(output).toMatch(/^b-holds\s+holds\s+fails\s+REGRESSION: expected to hold$/m);
    expect(output).toContain('FAILED: 1 regression:\n  - b-holds: expected to hold (baseline holds, now fails)');
  });

  it('exit 1 when a claim expected to hold is missing from claims.json', () => {
    const { code, output } = runGate([], project(good().filter((r) => r.id !== 'a-holds')));
    expect(code).toBe(1);
    expect(output).toContain('  - a-holds: no record in claims.json (baseline holds, now missing)');
  });

  it("exit 1 on an 'error' verdict, even where the baseline expects a failure or has no entry", () => {
    for (const id of ['c-fails', 'z-new']) {
      const recs = [...good().filter((r) => r.id !== id), fakeRecord(id, { verdict: 'error', error: 'RangeError: out of memory\n  at x' })];
      const { code, output } = runGate([], project(recs));
      expect(code, id).toBe(1);
      expect(output).toContain(`  - ${id}: crashed: RangeError: out of memory`);
    }
  });

  it('exit 0 and says "improved: update the baseline" when an expected failure now holds', () => {
    const recs = good();
    recs[2] = fakeRecord('c-fails');
    const { code, output } = runGate([], project(recs));
    expect(code).toBe(0);
    expect(output).toMatch(/^c-fails\s+fails\s+holds\s+improved: update the baseline$/m);
    expect(output).toContain('improved: c-fails now holds although the baseline expects it to fail: update the baseline');
  });

  it('a claim not in the baseline is reported as new, not a regression', () => {
    const { code, output } = runGate([], project([...good(), fakeRecord('z-new')]));
    expect(code).toBe(0);
    expect(output).toMatch(/^z-new\s+\(none\)\s+holds\s+new: not in the baseline \(add it\)$/m);
  });

  it('records at another profile are skipped with a warning; none at the profile is exit 2', () => {
    const recs = good();
    recs[0] = fakeRecord('a-holds', { profile: 'paper' });
    const mixed = runGate([], project(recs));
    expect(mixed.code).toBe(1); // a-holds has no smoke record left: missing
    expect(mixed.output).toContain('warning: a-holds: ran at the paper profile, the baseline is for smoke: not compared');
    const allPaper = runGate(['--baseline', 'claims/baseline.json'], project(good().map((r) => ({ ...r, profile: 'paper' as const }))));
    expect(allPaper.code).toBe(2);
    expect(allPaper.output).toContain("no record in reports/claims.json ran at the baseline's profile (smoke)");
  });

  it('exit 2 naming the file on a missing or malformed claims.json or baseline', () => {
    const cases: [string, ReturnType<typeof project>, RegExp][] = [
      ['missing claims', project(null), /cannot read the claim records: .*reports\/claims\.json does not exist/],
      ['bad json', project('{"version":1,'), /reports\/claims\.json is not valid JSON/],
      [
        'bad record',
        project(JSON.stringify({ version: 1, records: [{ ...fakeRecord('a-holds'), verdict: 'maybe' }] })),
        /reports\/claims\.json does not match[\s\S]*records\[0\]\.verdict/,
      ],
      ['missing baseline', project(good(), null), /cannot read the baseline: .*claims\/baseline\.json does not exist/],
      [
        'bad baseline',
        project(good(), '{"version":1,"profile":"smoke","claims":{"x":{"expected":"fails"}}}'),
        /claims\/baseline\.json does not match[\s\S]*claims\.x\.reason: expected "fails" needs a reason/,
      ],
    ];
    for (const [what, dir, re] of cases) {
      const { code, output } = runGate([], dir);
      expect(code, what).toBe(2);
      expect(output, what).toMatch(re);
    }
  });

  it('takes --reports and --baseline (also as --opt=value), rejects unknown options', () => {
    const dir = project(good());
    fs.renameSync(path.join(dir, 'reports'), path.join(dir, 'out'));
    fs.renameSync(path.join(dir, 'claims', 'baseline.json'), path.join(dir, 'b.json'));
    expect(runGate(['--reports', 'out', '--baseline', 'b.json'], dir).code).toBe(0);
    expect(runGate(['--reports=out', '--baseline=b.json'], dir).code).toBe(0);
    expect(runGate(['--bogus'], dir)).toMatchObject({ code: 2, output: expect.stringContaining('unknown option "--bogus"') });
    expect(runGate(['--reports'], dir)).toMatchObject({ code: 2, output: expect.stringContaining('option --reports needs a value') });
    expect(runGate(['--help'], dir)).toMatchObject({ code: 0, output: expect.stringContaining('usage: npm run gate') });
  });
});

describe('npm run gate (scripts/gate.ts, spawned)', () => {
  it('exits with the gate code: 0 with the table on stdout, 1 with the regressions on stderr', () => {
    const cli = path.join(here, '..', '..', 'scripts', 'gate.ts');
    const run = (cwd: string) => spawnSync(process.execPath, ['--import', tsxLoader, cli], { cwd, encoding: 'utf8' });
    const ok = run(project(good()));
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('OK: no regression');
    const recs = good();
    recs[0] = fakeRecord('a-holds', { verdict: 'fails' });
    const bad = run(project(recs));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('FAILED: 1 regression');
  }, 60_000);
});
