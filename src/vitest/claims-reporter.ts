/**
 * The one writer of the claims' reports: a vitest reporter, in vitest's main process, that writes
 * them from what travels with the results of the `claims` project's tests. vitest.config.ts's
 * claims project adds it whatever `--reporter` says; it does nothing when no claim ran.
 *
 * Each claim test carries its evidence as annotations (see annotate.ts): the 'verdict' annotation
 * has the whole validated record attached as JSON, the 'figure' annotation the SVG. When a claim
 * test ends (onTestCaseResult), this reporter
 *
 *   - writes its figure to <reports>/<id>.svg (saveFigure),
 *   - upserts its record into <reports>/claims.json (writeRecord: validated, written atomically),
 *
 * so a run killed half-way keeps the finished claims' reports; and at the end of the run it
 * rebuilds <reports>/index.html (writeIndexHtml), and once more when vitest closes, after every
 * reporter has finished, so the page links the vitest HTML report written beside it.
 *
 * Annotations live in vitest's task tree, so they are inside the blob reports that
 * `--reporter=blob` writes on each shard machine, and `vitest --merge-reports` replays them (with
 * no per-test events: their evidence is written at the end). A merge on a machine whose reports/
 * holds none of the shards' files gives the same claims.json, figures and page as one unsharded
 * run of the same claims.
 *
 * It never fails the run: a bad record is a warning naming the test (the gate still sees the
 * missing claim).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TestAnnotation } from 'vitest';
import type { Reporter, TestCase, TestModule, Vitest } from 'vitest/node';
import { config, reportsDir } from '../config';
import { baselineFileFor } from '../report/baseline';
import { saveFigure } from '../report/figures';
import { writeIndexHtml } from '../report/html';
import { validateRecord, writeRecord } from '../report/records';
import type { ClaimRecord, ClaimRecordInput } from '../report/schema';

export interface ClaimsReporterOptions {
  /** The reports folder, relative to vitest's root (default: BN_REPORTS_DIR, or 'reports'). */
  reportsDir?: string;
  /** The verdict baseline shown on the page, relative to vitest's root (default 'claims/baseline.json'). */
  baseline?: string;
}

/** One claim's evidence as found on its test. */
export interface ClaimEvidence {
  /** the test's full name, for messages */
  test: string;
  record: ClaimRecordInput;
  svg?: string;
}

/** The text of an annotation's attachment (inline body, base64 or utf-8, or a file path), or undefined. */
export function attachmentText(a: TestAnnotation['attachment'], root = process.cwd()): string | undefined {
  if (!a) return undefined;
  if (a.body !== undefined && a.body !== null) {
    if (typeof a.body !== 'string') return Buffer.from(a.body).toString('utf8');
    return a.bodyEncoding === 'utf-8' ? a.body : Buffer.from(a.body, 'base64').toString('utf8');
  }
  if (a.path) return fs.readFileSync(path.resolve(root, a.path), 'utf8');
  return undefined;
}

/**
 * The evidence of one test from its annotations, or undefined when it is not a claim (no
 * 'verdict' annotation with a JSON attachment). With retries a test can carry several attempts'
 * annotations: the last verdict wins, with the figure that follows it.
 */
export function evidenceFromAnnotations(test: string, annotations: readonly TestAnnotation[], root?: string): ClaimEvidence | undefined {
  let verdictAt = -1;
  for (let i = annotations.length - 1; i >= 0; i--) {
    const a = annotations[i]!;
    if (a.type === 'verdict' && a.attachment?.contentType === 'application/json') {
      verdictAt = i;
      break;
    }
  }
  if (verdictAt < 0) return undefined;
  const json = attachmentText(annotations[verdictAt]!.attachment, root);
  if (json === undefined) throw new Error(`${test}: its verdict annotation has no record attached`);
  let record: ClaimRecordInput;
  try {
    record = JSON.parse(json) as ClaimRecordInput;
  } catch (e) {
    throw new Error(`${test}: the record attached to its verdict annotation is not JSON: ${(e as Error).message}`, { cause: e });
  }
  const figure = annotations.slice(verdictAt + 1).find((a) => a.type === 'figure' && a.attachment?.contentType === 'image/svg+xml');
  const svg = figure ? attachmentText(figure.attachment, root) : undefined;
  return svg === undefined ? { test, record } : { test, record, svg };
}

/**
 * Write the evidence into `dir`: records upserted into claims.json, figures as <id>.svg. Returns
 * the records written and one message per record that failed validation or whose figure could
 * not be written. Two tests with the same claim id (`seen`: claim id → test, over a run): the
 * later one wins, with a warning.
 */
export function writeEvidence(evidence: readonly ClaimEvidence[], dir: string, seen = new Map<string, string>()) {
  const written: ClaimRecord[] = [];
  const problems: string[] = [];
  for (const e of evidence) {
    let rec: ClaimRecord;
    try {
      rec = validateRecord(e.record);
    } catch (err) {
      problems.push(`${e.test}: ${(err as Error).message}`);
      continue;
    }
    // the figure first: a run killed in between never leaves a record naming a figure not written yet
    if (rec.figure && e.svg === undefined) problems.push(`${e.test}: its record names the figure ${rec.figure} but no figure is attached`);
    if (e.svg !== undefined) {
      try {
        const rel = saveFigure(rec.id, e.svg, dir);
        if (rec.figure && rec.figure !== rel) problems.push(`${e.test}: its record names the figure ${rec.figure}, written as ${rel}`);
      } catch (err) {
        problems.push(`${e.test}: figure not written: ${(err as Error).message}`);
      }
    }
    try {
      writeRecord(rec, dir);
    } catch (err) {
      problems.push(`${e.test}: ${(err as Error).message}`);
      continue;
    }
    const before = seen.get(rec.id);
    if (before) problems.push(`claim "${rec.id}" is reported by two tests ("${before}" and "${e.test}"); the record of the second is kept`);
    seen.set(rec.id, e.test);
    written.push(rec);
  }
  return { written, problems };
}

export default class ClaimsReporter implements Reporter {
  private vitest: Vitest | undefined;
  /** this run's tests whose evidence was written, and claim id → test (for the duplicate warning) */
  private readonly done = new Set<string>();
  private readonly seen = new Map<string, string>();
  private written = 0;
  private claims = 0;
  private closeHook = false;

  constructor(private readonly options: ClaimsReporterOptions = {}) {}

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
    if (this.closeHook) return;
    this.closeHook = true;
    // vitest runs every reporter's onTestRunEnd at once, and the html reporter writes
    // reports/vitest/ in its own, so the page written below may not link it yet on a first
    // merge. When vitest closes, all reporters are done: build the page once more.
    vitest.onClose(() => {
      if (this.claims) this.writePage(false);
    });
  }

  private get root(): string {
    return this.vitest?.config.root ?? process.cwd();
  }

  private get dir(): string {
    return path.resolve(this.root, this.options.reportsDir ?? reportsDir());
  }

  private log(message: string, level: 'log' | 'warn' = 'log'): void {
    const logger = this.vitest?.logger;
    if (logger) (level === 'warn' ? logger.warn : logger.log).call(logger, message);
    else console[level](message);
  }

  private writePage(verbose: boolean): string | undefined {
    try {
      const baseline = path.resolve(this.root, this.options.baseline ?? baselineFileFor(config().profile));
      const { file, warnings } = writeIndexHtml(this.dir, baseline);
      if (verbose) for (const w of warnings) this.log(`[report] ${w}`, 'warn');
      return file;
    } catch (e) {
      this.log(`[report] could not write ${path.join(this.dir, 'index.html')}: ${(e as Error).stack ?? String(e)}`, 'warn');
      return undefined;
    }
  }

  /** Write the evidence of those of `tests` not written yet in this run (claims only: a unit test may attach evidence too). */
  private write(tests: readonly TestCase[]): void {
    try {
      const fresh = tests.filter((t) => t.project.name === 'claims' && !this.done.has(t.id));
      for (const t of fresh) this.done.add(t.id);
      const evidence: ClaimEvidence[] = [];
      const problems: string[] = [];
      for (const t of fresh) {
        try {
          const e = evidenceFromAnnotations(t.fullName, t.annotations(), this.root);
          if (e) evidence.push(e);
        } catch (err) {
          problems.push((err as Error).message);
        }
      }
      if (!evidence.length && !problems.length) return; // not a claim
      const { written, problems: writeProblems } = writeEvidence(evidence, this.dir, this.seen);
      this.claims += evidence.length + problems.length;
      this.written += written.length;
      for (const p of [...problems, ...writeProblems]) this.log(`[report] ${p}`, 'warn');
    } catch (e) {
      this.log(`[report] the claims reporter failed: ${(e as Error).stack ?? String(e)}`, 'warn');
    }
  }

  onTestRunStart(): void {
    // a new run (watch mode): its tests are written afresh
    this.done.clear();
    this.seen.clear();
    this.written = this.claims = 0;
  }

  /** A claim's record and figure as soon as its test ends: a run killed later keeps them. */
  onTestCaseResult(test: TestCase): void {
    this.write([test]);
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    // what no test event brought: a merge replays the shards' tests without per-test events
    this.write(testModules.flatMap((m) => [...m.children.allTests()]));
    if (!this.claims) return; // no claim in this run: leave reports/ alone
    const file = this.writePage(true);
    const claimsFile = path.relative(this.root, path.join(this.dir, 'claims.json'));
    this.log(
      `[report] ${this.written} claim record${this.written === 1 ? '' : 's'} upserted into ${claimsFile}${file ? `; claims summary: ${path.relative(this.root, file)}` : ''}`,
    );
  }
}
