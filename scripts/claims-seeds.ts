/**
 * Run the claims at several seed bases and write the stability table.
 *
 *   npm run claims:seeds -- 0 1000 2000                 every claim at three bases
 *   npm run claims:seeds -- 0 1000 2000 -- claims/heavy-tailed-gradients.spec.ts
 *   npm run claims:seeds -- --reuse 0 1000 2000         only rebuild the table from earlier runs
 *
 * Each base runs `vitest run --project claims` with BN_SEED=<base> into reports/seeds/<base>/
 * (its own claims.json, figures, index.html); then reports/stability.json gets, per claim, the
 * verdict at each base and its key statistic, and reports/index.html shows the table with
 * unstable claims marked. Exit 1 when a claim's verdict differs between bases (or did not run at
 * one), 2 on a bad argument. The vitest exit codes are not the verdict: a claim recorded as not
 * replicating fails its test at every base and is stable.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { childEnv, reportsDir } from '../src/config';
import { writeIndexHtml } from '../src/report/html';
import { readRecords } from '../src/report/records';
import { buildStability, formatStability, writeStability } from '../src/report/stability';
import type { ClaimRecord } from '../src/report/schema';

const args = process.argv.slice(2);
const dash = args.indexOf('--');
const own = dash < 0 ? args : args.slice(0, dash);
const files = dash < 0 ? [] : args.slice(dash + 1);
const reuse = own.includes('--reuse');
const rawBases = own.filter((a) => a !== '--reuse');
const bad = rawBases.filter((a) => !/^\d+$/.test(a) || !Number.isSafeInteger(Number(a)) || Number(a) > 2 ** 31 - 1);
if (bad.length) {
  console.error(`claims:seeds: not a seed base (a non-negative integer below 2^31): ${bad.join(', ')}`);
  process.exit(2);
}
const bases = rawBases.length ? [...new Set(rawBases.map(Number))] : [0, 1000, 2000];
const root = reportsDir();

const byBase = new Map<number, ClaimRecord[]>();
for (const base of bases) {
  const dir = path.join(root, 'seeds', String(base));
  if (!reuse) {
    console.log(`\n== claims at BN_SEED=${base} → ${dir}`);
    const t0 = Date.now();
    const r = spawnSync('npx', ['vitest', 'run', '--project', 'claims', ...files], {
      stdio: 'inherit',
      env: childEnv({ BN_SEED: String(base), BN_REPORTS_DIR: dir }),
    });
    console.log(`== BN_SEED=${base}: vitest exit ${r.status ?? r.signal} after ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  byBase.set(base, readRecords(dir, { allowMissing: true }));
}

const table = buildStability(byBase);
const file = writeStability(root, table);
writeIndexHtml(root);
console.log(`\n${formatStability(table)}\n\nwritten: ${file}, ${path.join(root, 'index.html')}`);
const unstable = table.rows.filter((r) => !r.stable);
if (unstable.length) {
  console.error(`unstable across seed bases: ${unstable.map((r) => r.id).join(', ')}`);
  process.exit(1);
}
