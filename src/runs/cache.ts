/**
 * The suite run and the cache of training runs on disk: reports/.runs/<suite-run>/<key>.json.
 * The training phase (phase.ts, in vitest's main process) is its one writer; the training specs
 * only read it (readRuns). The suite run's id reaches the spec workers as BN_SUITE_RUN_ID, which
 * the phase sets in the main process before vitest forks them.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { reportsDir, suiteRunId } from '../config';
import { pidAlive, writeFileAtomic } from '../report/atomic';
import { describeRun, RunResult, runKey, type RunRequest } from './protocol';
import { sameUnderSchedule } from './replay';

const OWNER_FILE = 'owner.json';
/** What the phase leaves when it stopped on a failed run: the specs' "missing run" errors quote it. */
const FAILED_FILE = 'failed.txt';

export function runsRoot(reports = reportsDir()): string {
  return path.join(reports, '.runs');
}

/**
 * Called once per `vitest` invocation that trains (the training phase): a fresh suite-run id and
 * its folder, and the folders of earlier suite runs removed, except those whose owner (the vitest
 * process that made them) is still alive on this host: a concurrent suite keeps its runs.
 * `resume` (BN_SUITE_RUN_ID): take over that earlier suite run's folder instead, with the runs it
 * finished, so that an interrupted `BN_PROFILE=full` run goes on where it stopped and a changed
 * statistic can be re-judged on the same training runs. A run's cache key is its whole RunSpec
 * (runKey), so a changed protocol never reuses a run trained under the old one.
 */
export function startSuiteRun(reports = reportsDir(), resume = suiteRunId()): string {
  const root = runsRoot(reports);
  if (resume !== undefined) {
    checkSuiteRunId(resume, 'BN_SUITE_RUN_ID');
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
  takeOver(path.join(root, id));
  return id;
}

function checkSuiteRunId(id: string, what: string): void {
  if (!/^[\w.-]+$/.test(id)) throw new Error(`${what} ${JSON.stringify(id)} is not a plain folder name`);
}

/** Make this process the owner of a suite run's folder: a resumed run's failure note and its killed writer's temp files go, its runs stay. */
function takeOver(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const n of fs.readdirSync(dir)) if (n === FAILED_FILE || n.endsWith('.tmp')) fs.rmSync(path.join(dir, n));
  writeFileAtomic(path.join(dir, OWNER_FILE), JSON.stringify({ pid: process.pid, host: os.hostname(), started: new Date().toISOString() }));
}

/**
 * A suite run by name for `npm run train` (scripts/train.ts): created when missing, resumed when
 * there (what it holds may be other machines' runs, copied in); other suite runs are left alone.
 * Returns its folder.
 */
export function openSuiteRun(reports: string, id: string): string {
  checkSuiteRunId(id, '--suite-run');
  const dir = path.join(runsRoot(reports), id);
  takeOver(dir);
  return dir;
}

/** The cache folder of this process's suite run (BN_SUITE_RUN_ID, which the training phase sets). */
function runsDir(): string {
  const id = suiteRunId();
  if (!id) throw new Error('no suite run: BN_SUITE_RUN_ID is not set (the training phase sets it: run the claims through vitest)');
  if (!/^[\w.-]+$/.test(id)) throw new Error(`suite run id ${JSON.stringify(id)} is not a plain folder name`);
  return path.join(runsRoot(), id);
}

/**
 * A cached result serves a request when it is the same run and measured what the request asks for.
 * A run that diverged or collapsed measured no sharpness (computeRun skips it: there is no minimum
 * to probe), and never will: it serves the request as it is, and the judging names it.
 */
function satisfies(r: RunResult, req: RunRequest): boolean {
  if (!req.sharpness || r.diverged || r.collapsed || r.final.testAcc === null) return true;
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

/**
 * The cached result of `req` in `dir`, or undefined (none, corrupt, another run's, or one that lacks
 * what is asked). Where the run itself is not there, a stored run of the same spec under another
 * schedule serves it when replaying the schedule's decisions on its record shows that they were the
 * same (src/runs/replay.ts): it comes back with the request's spec and key, and `replayedFrom`.
 */
export function readCached(dir: string, req: RunRequest): RunResult | undefined {
  const key = runKey(req.spec);
  const r = readStored(path.join(dir, `${key}.json`));
  if (r && r.key === key) return satisfies(r, req) ? r : undefined;
  for (const file of storedRuns(dir)) {
    const s = readStored(path.join(dir, file));
    if (!s || s.key !== file.slice(0, -'.json'.length) || s.replayedFrom !== undefined) continue;
    if (runKey({ ...s.spec, schedule: req.spec.schedule }) !== key || !sameUnderSchedule(s, req.spec.schedule).same) continue;
    if (satisfies(s, req)) return { ...s, key, spec: req.spec, replayedFrom: s.key };
  }
  return undefined;
}

function storedRuns(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir)
      .filter((n) => n.endsWith('.json') && n !== OWNER_FILE)
      .sort();
  } catch {
    return [];
  }
}

/** Parsed stored runs by file, kept while the file is unchanged (a replay scan reads the folder once, not once per request). */
const parsedFiles = new Map<string, { mtimeMs: number; size: number; result: RunResult | undefined }>();

function readStored(file: string): RunResult | undefined {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return undefined;
  }
  const hit = parsedFiles.get(file);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.result;
  let result: RunResult | undefined;
  try {
    const parsed = RunResult.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    result = parsed.success ? parsed.data : undefined;
  } catch {
    result = undefined;
  }
  parsedFiles.set(file, { mtimeMs: st.mtimeMs, size: st.size, result });
  return result;
}

/** Store a computed run (atomically: a reader, or a killed phase, never leaves half a file). */
export function writeRun(dir: string, result: RunResult): void {
  writeFileAtomic(path.join(dir, `${result.key}.json`), JSON.stringify(result));
}

/** Record why the phase stopped, for the specs that then miss their runs. */
export function writeFailure(dir: string, message: string): void {
  writeFileAtomic(path.join(dir, FAILED_FILE), `${message}\n`);
}

/**
 * The results of `reqs`, in order, from the cache the training phase filled. A run that is not
 * there is an error naming it (and, when the phase stopped on a failed run, why it stopped).
 */
export function readRuns(reqs: readonly RunRequest[], dir = runsDir()): RunResult[] {
  return reqs.map((req) => {
    const r = readCached(dir, req);
    if (r) return r;
    let failed: string;
    try {
      failed = ` The training phase stopped: ${fs.readFileSync(path.join(dir, FAILED_FILE), 'utf8').trim()}`;
    } catch {
      failed =
        ' The training phase did not train it: was this claim selected when vitest started (its runs are planned from the files selected then)?';
    }
    throw new Error(
      `training run ${describeRun(req.spec)}${req.sharpness ? ' (+ sharpness)' : ''} [${runKey(req.spec)}] is not in ${dir}.${failed}`,
    );
  });
}
