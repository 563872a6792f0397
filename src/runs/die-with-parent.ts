/**
 * A child process that must not outlive its parent (a training worker, a vitest worker running
 * claim files: src/vitest/claims-worker-setup.ts): when the parent is
 * killed outright (SIGKILL from a CI timeout or the OOM killer), nothing tells the child but the
 * loss of its IPC channel, and a worker in the middle of a run does not see that: a run awaits
 * only promises that resolve at once on the wasm backend, so the event loop that would deliver
 * 'disconnect' does not turn until the run ends, minutes later. Orphans trained on for minutes.
 *
 * So the watch runs on a thread of its own (worker_threads: its own event loop), which checks the
 * process's parent id every 250 ms; a killed parent's children are re-parented (to init or a
 * subreaper, on Linux and macOS alike), so a changed id means the parent is gone, and the thread
 * kills its whole process with SIGKILL, which needs nothing from the busy main thread. These
 * workers write nothing to disk (their parent writes the run cache and the reports), so nothing is
 * left half-written.
 */
import { Worker } from 'node:worker_threads';

/** How often the watch looks at the parent id. */
export const PARENT_CHECK_MS = 250;

// Plain JavaScript, evaluated in the thread: it must not need tsx's loader.
const WATCH = `
const { workerData } = require('node:worker_threads');
setInterval(() => {
  if (process.ppid !== workerData.parent) {
    try {
      // to whoever reads its stderr besides the dead parent, if anyone; a pipe to the parent is broken (EPIPE)
      require('node:fs').writeSync(2, '[train] worker ' + process.pid + ': its parent (pid ' + workerData.parent + ') is gone; stopping\\n');
    } catch {}
    process.kill(process.pid, 'SIGKILL');
  }
}, workerData.every);
`;

// on globalThis: vitest evaluates a setup file's modules afresh for every test file of a worker
const WATCHING = Symbol.for('bn.die-with-parent');

/** Kill this process within about PARENT_CHECK_MS of its parent's death (once per process; the thread keeps nothing alive). */
export function dieWithParent(): void {
  const g = globalThis as { [WATCHING]?: boolean };
  if (g[WATCHING]) return;
  g[WATCHING] = true;
  const thread = new Worker(WATCH, { eval: true, workerData: { parent: process.ppid, every: PARENT_CHECK_MS } });
  thread.unref();
}
