/**
 * A claims run whose vitest process is SIGKILLed (a CI timeout, the OOM killer) leaves no process
 * behind: neither the training phase's workers in the middle of their runs, nor the vitest
 * workers in the middle of a claim. Both kinds are stuck in loops that keep their event loops
 * from turning (the fake training worker's FAKE_TRAIN_BUSY, a claim that spins), as real runs
 * and probes on wasm are; only vitest's main process is killed, not its process group.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { descendants, waitGone } from '../runs/testing/processes';
import { FAKE_TRAIN_WORKER, REPO_ROOT, runVitest, trainingSpec, writeFakeClaimsProject } from '../vitest/testing/fake-claims-project';

const lines = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : []);

describe('a claims run whose vitest is SIGKILLed', () => {
  it('leaves no training worker and no claim worker running', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bn-killed-parent-'));
    const spinning = path.join(dir, 'spinning.pid');
    writeFakeClaimsProject(dir, {
      'high-lr-benefit.spec.ts': trainingSpec('high-lr-benefit'),
      'fake-spins.spec.ts': `import fs from 'node:fs';
import { claim } from ${JSON.stringify(path.join(REPO_ROOT, 'src', 'vitest', 'harness.ts'))};
claim({ id: 'fake-spins', title: 'a fake claim that computes for a minute', paper: 'Fig. 0' }, async () => {
  fs.appendFileSync(${JSON.stringify(spinning)}, process.pid + '\\n');
  for (const end = Date.now() + 60_000; Date.now() < end; );
});
`,
    });
    const started = path.join(dir, 'started.log');
    /** vitest on one spec; kill its main process once `ready()` lists the processes that must then stop. */
    const scenario = async (spec: string, env: Record<string, string>, ready: () => number[]) => {
      let child: ChildProcess | undefined;
      const run = runVitest(dir, ['run', '--project', 'claims', spec], env, { onSpawn: (c) => (child = c), timeoutMs: 120_000 });
      for (const t0 = Date.now(); ready().length === 0; await new Promise((r) => setTimeout(r, 50)))
        if (Date.now() - t0 > 90_000) throw new Error(`${spec}: nothing started within 90 s:\n${(await run).output}`);
      const below = descendants(child!.pid!);
      expect(below).toEqual(expect.arrayContaining(ready()));
      const killedAt = Date.now();
      process.kill(child!.pid!, 'SIGKILL'); // the main process only, as `kill -9 <vitest pid>`
      expect((await run).code).toBeNull();
      const alive = await waitGone(below, 10_000);
      for (const pid of alive) process.kill(pid, 'SIGKILL'); // not left behind when the test fails
      return { alive, ms: Date.now() - killedAt, below };
    };
    const [training, claims] = await Promise.all([
      scenario(
        'claims/high-lr-benefit.spec.ts',
        {
          BN_REPORTS_DIR: 'training',
          BN_TRAIN_WORKER: FAKE_TRAIN_WORKER,
          FAKE_TRAIN_MS: '60000',
          FAKE_TRAIN_BUSY: '1',
          FAKE_TRAIN_LOG: started,
        },
        () => (lines(started).length >= 2 ? lines(started).map((l) => Number(l.split(' ')[0])) : []),
      ),
      scenario('claims/fake-spins.spec.ts', { BN_REPORTS_DIR: 'claims' }, () => lines(spinning).map(Number)),
    ]);
    for (const [what, r] of Object.entries({ training, claims })) {
      expect(r.alive, `${what}: still running ${r.ms} ms after vitest was killed`).toEqual([]);
      expect(r.ms, what).toBeLessThan(5_000);
      console.log(`[killed-parent] ${what}: ${r.below.length} process(es) below vitest, all gone ${r.ms} ms after SIGKILL`);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }, 240_000);
});
