/**
 * A training-phase worker with fakeRun for computeRun (phase.test.ts, and the fake claims project
 * through BN_TRAIN_WORKER). Each run takes FAKE_TRAIN_MS (default 20) and appends
 * "<pid> <key>" to the file FAKE_TRAIN_LOG, when set. The run whose description ends with
 * FAKE_TRAIN_CRASH (e.g. "bn=none lr=0.1 seed=1") kills the process (exit code 3). With
 * FAKE_TRAIN_BUSY=1 a run keeps the event loop from turning, as a real run on wasm does (its
 * awaits resolve at once): a busy loop instead of a timer.
 */
import fs from 'node:fs';
import { serveRuns } from '../phase';
import { describeRun, runKey } from '../protocol';
import { fakeRun } from './fake-runs';

serveRuns(async (req) => {
  if (process.env.FAKE_TRAIN_LOG) fs.appendFileSync(process.env.FAKE_TRAIN_LOG, `${process.pid} ${runKey(req.spec)}\n`);
  const ms = Number(process.env.FAKE_TRAIN_MS ?? 20);
  if (process.env.FAKE_TRAIN_BUSY === '1') for (const end = performance.now() + ms; performance.now() < end;) await Promise.resolve();
  else await new Promise((r) => setTimeout(r, ms));
  if (process.env.FAKE_TRAIN_CRASH && describeRun(req.spec).endsWith(process.env.FAKE_TRAIN_CRASH)) {
    process.stderr.write('fake worker: crashing on purpose\n');
    process.exit(3);
  }
  return fakeRun(req);
});
