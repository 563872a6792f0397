/** Which processes are running, for the tests that kill a parent and look for its orphans. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** Running, not a zombie waiting to be reaped (kill(pid, 0) succeeds on those too). */
export function running(pid: number): boolean {
  if (process.platform === 'linux') {
    try {
      return !/^\d+ \(.*\) [ZX]/s.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  }
  try {
    return !/Z/.test(execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }));
  } catch {
    return false;
  }
}

/** Every process below `pid` (children, grandchildren, ...), from `ps`. */
export function descendants(pid: number): number[] {
  const table = execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number) as [number, number]);
  const out: number[] = [];
  for (let frontier = [pid]; frontier.length;) {
    const next = table.filter(([, ppid]) => frontier.includes(ppid)).map(([p]) => p);
    out.push(...next);
    frontier = next;
  }
  return out;
}

/** Wait until none of `pids` runs, or `ms` have passed; returns those still running. */
export async function waitGone(pids: readonly number[], ms: number): Promise<number[]> {
  for (const t0 = Date.now(); pids.some(running) && Date.now() - t0 < ms;) await new Promise((r) => setTimeout(r, 50));
  return pids.filter(running);
}
