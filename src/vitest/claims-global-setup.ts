/**
 * vitest globalSetup of the `claims` project.
 *
 * setup: check the environment first: a bad BN_* value stops the run before any claim starts,
 *        with its one readable line (ConfigError) and exit code 2, and nothing written. Then
 *        make sure reports/ (BN_REPORTS_DIR when set) exists. Nothing is cleared: claims.json is
 *        upserted claim by claim, so running one claim (`npx vitest heavy-tailed`) keeps the
 *        others' records. Start a suite run for the training claims' run cache (reports/.runs/<id>,
 *        src/runs/cache.ts), handed to the workers as inject('suiteRunId') and, by
 *        src/vitest/worker-setup.ts, to the cache.
 * teardown: rebuild reports/index.html from claims.json, the baseline and the figures. It never
 *        fails the run: a missing or malformed claims.json shows up on the page (and in the gate).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { ConfigError, parseConfig, reportsDir } from '../config';
import { startSuiteRun } from '../runs/cache';
import { baselineFileFor } from '../report/baseline';
import { writeIndexHtml } from '../report/html';

function rootOf(project?: TestProject): string {
  return project?.config?.root ?? process.cwd();
}

export default function setup(project?: TestProject): () => void {
  let profile = 'smoke';
  try {
    profile = parseConfig().profile;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    // Thrown from here, vitest would print "No test files found" and its own stack; every claim
    // would then fail alike. One line and a clear exit code say it better.
    process.stderr.write(`\n${e.message}\n`);
    process.exit(2);
  }
  const root = rootOf(project);
  const reports = path.resolve(root, reportsDir());
  fs.mkdirSync(reports, { recursive: true });
  // The training claims share runs through a cache that lives for this invocation only.
  let suiteRun: string;
  try {
    suiteRun = startSuiteRun(reports);
  } catch (e) {
    // a bad BN_SUITE_RUN_ID: one line, as for the other BN_* settings
    process.stderr.write(`\n${(e as Error).message}\n`);
    process.exit(2);
  }
  project?.provide?.('suiteRunId', suiteRun);
  return () => {
    try {
      const { file, warnings } = writeIndexHtml(reports, path.join(root, baselineFileFor(profile)));
      for (const w of warnings) console.warn(`[report] ${w}`);
      console.log(`[report] claims summary: ${path.relative(root, file)}`);
    } catch (e) {
      console.error(`[report] could not write ${path.join(reports, 'index.html')}: ${(e as Error).stack ?? String(e)}`);
    }
  };
}
