/**
 * Interrupted runs. A claims run killed half-way keeps the records and figures of the claims that
 * finished: the claims reporter writes each claim's as its test ends, not at the end of the run.
 * And the writer killed part-way (SIGTERM, as CI or Ctrl-C's process group sends; SIGKILL, as the
 * OOM killer does) while it writes records through src/report/records.ts leaves claims.json as
 * it was or with whole records added, never torn, and never loses the records that were there
 * before; the next write removes the killed writer's temp file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { readRecords, writeRecord } from '../report/records';
import { fakeRecord } from '../report/testing/fake-records';
import { FAKE_CLAIMS, runVitest, writeFakeClaimsProject } from '../vitest/testing/fake-claims-project';
import { REPO_ROOT } from './testing/spawn-vitest';

const CHILD = path.join(REPO_ROOT, 'src', 'report', 'testing', 'write-records-child.ts');

/** The records-writing child; `written()` is how many records it has written so far. */
function writer(dir: string, tag: string) {
  const p: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, tag, 'forever'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let written = 0;
  let stderr = '';
  p.stdout!.on('data', (d) => (written += String(d).split('\n').filter(Boolean).length));
  p.stderr!.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    p.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { p, exited, written: () => written, stderr: () => stderr };
}

const ids = (dir: string) => readRecords(dir, { allowMissing: true }).map((r) => r.id);
const leftovers = (dir: string) => fs.readdirSync(dir).filter((n) => n !== 'claims.json');

describe('a claims run killed half-way', () => {
  it('keeps the records and figures of the claims that finished', async () => {
    // the four fake claims finish at once; the fifth never does
    const dir = writeFakeClaimsProject(fs.mkdtempSync(path.join(os.tmpdir(), 'bn-killed-run-')), {
      'fake-hangs.spec.ts': `import { claim } from ${JSON.stringify(path.join(REPO_ROOT, 'src', 'vitest', 'harness.ts'))};
claim({ id: 'fake-hangs', title: 'a fake claim that never ends', paper: 'Fig. 0' }, () => new Promise(() => setInterval(() => {}, 1000)));
`,
    });
    const reports = path.join(dir, 'reports');
    const finished = Object.keys(FAKE_CLAIMS).sort();
    let child: ChildProcess | undefined;
    const run = runVitest(dir, ['run', '--project', 'claims'], {}, { onSpawn: (c) => (child = c), timeoutMs: 180_000 });
    // every finished claim's record (never torn), which the reporter writes after its figure
    while (ids(reports).length < finished.length) await new Promise((r) => setTimeout(r, 200));
    process.kill(-child!.pid!, 'SIGKILL'); // vitest, its workers and all
    const r = await run;
    expect(r.code, r.output).toBeNull(); // killed: it never reached the end of the run
    expect(r.output).not.toContain('claims summary'); // ... nor wrote the page
    expect(ids(reports)).toEqual(finished);
    for (const id of finished) expect(fs.readFileSync(path.join(reports, `${id}.svg`), 'utf8')).toMatch(/^<svg/);
    expect(fs.readdirSync(reports).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 240_000);
});

describe('a records writer killed while it writes', () => {
  it('SIGTERM or SIGKILL at varying moments: the file is always whole, earlier records survive, the next write cleans up', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bn-interrupted-'));
    writeRecord(fakeRecord('earlier-claim'), dir); // a record from an earlier run
    const rounds: { signal: NodeJS.Signals; after: number }[] = [
      { signal: 'SIGTERM', after: 1 },
      { signal: 'SIGKILL', after: 4 },
      { signal: 'SIGTERM', after: 9 },
    ];
    let leftBehind = 0;
    for (const [i, { signal, after }] of rounds.entries()) {
      const before = ids(dir);
      const tag = `round${i}`;
      const w = writer(dir, tag);
      // Read the file while the child writes: never torn (readRecords throws on a half file).
      while (w.written() < after) {
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

      // The next run starts cleanly: a temp file the killed writer left is removed by the next write.
      if (leftovers(dir).length) leftBehind++;
      writeRecord(fakeRecord(`next-run-${i}`), dir);
      expect(leftovers(dir)).toEqual([]);
      expect(ids(dir)).toEqual(expect.arrayContaining([...after_, `next-run-${i}`]));
    }
    // Informational: how many kills landed mid-write (a temp file left behind).
    console.log(`[interrupted] ${leftBehind}/${rounds.length} kills left a temp file that the next write removed`);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 90_000);
});
