/**
 * The training phase: every run that the selected training claims read, computed once per suite
 * run before any claim file starts, by a pool of worker processes, into the run cache (cache.ts).
 * The specs then only read (readSweep, readClaimRuns).
 *
 * Order: the sweep's runs (every arm, grid rate and sweep seed; none where the profile fixes the
 * rates in advance), then pickRates on them, then the union of
 * the selected claims' runs (CLAIM_RUNS, deduplicated by runKey), longest first, so that the runs
 * left for the end are short ones. Runs already in the cache (a resumed suite run,
 * BN_SUITE_RUN_ID) are not trained again.
 *
 * Across machines (`npm run train -- --stage sweep|runs --shard i/n`, scripts/train.ts): each stage's
 * runs are dealt to n machines (shardOf), each trains its share into its own cache; a cache entry
 * is a file named by the run's key (the whole RunSpec and PROTOCOL_VERSION), so shards' caches
 * merge by copying files. The claim runs are picked by the whole sweep: their stage starts once
 * every shard's sweep runs are copied together; after the second copy, judging trains nothing.
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
import { describeOutcome } from './outcome';
import { describeRun, RunResult, runKey, type RunRequest } from './protocol';
import { trainingScale, type TrainingScale } from '../profile';
import { claimRequests, sweepFromRuns, sweepRequests, sweepSummary, TRAINING_CLAIM_IDS, type Rates, type Sweep } from './sweep';
import { claimsWorkers } from './workers';

export interface PhaseOptions {
  /** ids of the selected claims: those that are not training claims train nothing */
  claims: readonly string[];
  /** the suite run's cache folder */
  dir: string;
  /** worker processes (default: BN_WORKERS, else one per core as memory allows: workers.ts) */
  workers?: number;
  /** the worker's entry module (default train-worker.ts; the tests pass one with a fake compute) */
  worker?: string;
  log?: (line: string) => void;
  /** the stages to train (default both): the sweep; the claim runs, which need the whole sweep in the cache */
  stages?: readonly Stage[];
  /** train only this machine's share of each stage (`--shard i/n`: shardOf) */
  shard?: Shard;
  /** the scale (default: the active profile's) */
  scale?: TrainingScale;
}

export const STAGES = ['sweep', 'runs'] as const;
export type Stage = (typeof STAGES)[number];

/** Machine `index` of `count` (1-based, as vitest's --shard). */
export interface Shard {
  index: number;
  count: number;
}

/** "i/n" → a Shard; a bad value is an error saying what is expected. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || !(count >= 1) || !(index >= 1) || index > count || !Number.isSafeInteger(count))
    throw new Error(`--shard ${JSON.stringify(text)} is not valid: expected i/n with 1 <= i <= n, e.g. --shard 2/4`);
  return { index, count };
}

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const WORKER = fileURLToPath(new URL('./train-worker.ts', import.meta.url));

/** A run's rough cost, to train the longest first: images trained on, plus the sharpness probe's forward passes (a third of a step each). */
function cost(req: RunRequest): number {
  const sharp = req.sharpness ? (2 * (2 * req.sharpness.directions + 1) * req.sharpness.images) / 3 : 0;
  return req.spec.schedule.maxSteps * req.spec.batch + sharp;
}

/**
 * One request per run, longest first (ties keep their order). Two claims may ask for the same run,
 * one with the sharpness probe and one without: the run is trained once, with it.
 */
function planRuns(reqs: readonly RunRequest[]): RunRequest[] {
  const byKey = new Map<string, RunRequest>();
  for (const r of reqs) {
    const k = runKey(r.spec);
    if (!byKey.get(k)?.sharpness) byKey.set(k, r);
  }
  return [...byKey.values()].sort((a, b) => cost(b) - cost(a));
}

/**
 * Machine `shard.index`'s share of a stage's runs: the runs dealt longest first, each to the
 * machine with the least cost so far (ties to the lowest index), so that every machine computes
 * the same split from the same plan and the shares' costs are close. Whether a run is cached
 * plays no part: a resumed shard trains what is left of its own share.
 */
export function shardOf(reqs: readonly RunRequest[], shard: Shard): RunRequest[] {
  const load = new Array<number>(shard.count).fill(0);
  return planRuns(reqs).filter((req) => {
    const to = load.indexOf(Math.min(...load));
    load[to]! += cost(req);
    return to === shard.index - 1;
  });
}

/**
 * What the selected claims need and the cache `dir` lacks: the sweep's runs, and the claim runs
 * that the sweep selects (null while the sweep is incomplete: which they are is not known yet).
 * After shards' caches are merged both are empty: judging trains nothing.
 */
export function missingRuns(claims: readonly string[], dir: string): { sweep: RunRequest[]; runs: RunRequest[] | null } {
  const ids = TRAINING_CLAIM_IDS.filter((id) => claims.includes(id));
  if (!ids.length) return { sweep: [], runs: [] };
  const S = trainingScale();
  const { rates, sweepMissing } = ratesIn(dir, S);
  if (!rates) return { sweep: sweepMissing, runs: null };
  return { sweep: [], runs: planRuns(ids.flatMap((id) => claimRequests(id, rates, S))).filter((r) => !readCached(dir, r)) };
}

/**
 * The claims' rates as far as the cache `dir` knows them: the profile's fixed rates, or those its
 * sweep picks once every sweep run is there (null, with the sweep runs still missing, before).
 */
function ratesIn(dir: string, S: TrainingScale): { rates: Rates | null; sweepMissing: RunRequest[]; sweep?: Sweep } {
  if (S.rates) return { rates: { ...S.rates, why: {} }, sweepMissing: [] };
  const sweepReqs = sweepRequests(S);
  const sweepMissing = sweepReqs.filter((r) => !readCached(dir, r));
  if (sweepMissing.length) return { rates: null, sweepMissing };
  const sweep = sweepFromRuns(
    sweepReqs.map((r) => readCached(dir, r)!),
    S,
  );
  return { rates: sweep, sweepMissing, sweep };
}

/** Train what the selected claims read (see the header); how many runs were trained, and how many found in the cache. */
export async function trainingPhase(o: PhaseOptions): Promise<{ trained: number; cached: number }> {
  const ids = TRAINING_CLAIM_IDS.filter((id) => o.claims.includes(id));
  if (!ids.length) return { trained: 0, cached: 0 };
  const log = o.log ?? ((l: string) => console.log(l));
  const S = o.scale ?? trainingScale();
  const { workers: size, why } = o.workers !== undefined ? { workers: o.workers, why: 'as asked' } : claimsWorkers();
  const stages = o.stages ?? STAGES;
  const share = (reqs: readonly RunRequest[]) => (o.shard ? shardOf(reqs, o.shard) : reqs);
  fs.mkdirSync(o.dir, { recursive: true });
  const which = [
    ...(stages.length < STAGES.length ? [`stage ${stages.join(', ')}`] : []),
    ...(o.shard ? [`shard ${o.shard.index}/${o.shard.count} of each stage`] : []),
  ];
  log(
    `[train] training phase for ${ids.join(', ')}${which.length ? ` (${which.join('; ')})` : ''}: ${size} worker process(es) (${why}), runs cached in ${o.dir}`,
  );
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
          const { result: r, peakRssMiB } = await w.run(job.req);
          writeRun(o.dir, r);
          count.trained++;
          const rss = peakRssMiB === undefined ? '' : ` (worker peak RSS ${peakRssMiB} MiB)`;
          log(`[train] ${job.label}: ${minutes(performance.now() - t)}, ${r.steps} steps, ${describeOutcome(r)}${rss}`);
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
    if (S.rates) log(`[train] rates fixed in advance: low ${S.rates.low}, high ${S.rates.high}, final-layer BN ${S.rates.bestFinal}`);
    else if (stages.includes('sweep')) await stage('sweep', share(sweepRequests(S)));
    if (stages.includes('runs')) {
      const { rates, sweepMissing, sweep } = ratesIn(o.dir, S);
      if (!rates)
        throw new Error(
          `the claim runs are selected by the whole sweep, and ${sweepMissing.length} of its ${sweepRequests(S).length} runs are not in ${o.dir}: train the sweep first (on every shard, then copy their runs into this folder)`,
        );
      if (sweep) log(`[train] sweep: ${sweepSummary(sweep)}`);
      await stage('runs', planRuns(share(ids.flatMap((id) => claimRequests(id, rates, S)))));
    }
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

/** What a worker sends: ready (its listener is up: a message sent before would be lost), a run's result, or the error its run threw. */
type WorkerMessage = { ready: true } | { result: unknown; peakRssMiB?: number } | { error: string };
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
    /** the run's result, and the worker's peak resident memory so far (MiB) */
    async run(req: RunRequest): Promise<{ result: RunResult; peakRssMiB?: number }> {
      if (!(await ready) || gone) throw new Error(`${who} ${gone} before it`);
      const answer = next();
      child.send({ run: req });
      const m = await answer;
      if (!m) throw new Error(`${who} ${gone} while training it (its output is above)`);
      if ('error' in m) throw new Error(`${who} threw: ${m.error}`);
      const r = RunResult.safeParse('result' in m ? m.result : undefined);
      if (!r.success || r.data.key !== runKey(req.spec)) throw new Error(`${who} sent back something else than its result`);
      return { result: r.data, ...('peakRssMiB' in m && typeof m.peakRssMiB === 'number' ? { peakRssMiB: m.peakRssMiB } : {}) };
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
        const result = await compute(m.run);
        send({ result, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) });
      } catch (e) {
        send({ error: (e as Error).stack ?? String(e) }, () => process.exit(1));
      }
    });
  });
  send({ ready: true });
}
