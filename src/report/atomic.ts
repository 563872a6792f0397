/**
 * Files that several processes write and that a killed process must never leave torn.
 *
 * writeFileAtomic: write a temp file in the same folder, fsync it, rename it over the target
 * (rename is atomic within one file system), fsync the folder. A reader sees the old file or the
 * new one, never half of either.
 *
 * withFileLock: an exclusive lock file made with open(..., 'wx') (O_CREAT|O_EXCL), holding the
 * owner's pid, host, a nonce and the time. Waiters retry with jittered exponential backoff. A
 * lock is stale when its owner (on this host) is dead or it is older than `staleMs`; a stale
 * lock is broken by renaming it aside and checking that what was moved is the lock that was
 * judged stale (otherwise it is put back), so two waiters cannot both break the same lock and
 * steal a live one. Release removes the lock only if it is still ours.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

function tempName(target: string): string {
  return `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

function fsyncDir(dir: string): void {
  // Makes the rename itself durable; not supported everywhere (e.g. some network file systems).
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    /* best effort */
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Write `data` to `file` atomically (temp file + fsync + rename). Creates the folder. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const dir = path.dirname(path.resolve(file));
  fs.mkdirSync(dir, { recursive: true });
  const tmp = tempName(path.resolve(file));
  const fd = fs.openSync(tmp, 'w', 0o644);
  try {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fsyncDir(dir);
}

/** Remove `<file>.<pid>.<hex>.tmp` leftovers of processes that died mid-write. */
export function removeOrphanTemps(file: string): void {
  const dir = path.dirname(path.resolve(file));
  const base = path.basename(file);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  const re = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)\\.[0-9a-f]+\\.tmp$`);
  for (const n of names) {
    const m = re.exec(n);
    if (m && !pidAlive(Number(m[1]))) fs.rmSync(path.join(dir, n), { force: true });
  }
}

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface LockInfo {
  pid: number;
  host: string;
  nonce: string;
  time: number;
}

export interface LockOptions {
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
  /** A lock older than this is stale whoever holds it (default 60 s; a write takes milliseconds). */
  staleMs?: number;
}

function readLock(lockPath: string): { raw: string; info: LockInfo | undefined } | undefined {
  let raw: string;
  try {
    raw = fs.readFileSync(lockPath, 'utf8');
  } catch {
    return undefined; // gone
  }
  try {
    return { raw, info: JSON.parse(raw) as LockInfo };
  } catch {
    return { raw, info: undefined }; // a holder between open and write, or garbage
  }
}

function isStale(lockPath: string, info: LockInfo | undefined, staleMs: number): boolean {
  let age: number;
  try {
    age = Date.now() - fs.statSync(lockPath).mtimeMs;
  } catch {
    return false;
  }
  if (age > staleMs) return true;
  // An empty / unparsable lock is a holder between open and write (microseconds), unless it is
  // old: then its holder died there.
  if (!info) return age > 2000;
  return info.host === os.hostname() && !pidAlive(info.pid);
}

/** Move a stale lock aside, but only if it is still the one judged stale. */
function breakStaleLock(lockPath: string, judgedRaw: string): void {
  const aside = `${lockPath}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
  try {
    fs.renameSync(lockPath, aside);
  } catch {
    return; // someone else broke it first
  }
  let moved = '';
  try {
    moved = fs.readFileSync(aside, 'utf8');
  } catch {
    /* ignore */
  }
  if (moved === judgedRaw) {
    fs.rmSync(aside, { force: true });
    return;
  }
  // We moved a live lock taken after our check: put it back (link fails if a new one exists).
  try {
    fs.linkSync(aside, lockPath);
  } catch {
    /* a newer lock exists; the displaced holder still releases only its own lock */
  }
  fs.rmSync(aside, { force: true });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Run `fn` while holding the exclusive lock `lockPath`. */
export async function withFileLock<T>(lockPath: string, fn: () => T | Promise<T>, opts: LockOptions = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const staleMs = opts.staleMs ?? 60_000;
  fs.mkdirSync(path.dirname(path.resolve(lockPath)), { recursive: true });
  const mine: LockInfo = { pid: process.pid, host: os.hostname(), nonce: randomBytes(8).toString('hex'), time: Date.now() };
  const mineRaw = JSON.stringify(mine);
  const start = Date.now();
  let delay = 2;
  for (;;) {
    let fd: number | undefined;
    try {
      fd = fs.openSync(lockPath, 'wx', 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (fd !== undefined) {
      try {
        fs.writeSync(fd, mineRaw);
      } finally {
        fs.closeSync(fd);
      }
      break;
    }
    const held = readLock(lockPath);
    if (held && isStale(lockPath, held.info, staleMs)) {
      breakStaleLock(lockPath, held.raw);
      continue;
    }
    if (Date.now() - start > timeoutMs) {
      const who = held?.info
        ? `pid ${held.info.pid} on ${held.info.host} since ${new Date(held.info.time).toISOString()}`
        : 'an unknown process';
      throw new Error(`could not lock ${lockPath} within ${timeoutMs} ms: held by ${who}; delete the file if that process is gone`);
    }
    await sleep(delay * (0.5 + Math.random()));
    delay = Math.min(delay * 2, 100);
  }
  try {
    return await fn();
  } finally {
    const held = readLock(lockPath);
    if (held?.raw === mineRaw) fs.rmSync(lockPath, { force: true });
  }
}
