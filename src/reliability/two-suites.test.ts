/**
 * Two suites on one reports folder: while one claims run uses BN_REPORTS_DIR, a second vitest on
 * the same folder stops at once (exit 2, one line naming the first: pid, start time, command),
 * writes nothing and leaves the first alone; the first finishes with every record, and releases
 * the folder for the next run. Another folder is free meanwhile.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE, reportsLockOwner } from '../report/lock';
import { readRecords } from '../report/records';
import { FAKE_CLAIMS, REPO_ROOT, runVitest, writeFakeClaimsProject } from '../vitest/testing/fake-claims-project';

describe('two claims runs on one reports folder', () => {
  it('the second stops at once naming the first, which finishes with every record', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bn-two-suites-'));
    const go = path.join(dir, 'go');
    writeFakeClaimsProject(dir, {
      // a claim that waits until the test lets it finish
      'fake-waits.spec.ts': `import fs from 'node:fs';
import { claim } from ${JSON.stringify(path.join(REPO_ROOT, 'src', 'vitest', 'harness.ts'))};
claim({ id: 'fake-waits', title: 'a fake claim that waits for its cue', paper: 'Fig. 0' }, async (c) => {
  c.scale({ model: 'none', seeds: 1 });
  while (!fs.existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 50));
  c.check('it got its cue', true);
});
`,
    });
    const reports = path.join(dir, 'reports');
    let first: ChildProcess | undefined;
    const firstRun = runVitest(dir, ['run', '--project', 'claims'], {}, { onSpawn: (c) => (first = c), timeoutMs: 180_000 });
    // the first run holds the folder once its four quick claims are written (fake-waits still waits)
    for (const t0 = Date.now(); readRecords(reports, { allowMissing: true }).length < 4; await new Promise((r) => setTimeout(r, 100)))
      if (Date.now() - t0 > 120_000) throw new Error(`the first run wrote no records in 120 s:\n${(await firstRun).output}`);
    const owner = reportsLockOwner(reports)!;
    expect(owner.pid).toBe(first!.pid);
    const before = fs.readFileSync(path.join(reports, 'claims.json'), 'utf8');

    const t0 = performance.now();
    const [second, elsewhere] = await Promise.all([
      runVitest(dir, ['run', '--project', 'claims', 'claims/fake-holds.spec.ts']),
      runVitest(dir, ['run', '--project', 'claims', 'claims/fake-holds.spec.ts'], { BN_REPORTS_DIR: 'elsewhere' }),
    ]);
    const seconds = (performance.now() - t0) / 1000;
    expect(second.code, second.output).toBe(2);
    const said = second.output.split('\n').filter((l) => l.includes('in use by another claims run'));
    expect(said).toEqual([
      `the reports folder ${reports} is in use by another claims run: pid ${owner.pid} on this host, started ${owner.started}, running for ${said[0]?.match(/running for (\d+) min/)?.[1]} min (${owner.command}). Wait for it to finish, or set BN_REPORTS_DIR to another folder`,
    ]);
    expect(owner.command).toMatch(/^vitest run --project claims/);
    expect(second.output).not.toContain('fake-holds'); // stopped before any claim ran
    expect(fs.readFileSync(path.join(reports, 'claims.json'), 'utf8')).toBe(before);
    expect(elsewhere.code, elsewhere.output).toBe(0); // another folder is free
    expect(readRecords(path.join(dir, 'elsewhere')).map((r) => r.id)).toEqual(['fake-holds']);
    console.log(`[two-suites] the second run stopped after ${seconds.toFixed(1)} s (vitest's start-up included)`);

    fs.writeFileSync(go, '');
    const done = await firstRun;
    expect(done.code, done.output).toBe(1); // two fake claims fail their tests
    expect(readRecords(reports).map((r) => r.id)).toEqual([...Object.keys(FAKE_CLAIMS), 'fake-waits'].sort());
    expect(fs.existsSync(path.join(reports, LOCK_FILE))).toBe(false); // released: the next run may start
    fs.rmSync(dir, { recursive: true, force: true });
  }, 300_000);
});
