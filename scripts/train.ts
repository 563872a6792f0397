/**
 * `npm run train`: the training phase without vitest, one stage and one shard at a time, to
 * spread the training claims' runs over machines (docs/scaling.md; .github/workflows/full.yml):
 *
 *   npm run train -- [--stage sweep|runs|all] [--shard i/n] [--claims ID,...] [--suite-run NAME] [--check]
 *
 *   --stage      sweep: the sweep's runs; runs: the claim runs that the whole sweep selects (every
 *                sweep run must be in the cache); all (default): the one, then the other
 *   --shard i/n  only machine i's share of each stage (src/runs/phase.ts, shardOf); n > 1 needs a --stage
 *   --claims     the training claims to train for (default: all four)
 *   --suite-run  the cache folder, <reports>/.runs/NAME (default: BN_SUITE_RUN_ID, else `shards`):
 *                created when missing, resumed when there; other suite runs are left alone
 *   --check      train nothing: say what the claims still lack; exit 1 when anything
 *
 * Between stages, copy every machine's <reports>/.runs/NAME/*.json into that folder on the
 * machines of the next stage; after the last, on the machine that judges, then
 * `BN_SUITE_RUN_ID=NAME npx vitest run --project claims` trains nothing. The profile, data and
 * seed are BN_PROFILE, BN_DATA and BN_SEED, as for the claims (they are part of every run's key:
 * the same on every machine). The reports folder (BN_REPORTS_DIR) is locked while it runs.
 *
 * Exit codes: 0 done; 1 a run failed, or --check found runs missing; 2 a bad option or BN_* value,
 * or the reports folder in use.
 */
import path from 'node:path';
import { ConfigError, parseConfig, reportsDir, trainWorkerOverride } from '../src/config';
import { lockReports, ReportsLockedError } from '../src/report/lock';
import { openSuiteRun } from '../src/runs/cache';
import { missingRuns, trainingPhase } from '../src/runs/phase';
import { describeRun } from '../src/runs/protocol';
import { parseTrainArgs } from '../src/runs/train-args';

async function main(args: readonly string[]): Promise<number> {
  const a = parseTrainArgs(args);
  if ('message' in a) {
    (a.code === 0 ? process.stdout : process.stderr).write(`${a.message}\n`);
    return a.code;
  }
  const reports = path.resolve(reportsDir());
  let dir: string;
  try {
    parseConfig();
    lockReports(reports);
    dir = openSuiteRun(reports, a.suiteRun);
  } catch (e) {
    if (!(e instanceof ConfigError || e instanceof ReportsLockedError || /--suite-run/.test((e as Error).message))) throw e;
    process.stderr.write(`train: ${(e as Error).message}\n`);
    return 2;
  }
  if (a.check) {
    const { sweep, runs } = missingRuns(a.claims, dir);
    const lines = [
      ...sweep.map((r) => `  sweep: ${describeRun(r.spec)}`),
      ...(runs ?? []).map((r) => `  runs: ${describeRun(r.spec)}${r.sharpness ? ' (+ sharpness)' : ''}`),
    ];
    if (!lines.length) {
      console.log(`train --check: every run of ${a.claims.join(', ')} is in ${dir}: judging trains nothing`);
      return 0;
    }
    const after = runs === null ? ' (and the claim runs, which the whole sweep selects)' : '';
    console.log(`train --check: ${lines.length} run(s) missing from ${dir}${after}:\n${lines.join('\n')}`);
    return 1;
  }
  try {
    const worker = trainWorkerOverride();
    await trainingPhase({
      claims: a.claims,
      dir,
      stages: a.stages,
      ...(a.shard ? { shard: a.shard } : {}),
      ...(worker ? { worker: path.resolve(worker) } : {}),
    });
  } catch (e) {
    process.stderr.write(`train: ${(e as Error).message}\n`);
    return 1;
  }
  console.log(`[train] runs in ${dir}: copy its *.json files into the same folder on the machine of the next stage`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
