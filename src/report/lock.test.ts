/**
 * The reports folder's lock (lock.ts), between real processes: a second taker is refused with a
 * message naming the holder; a holder that exits releases it; one that was SIGKILLed leaves a
 * stale lock that the next taker takes over; a lock from another host is never taken over; of
 * several processes racing for a free lock exactly one gets it. A whole vitest run refused:
 * src/reliability/two-suites.test.ts.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_FILE, lockReports, releaseReports, reportsLockOwner, ReportsLockedError } from './lock';

const here = path.dirname(fileURLToPath(import.meta.url));
const CHILD = path.join(here, 'testing', 'lock-child.ts');
const ROOT = path.join(here, '..', '..');
const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'bn-lock-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) {
    releaseReports(d);
    fs.rmSync(d, { recursive: true, force: true });
  }
});

/** The child, run to its end: its output line and exit code. */
function take(dir: string): { out: string; code: number | null } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CHILD, dir], { cwd: ROOT, encoding: 'utf8' });
  return { out: r.stdout.trim() + r.stderr.trim(), code: r.status };
}

/** The child holding the lock until killed. */
async function holder(dir: string) {
  const p = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, 'hold'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) => p.stdout.once('data', (d) => resolve(String(d).trim())));
  const exited = new Promise<void>((resolve) => p.on('exit', () => resolve()));
  return { p, line, exited };
}

describe('the reports lock', () => {
  it('refuses a second taker with one line naming the holder; a holder that exits releases it', async () => {
    const dir = path.join(tmp(), 'reports');
    lockReports(dir); // creates the folder
    lockReports(dir); // again in the same process: fine
    const owner = reportsLockOwner(dir)!;
    expect(owner).toMatchObject({ pid: process.pid, host: os.hostname() });
    const refused = take(dir);
    expect(refused.code).toBe(3);
    expect(refused.out).not.toContain('\n');
    expect(refused.out).toContain(
      `the reports folder ${dir} is in use by another claims run: pid ${process.pid} on this host, started ${owner.started}, running for 0 min (`,
    );
    expect(refused.out).toContain('Wait for it to finish, or set BN_REPORTS_DIR to another folder');
    releaseReports(dir);
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    // a child that takes it and exits leaves it free
    expect(take(dir)).toMatchObject({ code: 0, out: expect.stringMatching(/^locked \d+$/) });
    expect(fs.readdirSync(dir)).toEqual([]);
    lockReports(dir);
    expect(reportsLockOwner(dir)?.pid).toBe(process.pid);
  }, 60_000);

  it('takes over the lock of a SIGKILLed run (its pid is dead), never that of a live one', async () => {
    const dir = tmp();
    const h = await holder(dir);
    expect(h.line).toBe(`locked ${h.p.pid}`);
    expect(() => lockReports(dir)).toThrow(ReportsLockedError);
    expect(() => lockReports(dir)).toThrow(new RegExp(`pid ${h.p.pid} on this host`));
    h.p.kill('SIGKILL');
    await h.exited;
    expect(reportsLockOwner(dir)?.pid).toBe(h.p.pid); // left behind: nobody removed it
    lockReports(dir);
    expect(reportsLockOwner(dir)?.pid).toBe(process.pid);
    expect(fs.readdirSync(dir)).toEqual([LOCK_FILE]); // no temp or stale file left
  }, 60_000);

  it("never takes over another host's lock, and says which file to remove if that run is gone", () => {
    const dir = tmp();
    const other = { pid: 1, host: 'elsewhere', started: '2026-12-03T01:02:03.000Z', command: 'vitest run --project claims' };
    fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify(other));
    expect(() => lockReports(dir)).toThrow(
      `the reports folder ${dir} is in use by another claims run: pid 1 on host elsewhere, started 2026-12-03T01:02:03.000Z`,
    );
    expect(() => lockReports(dir)).toThrow(`; if it is gone, remove ${path.join(dir, LOCK_FILE)}`);
    expect(reportsLockOwner(dir)).toEqual(other);
  });

  it('of several processes racing for a free lock, exactly one gets it', async () => {
    const dir = tmp();
    const racers = await Promise.all(Array.from({ length: 4 }, () => holder(dir)));
    try {
      const won = racers.filter((r) => r.line.startsWith('locked'));
      expect(won, racers.map((r) => r.line).join('\n')).toHaveLength(1);
      expect(reportsLockOwner(dir)?.pid).toBe(won[0]!.p.pid);
      for (const r of racers.filter((x) => x !== won[0])) expect(r.line).toContain(`pid ${won[0]!.p.pid} on this host`);
    } finally {
      for (const r of racers) r.p.kill('SIGKILL');
      await Promise.all(racers.map((r) => r.exited));
    }
  }, 60_000);
});
