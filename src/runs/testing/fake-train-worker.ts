/**
 * A training-phase worker with fakeRun for computeRun (phase.test.ts, and the fake claims project
 * through BN_TRAIN_WORKER). Each run takes FAKE_TRAIN_MS (default 20) and appends
 * "<pid> <key>" to the file FAKE_TRAIN_LOG, when set. The run whose description ends with
 * FAKE_TRAIN_CRASH (e.g. "bn=none lr=0.1 seed=1") kills the process (exit code 3). With
 * FAKE_TRAIN_BUSY=1 a run keeps the event loop from turning, as a real run on wasm does (its
 * awaits resolve at once): a busy loop instead of a timer.
 */
import fs from 'node:fs';
import { fakeTrainSettings } from '../../config';
import { serveRuns } from '../phase';
import { describeRun, runKey } from '../protocol';
import { fakeRun } from './fake-runs';

const fake = fakeTrainSettings();

serveRuns(async (req) => {
  if (fake.log) fs.appendFileSync(fake.log, `${process.pid} ${runKey(req.spec)}\n`);
  const ms = fake.ms;
  if (fake.busy) for (const end = performance.now() + ms; performance.now() < end;) await Promise.resolve();
  else await new Promise((r) => setTimeout(r, ms));
  if (fake.crash && describeRun(req.spec).endsWith(fake.crash)) {
    process.stderr.write('fake worker: crashing on purpose\n');
    process.exit(3);
  }
  return fakeRun(req);
});
