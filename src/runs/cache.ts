/**
 * The suite run and the cache of training runs on disk: reports/.runs/<suite-run>/<key>.json, one
 * lock per key, workers taking runs cooperatively (see obtainRuns). The suite-run id is handed in
 * by the vitest glue (setSuiteRunId, src/vitest/worker-setup.ts), or BN_SUITE_RUN_ID.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { reportsDir } from '../config';
import { pidAlive, withFileLock, writeFileAtomic } from '../report/atomic';
import { computeRun, describeRun, RunResult, runKey, type RunRequest } from './protocol';

// ---------------------------------------------------------------------------------------------
// The suite run and the cache

const OWNER_FILE = 'owner.json';

export function runsRoot(reports = reportsDir()): string {
  return path.join(reports, '.runs');
}

/**
 * Called once per `vitest` invocation (the claims' globalSetup): a fresh suite-run id and its
 * folder, and the folders of earlier suite runs removed, except those whose owner (the vitest
 * process that made them) is still alive on this host: a concurrent suite keeps its runs.
 * `resume` (BN_SUITE_RUN_ID): take over that earlier suite run's folder instead, with the runs it
 * finished, so that an interrupted `BN_PROFILE=full` run goes on where it stopped and a changed
 * statistic can be re-judged on the same training runs. A run's cache key is its whole RunSpec
 * (runKey), so a changed protocol never reuses a run trained under the old one.
 */
export function startSuiteRun(reports = reportsDir(), resume = process.env.BN_SUITE_RUN_ID?.trim() || undefined): string {
  const root = runsRoot(reports);
  if (resume !== undefined) {
    if (!/^[\w.-]+$/.test(resume)) throw new Error(`BN_SUITE_RUN_ID ${JSON.stringify(resume)} is not a plain folder name`);
    if (!fs.existsSync(path.join(root, resume)))
      throw new Error(
        `BN_SUITE_RUN_ID=${resume}: no such suite run under ${root} (those there: ${fs.existsSync(root) ? fs.readdirSync(root).join(', ') || 'none' : 'none'})`,
      );
  }
  fs.mkdirSync(root, { recursive: true });
  for (const name of fs.readdirSync(root)) {
    if (name === resume) continue;
    const dir = path.join(root, name);
    let owner: { pid?: number; host?: string } | undefined;
    try {
      owner = JSON.parse(fs.readFileSync(path.join(dir, OWNER_FILE), 'utf8')) as { pid?: number; host?: string };
    } catch {
      owner = undefined;
    }
    const alive = owner?.host === os.hostname() && typeof owner.pid === 'number' && pidAlive(owner.pid);
    if (!alive) fs.rmSync(dir, { recursive: true, force: true });
  }
  const id =
    resume ??
    `${new Date().toISOString().replace(/[-:.]/g, '').replace('T', '-').slice(0, 15)}-${process.pid}-${randomBytes(3).toString('hex')}`;
  writeFileAtomic(
    path.join(root, id, OWNER_FILE),
    JSON.stringify({ pid: process.pid, host: os.hostname(), started: new Date().toISOString() }),
  );
  return id;
}

let handedId: string | undefined;
let localId: string | undefined;
/**
 * The suite run this process works in, handed in by the vitest glue (src/vitest/worker-setup.ts:
 * the claims' globalSetup started it). Library code never asks vitest itself.
 */
export function setSuiteRunId(id: string | undefined): void {
  handedId = id;
}
/** This process's suite run: the one handed in (inside vitest), BN_SUITE_RUN_ID, or one of its own. */
export function suiteRunId(): string {
  let id = handedId ?? (process.env.BN_SUITE_RUN_ID?.trim() || undefined);
  if (!id) {
    localId ??= `local-${process.pid}-${randomBytes(3).toString('hex')}`;
    id = localId;
  }
  if (!/^[\w.-]+$/.test(id)) throw new Error(`suite run id ${JSON.stringify(id)} is not a plain folder name`);
  return id;
}

export function runsDir(): string {
  return path.join(runsRoot(), suiteRunId());
}

export interface ObtainOptions {
  /** cache folder (default runsDir()) */
  dir?: string;
  /** what computes a run (default computeRun; tests pass a fake) */
  compute?: (req: RunRequest) => Promise<RunResult>;
  /** runs to compute while the ones asked for are being computed by another worker */
  whileWaiting?: RunRequest[];
  /** how often to look again while waiting (ms, default 500) */
  pollMs?: number;
  log?: (line: string) => void;
}

function satisfies(r: RunResult, req: RunRequest): boolean {
  if (!req.sharpness || r.diverged || r.final.testAcc === null) return true;
  const s = r.sharpness;
  const q = req.sharpness;
  return (
    !!s &&
    s.images === q.images &&
    s.batch === q.batch &&
    s.directions === q.directions &&
    s.epsilon === q.epsilon &&
    s.matchedLoss === q.matchedLoss
  );
}

function readCached(file: string, req: RunRequest): RunResult | undefined {
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const parsed = RunResult.safeParse(JSON.parse(raw));
  if (!parsed.success || parsed.data.key !== runKey(req.spec)) return undefined;
  return satisfies(parsed.data, req) ? parsed.data : undefined;
}

const LOCK = { staleMs: Infinity }; // a run takes minutes to hours: only a dead holder makes a lock stale

/**
 * Take the run's lock and return the run, computing it when no one has: `wait` false gives up at
 * once (undefined) when another process holds the lock.
 */
async function takeRun(
  req: RunRequest,
  dir: string,
  compute: (r: RunRequest) => Promise<RunResult>,
  wait: boolean,
  log: (l: string) => void,
): Promise<RunResult | undefined> {
  const key = runKey(req.spec);
  const file = path.join(dir, `${key}.json`);
  const cached = readCached(file, req);
  if (cached) return cached;
  let acquired = false;
  try {
    return await withFileLock(
      `${file}.lock`,
      async () => {
        acquired = true;
        const again = readCached(file, req);
        if (again) return again;
        log(`training ${describeRun(req.spec)}${req.sharpness ? ' (+ sharpness)' : ''} [${key}]`);
        const r = await compute(req);
        writeFileAtomic(file, JSON.stringify(r));
        return r;
      },
      { ...LOCK, timeoutMs: wait ? Infinity : 0 },
    );
  } catch (e) {
    if (!acquired && !wait && /could not lock/.test((e as Error).message)) return undefined;
    throw e;
  }
}

/**
 * The results of `reqs`, in order. Cached runs are read; runs no one is computing are computed
 * here, in order; runs another worker is computing are left for later, and while they are, the
 * runs of `whileWaiting` that no one has started are computed (so neither worker idles while
 * there is training to do). Then the remaining ones are waited for.
 */
export async function obtainRuns(reqs: RunRequest[], opts: ObtainOptions = {}): Promise<RunResult[]> {
  const dir = opts.dir ?? runsDir();
  const compute = opts.compute ?? computeRun;
  const log = opts.log ?? ((l: string) => console.log(`[runs] ${l}`));
  const poll = opts.pollMs ?? 500;
  fs.mkdirSync(dir, { recursive: true });
  const out: (RunResult | undefined)[] = reqs.map(() => undefined);
  let todo = reqs.map((_, i) => i);
  const extra = [...(opts.whileWaiting ?? [])];
  let announced = false;
  while (todo.length) {
    const left: number[] = [];
    for (const i of todo) {
      const r = await takeRun(reqs[i]!, dir, compute, false, log);
      if (r) out[i] = r;
      else left.push(i);
    }
    todo = left;
    if (!todo.length) break;
    // Everything still missing is being trained elsewhere: help with other runs meanwhile.
    let helped = false;
    while (extra.length && !helped) helped = (await takeRun(extra.shift()!, dir, compute, false, log)) !== undefined;
    if (helped) continue;
    if (!announced) {
      log(
        `waiting for another worker: ${todo.length} run(s) were being trained elsewhere (${todo.map((i) => describeRun(reqs[i]!.spec)).join('; ')})`,
      );
      announced = true;
    }
    await new Promise((r) => setTimeout(r, poll));
  }
  return out as RunResult[];
}
