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
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readCached, writeFailure, writeRun } from './cache';
import { describeRun, RunResult, runKey, type RunRequest } from './protocol';
import { trainingScale } from './scale';
import { claimRequests, sweepFromRuns, sweepRequests, sweepSummary, TRAINING_CLAIM_IDS, type Rates } from './sweep';

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

export interface PhaseResult {
  trained: number;
  cached: number;
  /** the rates the sweep picked (undefined when no training claim was selected) */
  rates?: Rates;
}

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const WORKER = fileURLToPath(new URL('./train-worker.ts', import.meta.url));

/** A run's rough cost, to train the longest first: images trained on, plus the sharpness probe's forward passes (a third of a step each). */
function cost(req: RunRequest): number {
  const sharp = req.sharpness ? (2 * (2 * req.sharpness.directions + 1) * req.sharpness.images) / 3 : 0;
  return req.spec.epochs * req.spec.trainImages + sharp;
}

/** One request per run key (the one that asks for sharpness, where two differ), longest first; ties keep their order. */
export function planRuns(reqs: readonly RunRequest[]): RunRequest[] {
  const byKey = new Map<string, RunRequest>();
  for (const r of reqs) {
    const k = runKey(r.spec);
    if (!byKey.has(k) || (r.sharpness && !byKey.get(k)!.sharpness)) byKey.set(k, r);
  }
  return [...byKey.values()].sort((a, b) => cost(b) - cost(a));
}

export async function trainingPhase(o: PhaseOptions): Promise<PhaseResult> {
  const ids = TRAINING_CLAIM_IDS.filter((id) => o.claims.includes(id));
  if (!ids.length) return { trained: 0, cached: 0 };
  const log = o.log ?? ((l: string) => console.log(l));
  const S = trainingScale();
  fs.mkdirSync(o.dir, { recursive: true });
  log(`[train] training phase for ${ids.join(', ')}: ${o.workers ?? 2} worker process(es), runs cached in ${o.dir}`);
  const t0 = performance.now();
  const pool = new Pool(o.workers ?? 2, o.worker ?? WORKER, log);
  try {
    const sweepReqs = sweepRequests(S);
    const a = await pool.compute('sweep', sweepReqs, o.dir);
    const sweep = sweepFromRuns(
      sweepReqs.map((r) => readCached(o.dir, r)!),
      S,
    );
    log(`[train] sweep: ${sweepSummary(sweep)}`);
    const b = await pool.compute('runs', planRuns(ids.flatMap((id) => claimRequests(id, sweep, S))), o.dir);
    const trained = a.trained + b.trained;
    log(`[train] training phase done: ${trained} run(s) trained, ${a.cached + b.cached} cached, ${minutes(performance.now() - t0)}`);
    return { trained, cached: a.cached + b.cached, rates: sweep };
  } catch (e) {
    writeFailure(o.dir, (e as Error).message);
    throw e;
  } finally {
    await pool.close();
  }
}

const minutes = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;

function outcome(r: RunResult): string {
  if (r.diverged) return `diverged at step ${r.diverged.step}`;
  if (r.collapsed) return 'collapsed';
  return `test ${r.final.testAcc?.toFixed(3) ?? 'n/a'}`;
}

/** Worker processes, started when first needed and reused across the phase's stages. */
class Pool {
  private readonly workers: TrainWorker[] = [];
  constructor(
    private readonly size: number,
    private readonly entry: string,
    private readonly log: (line: string) => void,
  ) {}

  /** Compute the runs of `reqs` that are not cached in `dir`, writing each to the cache as it comes. */
  async compute(stage: string, reqs: readonly RunRequest[], dir: string): Promise<{ trained: number; cached: number }> {
    const todo = reqs.filter((r) => !readCached(dir, r));
    const cached = reqs.length - todo.length;
    if (cached) this.log(`[train] ${stage}: ${cached} of ${reqs.length} run(s) already cached`);
    const queue = todo.map((req, i) => ({
      req,
      label: `${stage} ${i + 1}/${todo.length} ${describeRun(req.spec)}${req.sharpness ? ' (+ sharpness)' : ''}`,
    }));
    let failure: Error | undefined;
    const serve = async (w: TrainWorker) => {
      for (let job = queue.shift(); job && !failure; job = queue.shift()) {
        this.log(`[train] ${job.label}: started (worker ${w.pid})`);
        const t = performance.now();
        try {
          const r = await w.compute(job.req);
          writeRun(dir, r);
          this.log(`[train] ${job.label}: ${minutes(performance.now() - t)}, ${outcome(r)}`);
        } catch (e) {
          failure ??= new Error(`training run ${job.label} [${runKey(job.req.spec)}] failed: ${(e as Error).message}`);
          this.log(`[train] ${job.label}: FAILED (${(e as Error).message.split('\n')[0]}); no further run is started`);
        }
      }
    };
    const n = Math.min(this.size, todo.length);
    while (this.workers.length < n) this.workers.push(new TrainWorker(this.entry, this.log));
    await Promise.all(this.workers.slice(0, n).map(serve));
    if (failure) throw failure;
    return { trained: todo.length, cached };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}

/** Messages from a worker: ready for runs (its listener is up: a message sent before would be lost), a run's result, or the error its run threw. */
type WorkerMessage = { ready: true } | { result: unknown } | { error: string };

/** One worker process: computes one run at a time; its output is passed on line by line. */
class TrainWorker {
  private readonly child: ChildProcess;
  private pending: { req: RunRequest; resolve: (r: RunResult) => void; reject: (e: Error) => void } | undefined;
  private exitReason: string | undefined;
  private readonly exited: Promise<void>;
  private readonly ready: Promise<void>;
  private onReady!: () => void;

  constructor(entry: string, log: (line: string) => void) {
    this.child = fork(entry, [], { execArgv: ['--import', TSX], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      let partial = '';
      stream.on('data', (d: Buffer) => {
        const lines = (partial + String(d)).split('\n');
        partial = lines.pop()!;
        for (const l of lines) log(l);
      });
      stream.on('end', () => partial && log(partial));
    }
    this.ready = new Promise((resolve) => (this.onReady = resolve));
    this.child.on('message', (m: WorkerMessage) => {
      if ('ready' in m) return this.onReady();
      const p = this.pending;
      this.pending = undefined;
      if (!p) return;
      if ('error' in m) return p.reject(new Error(`its worker (pid ${this.pid}) threw: ${m.error}`));
      const r = RunResult.safeParse(m.result);
      if (!r.success || r.data.key !== runKey(p.req.spec))
        p.reject(new Error(`its worker (pid ${this.pid}) sent back something else than its result`));
      else p.resolve(r.data);
    });
    this.exited = new Promise((resolve) => {
      const done = (why: string) => {
        this.exitReason ??= why;
        this.pending?.reject(new Error(`its worker (pid ${this.pid}) ${why} while training it (its output is above)`));
        this.pending = undefined;
        resolve();
      };
      this.child.on('exit', (code, signal) => done(signal ? `was killed by ${signal}` : `exited with code ${code}`));
      this.child.on('error', (e) => done(`could not run: ${e.message}`));
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  async compute(req: RunRequest): Promise<RunResult> {
    await Promise.race([this.ready, this.exited]);
    return new Promise((resolve, reject) => {
      if (this.exitReason) return reject(new Error(`its worker (pid ${this.pid}) ${this.exitReason} before it`));
      this.pending = { req, resolve, reject };
      this.child.send({ run: req });
    });
  }

  async close(): Promise<void> {
    if (!this.exitReason && this.child.connected) this.child.disconnect(); // the worker exits when its channel closes
    await this.exited;
  }
}

/**
 * The worker's side (train-worker.ts, and the tests' fake): compute each run this process is sent,
 * one at a time, and send back its result. A run that throws is sent back as an error, and the
 * process exits (its backend may be in any state).
 */
export function serveRuns(compute: (req: RunRequest) => Promise<RunResult>): void {
  const send = process.send?.bind(process);
  if (!send) throw new Error('a training worker is started by the training phase (src/runs/phase.ts), with an IPC channel');
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
