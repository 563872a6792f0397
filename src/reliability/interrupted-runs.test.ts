/**
 * Interrupted runs: a claim worker killed part-way (SIGTERM, as CI or Ctrl-C's process group
 * sends; SIGKILL, as the OOM killer does) while it writes records through src/report/records.ts
 * leaves claims.json as it was or with whole records added, never torn, and never loses the
 * records that were there before. The next run starts cleanly: the killed writer's lock is
 * taken over at once (its pid is dead; no waiting for the 60 s staleness limit) and its orphan
 * temp files are cleaned up. records.test.ts covers one SIGKILL and a killed lock holder; this
 * adds SIGTERM, repeated kills at varying moments, and the before/after comparison.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { claimsPath, readRecords, writeRecord } from '../report/records';
import { fakeRecord } from '../report/testing/fake-records';
import { REPO_ROOT } from './spawn-vitest';

const CHILD = path.join(REPO_ROOT, 'src', 'report', 'testing', 'write-records-child.ts');

/** The records-writing child; `lines` fills with what it prints, `exited` resolves on exit. */
function writer(dir: string, tag: string, mode: 'forever' | 'hold') {
  const p: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, tag, mode], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let buf = '';
  let stderr = '';
  const waiters: { n: number; resolve: () => void }[] = [];
  p.stdout!.on('data', (d) => {
    buf += String(d);
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    lines.push(...parts.filter(Boolean));
    for (const w of waiters.splice(0)) {
      if (lines.length >= w.n) w.resolve();
      else waiters.push(w);
    }
  });
  p.stderr!.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    p.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const printed = (n: number) => new Promise<void>((resolve) => (lines.length >= n ? resolve() : waiters.push({ n, resolve })));
  return { p, lines, exited, printed, stderr: () => stderr };
}

const ids = (dir: string) => readRecords(dir, { allowMissing: true }).map((r) => r.id);
const leftovers = (dir: string) => fs.readdirSync(dir).filter((n) => n !== 'claims.json');

describe('a claim worker killed while writing records', () => {
  it('SIGTERM or SIGKILL at varying moments: the file is always whole, earlier records survive, the next writer goes at once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bn-interrupted-'));
    await writeRecord(fakeRecord('earlier-claim'), dir); // a record from an earlier run
    const rounds: { signal: NodeJS.Signals; after: number }[] = [
      { signal: 'SIGTERM', after: 1 },
      { signal: 'SIGKILL', after: 4 },
      { signal: 'SIGTERM', after: 9 },
    ];
    let tookOver = 0;
    for (const [i, { signal, after }] of rounds.entries()) {
      const before = ids(dir);
      const tag = `round${i}`;
      const w = writer(dir, tag, 'forever');
      // Read the file while the child writes: never torn (readRecords throws on a half file).
      const printed = w.printed(after);
      let done = false;
      void printed.then(() => (done = true));
      while (!done) {
        ids(dir);
        await new Promise((r) => setTimeout(r, 10));
      }
      w.p.kill(signal);
      const ex = await w.exited;
      expect(ex.signal, w.stderr()).toBe(signal);
      const after_ = ids(dir);
      // As before, or with whole records of the killed writer added; nothing lost.
      expect(after_).toEqual(expect.arrayContaining(before));
      const added = after_.filter((id) => !before.includes(id));
      expect(
        added.every((id) => id.startsWith(`${tag}-`)),
        added.join(', '),
      ).toBe(true);
      expect(added.length).toBeGreaterThanOrEqual(Math.min(after, 40));
      for (const r of readRecords(dir).filter((r) => r.id.startsWith(tag))) expect(r.statistics[0]!.note).toHaveLength(20_000); // whole

      // The next run starts cleanly: whatever was left (a lock with a dead pid, a temp file) is
      // taken over / removed by the next write, well inside the 60 s staleness limit.
      if (leftovers(dir).length) tookOver++;
      const t0 = Date.now();
      await writeRecord(fakeRecord(`next-run-${i}`), dir, { timeoutMs: 5_000 });
      expect(Date.now() - t0).toBeLessThan(5_000);
      expect(leftovers(dir)).toEqual([]);
      expect(ids(dir)).toEqual(expect.arrayContaining([...after_, `next-run-${i}`]));
    }
    // Informational: how many kills landed mid-write (a lock or temp file left behind).
    console.log(`[interrupted] ${tookOver}/${rounds.length} kills left a lock or temp file that the next write took over`);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 90_000);

  it('a lock holder killed by SIGTERM: its lock stays on disk, and the next writer takes it over at once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bn-interrupted-'));
    await writeRecord(fakeRecord('earlier-claim'), dir);
    const text = fs.readFileSync(claimsPath(dir), 'utf8');
    const w = writer(dir, 'holder', 'hold');
    await w.printed(1);
    expect(w.lines[0]).toBe('locked');
    const lock = `${claimsPath(dir)}.lock`;
    expect(JSON.parse(fs.readFileSync(lock, 'utf8')).pid).toBe(w.p.pid);
    w.p.kill('SIGTERM');
    expect((await w.exited).signal).toBe('SIGTERM');
    // SIGTERM's default action ends the process without running its finally: the lock remains
    // and claims.json is exactly as before.
    expect(fs.existsSync(lock)).toBe(true);
    expect(fs.readFileSync(claimsPath(dir), 'utf8')).toBe(text);
    const t0 = Date.now();
    await writeRecord(fakeRecord('after-sigterm'), dir, { timeoutMs: 5_000 });
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(ids(dir)).toEqual(['after-sigterm', 'earlier-claim']);
    expect(leftovers(dir)).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 30_000);
});
