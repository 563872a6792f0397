/**
 * Files that a killed process must never leave torn (claims.json, the figures, the run cache).
 * Each has one writer (the claims reporter, the training phase), so no locks: a temp file in the
 * same folder, fsync, rename over the target (atomic within one file system). A reader sees the
 * old file or the new one, never half of either. (`write-file-atomic` does the same; it is not a
 * dependency here.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/** Write `data` to `file` atomically (temp file + fsync + rename). Creates the folder. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${path.resolve(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const fd = fs.openSync(tmp, 'w', 0o644);
    try {
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** Remove `<file>.<pid>.<hex>.tmp` leftovers of processes killed mid-write. */
export function removeOrphanTemps(file: string): void {
  const dir = path.dirname(path.resolve(file));
  const re = new RegExp(`^${path.basename(file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)\\.[0-9a-f]+\\.tmp$`);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
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
