/**
 * One claims run per reports folder at a time. Two vitest runs on the same BN_REPORTS_DIR would
 * each upsert claims.json from their own read of it (the later write drops the other's records),
 * rewrite the same figures and page, and, with training claims, each train the whole suite. So a
 * claims run (or a merge of shards' blob reports) takes <reports>/.lock first, and a second one
 * stops at once with one line naming the run that holds it: its pid, host, start time and command.
 *
 * The lock file is created whole in one step (written under a temp name, then hard-linked to
 * .lock, which fails when .lock exists) and removed when its process exits. A lock whose process
 * is gone (SIGKILL, a crash: nothing removed it) is stale: on the same host the next run sees its
 * pid dead and takes it over; on another host (a reports folder on a shared file system) the pid
 * cannot be checked, and the message says which file to remove once that run is known to be gone.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { pidAlive } from './atomic';

export const LOCK_FILE = '.lock';

const LockOwner = z.object({ pid: z.number().int().positive(), host: z.string(), started: z.string(), command: z.string() });
export type LockOwner = z.infer<typeof LockOwner>;

/** Another live run holds the reports folder (or one that cannot be checked, on another host). */
export class ReportsLockedError extends Error {
  override name = 'ReportsLockedError';
  constructor(
    message: string,
    readonly owner: LockOwner,
  ) {
    super(message);
  }
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const r = LockOwner.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

const same = (a: LockOwner | undefined, b: LockOwner | undefined) => !!a && !!b && JSON.stringify(a) === JSON.stringify(b);
const mine = (o: LockOwner | undefined) => o?.pid === process.pid && o.host === os.hostname();

/** "vitest run --project claims": the command that holds a lock, for the message. */
function commandLine(): string {
  const [, script = '', ...args] = process.argv;
  return [path.basename(script).replace(/\.m?js$/, ''), ...args].join(' ').slice(0, 200);
}

function describeOwner(o: LockOwner): string {
  const since = Date.parse(o.started);
  const running = Number.isFinite(since) ? `, running for ${Math.max(0, Math.round((Date.now() - since) / 60_000))} min` : '';
  return `pid ${o.pid} on ${o.host === os.hostname() ? 'this host' : `host ${o.host}`}, started ${o.started}${running} (${o.command})`;
}

const held = new Set<string>();

/**
 * Take `<dir>/.lock` for this process (creating `dir`), or throw ReportsLockedError naming the run
 * that holds it. Taking it again in the same process is a no-op; it is released when the process
 * exits (or by release()).
 */
export function lockReports(dir: string): void {
  const file = path.join(path.resolve(dir), LOCK_FILE);
  if (held.has(file)) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const me: LockOwner = { pid: process.pid, host: os.hostname(), started: new Date().toISOString(), command: commandLine() };
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(me)}\n`);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        fs.linkSync(tmp, file); // atomic, and fails when a lock is there
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const owner = readOwner(file);
      if (mine(owner)) break; // taken earlier by this process (another module instance)
      const local = owner?.host === os.hostname();
      if (owner && !(local && !pidAlive(owner.pid))) {
        const hint = local ? '' : `; if it is gone, remove ${file}`;
        throw new ReportsLockedError(
          `the reports folder ${dir} is in use by another claims run: ${describeOwner(owner)}. Wait for it to finish, or set BN_REPORTS_DIR to another folder${hint}`,
          owner,
        );
      }
      if (attempt >= 3) throw new Error(`could not take ${file}: it keeps changing (another run starting at the same moment?)`);
      // stale (its process is dead) or unreadable (not ours: a lock file is never written in place):
      // move it aside, and remove it if it is still the stale one; a live lock taken meanwhile goes back
      const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
      try {
        fs.renameSync(file, aside);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw e;
      }
      const moved = readOwner(aside);
      if (owner && !same(moved, owner)) fs.renameSync(aside, file);
      else fs.rmSync(aside, { force: true });
    }
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  held.add(file);
  if (held.size === 1) process.once('exit', releaseAll);
}

/** Remove this process's lock on `dir`, if it holds it. */
export function releaseReports(dir: string): void {
  const file = path.join(path.resolve(dir), LOCK_FILE);
  if (!held.delete(file)) return;
  if (mine(readOwner(file))) fs.rmSync(file, { force: true });
}

function releaseAll(): void {
  for (const file of [...held]) releaseReports(path.dirname(file));
}

/** The run holding `dir`'s lock, if any (live or not). */
export function reportsLockOwner(dir: string): LockOwner | undefined {
  return readOwner(path.join(path.resolve(dir), LOCK_FILE));
}
