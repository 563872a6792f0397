/**
 * Workers die with their parent: the process running the training phase is killed with SIGKILL
 * (as a CI timeout or the OOM killer does) while its two workers are in the middle of runs that
 * keep their event loops from turning (FAKE_TRAIN_BUSY, as a real run on wasm does); both must
 * be gone within seconds, not when their runs end (a minute here). The same through vitest:
 * src/reliability/killed-parent.test.ts.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { childEnv } from '../config';
import { PARENT_CHECK_MS } from './die-with-parent';
import { running, waitGone } from './testing/processes';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('training workers', () => {
  it('stop within seconds when the training phase is SIGKILLed mid-run', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bn-orphans-'));
    const started = path.join(dir, 'started.log'); // "<pid> <key>" as each worker starts a run
    const parent = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'testing', 'phase-parent.ts'), dir, 'high-lr-benefit'], {
      cwd: path.join(here, '..', '..'),
      env: childEnv({ FAKE_TRAIN_MS: '60000', FAKE_TRAIN_BUSY: '1', FAKE_TRAIN_LOG: started }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    parent.stdout.on('data', (d) => (output += String(d)));
    parent.stderr.on('data', (d) => (output += String(d)));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => parent.on('exit', (_code, signal) => resolve(signal)));
    const workers = () =>
      (fs.existsSync(started) ? fs.readFileSync(started, 'utf8').trim().split('\n') : []).map((l) => Number(l.split(' ')[0]));
    // both workers inside their first run, whose busy loop keeps 'disconnect' from being delivered
    for (const t0 = Date.now(); workers().length < 2; await new Promise((r) => setTimeout(r, 50)))
      if (Date.now() - t0 > 60_000) throw new Error(`no two workers started a run within 60 s:\n${output}`);
    const pids = workers();
    expect(pids.every(running), output).toBe(true);

    const killedAt = Date.now();
    parent.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const alive = await waitGone(pids, 10_000);
    const ms = Date.now() - killedAt;
    for (const pid of alive) process.kill(pid, 'SIGKILL'); // not left behind when the test fails
    expect(alive, `workers still running ${ms} ms after their parent was killed`).toEqual([]);
    console.log(`[orphans] both workers gone ${ms} ms after SIGKILL to their parent (checks every ${PARENT_CHECK_MS} ms)`);
    expect(ms).toBeLessThan(5_000);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 90_000);
});
