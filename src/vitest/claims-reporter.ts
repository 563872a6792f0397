/**
 * A vitest reporter that rebuilds the claims' reports from what travels with the test results.
 *
 * Each claim test carries its evidence as annotations (see annotate.ts): the 'verdict' annotation
 * has the whole validated record attached as JSON, the 'figure' annotation the SVG. Annotations
 * live in vitest's task tree, so they are inside the blob reports that `--reporter=blob` writes
 * on each shard machine, and `vitest --merge-reports` replays them. At the end of a run, or of a
 * merge, this reporter collects that evidence from every test and
 *
 *   - upserts each record into <reports>/claims.json (writeRecord: same lock, same validation),
 *   - writes each figure to <reports>/<id>.svg (saveFigure),
 *   - rebuilds <reports>/index.html (writeIndexHtml), and once more when vitest closes, after
 *     every reporter has finished, so the page links the vitest HTML report written beside it.
 *
 * In an ordinary run the harness has already written the same records and figures in the
 * workers, so this rewrites them with identical content. A merge on a machine whose reports/
 * holds none of the shards' files gives the same claims.json, figures and page as one unsharded
 * run of the same claims (the harness's records are what the annotations carry, byte for byte).
 *
 * It never fails the run: a bad record is a warning naming the test (the gate still sees the
 * missing claim).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TestAnnotation } from 'vitest';
import type { Reporter, TestModule, Vitest } from 'vitest/node';
import { config, reportsDir } from '../config';
import { baselineFileFor } from '../report/baseline';
import { saveFigure } from '../report/figures';
import { writeIndexHtml } from '../report/html';
import { writeRecord } from '../report/records';
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

/** Every claim's evidence in these test modules (in module order), with one message per test that could not be read. */
export function collectEvidence(modules: ReadonlyArray<TestModule>, root?: string): { evidence: ClaimEvidence[]; problems: string[] } {
  const evidence: ClaimEvidence[] = [];
  const problems: string[] = [];
  for (const m of modules) {
    for (const t of m.children.allTests()) {
      try {
        const e = evidenceFromAnnotations(t.fullName, t.annotations(), root);
        if (e) evidence.push(e);
      } catch (err) {
        problems.push((err as Error).message);
      }
    }
  }
  return { evidence, problems };
}

/**
 * Write the evidence into `dir`: records upserted into claims.json, figures as <id>.svg. Returns
 * the records written and one message per record that failed validation or whose figure could
 * not be written. Two tests with the same claim id: the later one wins, with a warning.
 */
export async function writeEvidence(
  evidence: readonly ClaimEvidence[],
  dir: string,
): Promise<{ written: ClaimRecord[]; problems: string[] }> {
  const written: ClaimRecord[] = [];
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const e of evidence) {
    let rec: ClaimRecord;
    try {
      rec = await writeRecord(e.record, dir);
    } catch (err) {
      problems.push(`${e.test}: ${(err as Error).message}`);
      continue;
    }
    const before = seen.get(rec.id);
    if (before) problems.push(`claim "${rec.id}" is reported by two tests ("${before}" and "${e.test}"); the record of the second is kept`);
    seen.set(rec.id, e.test);
    written.push(rec);
    if (rec.figure && e.svg === undefined) problems.push(`${e.test}: its record names the figure ${rec.figure} but no figure is attached`);
    if (e.svg !== undefined) {
      try {
        const rel = saveFigure(rec.id, e.svg, dir);
        if (rec.figure && rec.figure !== rel) problems.push(`${e.test}: its record names the figure ${rec.figure}, written as ${rel}`);
      } catch (err) {
        problems.push(`${e.test}: figure not written: ${(err as Error).message}`);
      }
    }
  }
  return { written, problems };
}

export default class ClaimsReporter implements Reporter {
  private vitest: Vitest | undefined;
  /** set once this reporter has written claims, so the page is rebuilt again when vitest closes */
  private wroteClaims = false;
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
      if (this.wroteClaims) this.writePage(false);
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

  async onTestRunEnd(testModules: ReadonlyArray<TestModule>): Promise<void> {
    try {
      const { evidence, problems } = collectEvidence(testModules, this.root);
      if (evidence.length === 0 && problems.length === 0) return; // no claim in this run: leave reports/ alone
      const { written, problems: writeProblems } = await writeEvidence(evidence, this.dir);
      for (const p of [...problems, ...writeProblems]) this.log(`[report] ${p}`, 'warn');
      this.wroteClaims = true;
      const file = this.writePage(true);
      const claimsFile = path.relative(this.root, path.join(this.dir, 'claims.json'));
      this.log(
        `[report] ${written.length} claim record${written.length === 1 ? '' : 's'} upserted into ${claimsFile}${file ? `; claims summary: ${path.relative(this.root, file)}` : ''}`,
      );
    } catch (e) {
      this.log(`[report] the claims reporter failed: ${(e as Error).stack ?? String(e)}`, 'warn');
    }
  }
}
