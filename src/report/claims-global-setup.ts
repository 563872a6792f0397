/**
 * vitest globalSetup of the `claims` project.
 *
 * setup: make sure reports/ exists. Nothing is cleared: claims.json is upserted claim by claim,
 *        so running one claim (`npx vitest heavy-tailed`) keeps the others' records.
 * teardown: rebuild reports/index.html from claims.json, the baseline and the figures. It never
 *        fails the run: a missing or malformed claims.json shows up on the page (and in the gate).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { writeIndexHtml } from './html';

function rootOf(project?: TestProject): string {
  return project?.config?.root ?? process.cwd();
}

export default function setup(project?: TestProject): () => void {
  const root = rootOf(project);
  const reports = path.join(root, 'reports');
  fs.mkdirSync(reports, { recursive: true });
  return () => {
    try {
      const { file, warnings } = writeIndexHtml(reports, path.join(root, 'claims', 'baseline.json'));
      for (const w of warnings) console.warn(`[report] ${w}`);
      console.log(`[report] claims summary: ${path.relative(root, file)}`);
    } catch (e) {
      console.error(`[report] could not write reports/index.html: ${(e as Error).stack ?? String(e)}`);
    }
  };
}
