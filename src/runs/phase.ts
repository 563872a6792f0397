/**
 * The training phase: every run that the selected training claims read, computed once per suite
 * run before any claim file starts, by a pool of worker processes, into the run cache (cache.ts).
 * The specs then only read (readSweep, readClaimRuns).
 *
 * Order: the sweep's runs (one per arm and grid rate), then pickRates on them, then the union of
 * the selected claims' runs (CLAIM_RUNS, deduplicated by runKey), longest first, so that the runs
 * left for the end are short ones. Runs already in the cache (a resumed suite run,
 * BN_SUITE_RUN_ID) are not trained again.
 *
 * The pool: `workers` child processes (node:child_process fork, TypeScript through tsx), each
 * handed the next run of a queue that this process holds; a worker computes it (computeRun) and
 * sends the result back, and this process writes it to the cache, atomically. A run that diverged
 * or collapsed is a result. A worker that crashes, or whose run throws, is an error naming the
 * run: no further run is handed out, the runs in progress finish (and are cached, for a resume),
 * and the phase rejects, leaving the reason in the suite run's folder for the specs' errors.
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import readline from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readCached, writeFailure, writeRun } from './cache';
import { dieWithParent } from './die-with-parent';
import { describeRun, RunResult, runKey, type RunRequest } from './protocol';
import { trainingScale } from './scale';
import { claimRequests, sweepFromRuns, sweepRequests, sweepSummary, TRAINING_CLAIM_IDS } from './sweep';

export interface PhaseOptions {
  /** ids of the selected claims: those that are not training claims train nothing */
  claims: readonly string[];
  /** the suite run's cache folder */
  dir: string;
  /** worker processes (default 2) */
  workers?: number;
  /** the worker's entry module (default train-worker.ts; the tests pass one with a fake compute) */
  worker?: string;
  log?: (line: string) => void;
}

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const WORKER = fileURLToPath(new URL('./train-worker.ts', import.meta.url));

/** A run's rough cost, to train the longest first: images trained on, plus the sharpness probe's forward passes (a third of a step each). */
function cost(req: RunRequest): number {
  const sharp = req.sharpness ? (2 * (2 * req.sharpness.directions + 1) * req.sharpness.images) / 3 : 0;
  return req.spec.epochs * req.spec.trainImages + sharp;
}

/** One request per run (two claims' requests for a run are the same: armRequests), longest first; ties keep their order. */
function planRuns(reqs: readonly RunRequest[]): RunRequest[] {
  const byKey = new Map(reqs.map((r) => [runKey(r.spec), r]));
  return [...byKey.values()].sort((a, b) => cost(b) - cost(a));
}

/** Train what the selected claims read (see the header); how many runs were trained, and how many found in the cache. */
export async function trainingPhase(o: PhaseOptions): Promise<{ trained: number; cached: number }> {
  const ids = TRAINING_CLAIM_IDS.filter((id) => o.claims.includes(id));
  if (!ids.length) return { trained: 0, cached: 0 };
  const log = o.log ?? ((l: string) => console.log(l));
  const S = trainingScale();
  const size = o.workers ?? 2;
  fs.mkdirSync(o.dir, { recursive: true });
  log(`[train] training phase for ${ids.join(', ')}: ${size} worker process(es), runs cached in ${o.dir}`);
  const t0 = performance.now();
  const workers: Worker[] = []; // started when first needed, kept for the next stage
  const count = { trained: 0, cached: 0 };

  /** Compute the runs of `reqs` that are not cached, each written to the cache as it comes. */
  async function stage(name: string, reqs: readonly RunRequest[]): Promise<void> {
    const todo = reqs.filter((r) => !readCached(o.dir, r));
    count.cached += reqs.length - todo.length;
    if (todo.length < reqs.length) log(`[train] ${name}: ${reqs.length - todo.length} of ${reqs.length} run(s) already cached`);
    const queue = todo.map((req, i) => ({
      req,
      label: `${name} ${i + 1}/${todo.length} ${describeRun(req.spec)}${req.sharpness ? ' (+ sharpness)' : ''}`,
    }));
    let failure: Error | undefined;
    const serve = async (w: Worker) => {
      for (let job = queue.shift(); job && !failure; job = queue.shift()) {
        log(`[train] ${job.label}: started (worker ${w.pid})`);
        const t = performance.now();
        try {
          const r = await w.run(job.req);
          writeRun(o.dir, r);
          count.trained++;
          log(`[train] ${job.label}: ${minutes(performance.now() - t)}, ${outcome(r)}`);
        } catch (e) {
          failure ??= new Error(`training run ${job.label} [${runKey(job.req.spec)}] failed: ${(e as Error).message}`);
          log(`[train] ${job.label}: FAILED (${(e as Error).message.split('\n')[0]}); no further run is started`);
        }
      }
    };
    while (workers.length < Math.min(size, todo.length)) workers.push(startWorker(o.worker ?? WORKER, log));
    await Promise.all(workers.slice(0, todo.length).map(serve));
    if (failure) throw failure;
  }

  try {
    const sweepReqs = sweepRequests(S);
    await stage('sweep', sweepReqs);
    const sweep = sweepFromRuns(sweepReqs.map((r) => readCached(o.dir, r)!));
    log(`[train] sweep: ${sweepSummary(sweep)}`);
    await stage('runs', planRuns(ids.flatMap((id) => claimRequests(id, sweep, S))));
    log(`[train] training phase done: ${count.trained} run(s) trained, ${count.cached} cached, ${minutes(performance.now() - t0)}`);
    return count;
  } catch (e) {
    writeFailure(o.dir, (e as Error).message);
    throw e;
  } finally {
    await Promise.all(workers.map((w) => w.close()));
  }
}

const minutes = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;

function outcome(r: RunResult): string {
  if (r.diverged) return `diverged at step ${r.diverged.step}`;
  return r.collapsed ? 'collapsed' : `test ${r.final.testAcc?.toFixed(3) ?? 'n/a'}`;
}

/** What a worker sends: ready (its listener is up: a message sent before would be lost), a run's result, or the error its run threw. */
type WorkerMessage = { ready: true } | { result: unknown } | { error: string };
type Worker = ReturnType<typeof startWorker>;

/** One worker process, computing one run at a time; its output is passed on line by line. */
export function startWorker(entry: string, log: (line: string) => void) {
  const child = fork(entry, [], { execArgv: ['--import', TSX], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  for (const out of [child.stdout!, child.stderr!]) readline.createInterface({ input: out }).on('line', log);
  let gone: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => resolve(void (gone ??= signal ? `was killed by ${signal}` : `exited with code ${code}`)));
    child.on('error', (e) => resolve(void (gone ??= `could not run: ${e.message}`)));
  });
  const next = () =>
    new Promise<WorkerMessage | undefined>((resolve) => (child.once('message', resolve), exited.then(() => resolve(undefined))));
  const ready = next();
  const who = `its worker (pid ${child.pid})`;
  return {
    pid: child.pid,
    async run(req: RunRequest): Promise<RunResult> {
      if (!(await ready) || gone) throw new Error(`${who} ${gone} before it`);
      const answer = next();
      child.send({ run: req });
      const m = await answer;
      if (!m) throw new Error(`${who} ${gone} while training it (its output is above)`);
      if ('error' in m) throw new Error(`${who} threw: ${m.error}`);
      const r = RunResult.safeParse('result' in m ? m.result : undefined);
      if (!r.success || r.data.key !== runKey(req.spec)) throw new Error(`${who} sent back something else than its result`);
      return r.data;
    },
    async close(): Promise<void> {
      if (!gone && child.connected) child.disconnect(); // the worker exits when its channel closes
      await exited;
    },
  };
}

/**
 * The worker's side (train-worker.ts, and the tests' fake): compute each run this process is sent,
 * one at a time, and send back its result. A run that throws is sent back as an error, and the
 * process exits (its backend may be in any state). It exits when its channel closes (the phase is
 * done with it), and dies with its parent even in the middle of a run (die-with-parent.ts).
 */
export function serveRuns(compute: (req: RunRequest) => Promise<RunResult>): void {
  const send = process.send?.bind(process);
  if (!send) throw new Error('a training worker is started by the training phase (src/runs/phase.ts), with an IPC channel');
  if (!process.connected) process.exit(0); // the parent died before this process got here
  dieWithParent();
  process.on('disconnect', () => process.exit(0));
  let last = Promise.resolve();
  process.on('message', (m: { run: RunRequest }) => {
    last = last.then(async () => {
      try {
        send({ result: await compute(m.run) });
      } catch (e) {
        send({ error: (e as Error).stack ?? String(e) }, () => process.exit(1));
      }
    });
  });
  send({ ready: true });
}
