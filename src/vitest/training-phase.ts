/**
 * The start of a claims run, in vitest's main process: a reporter (vitest.config.ts's claims
 * project adds it whatever `--reporter` says) whose onTestRunStart vitest awaits, with the files
 * it selected, before any test file starts. When they hold claims, a bad BN_* value stops the run
 * there (one line, exit code 2, nothing written); so does a reports folder that another claims
 * run is using (src/report/lock.ts: this run takes its lock, also for a merge of blob reports,
 * and keeps it to the end). When they hold training claims (with
 * `--shard`, in this shard: vitest's own sharding), it starts a suite run (src/runs/cache.ts),
 * hands its id to the claim workers as BN_SUITE_RUN_ID (vitest forks them later, with this
 * process's environment) and trains those claims' runs (src/runs/phase.ts) with as many worker
 * processes as the claims project has (BN_WORKERS, else src/runs/workers.ts's default). A failed phase does not stop the run: the training claims
 * then fail naming their missing runs, the others still run. A merge trains nothing.
 */
import path from 'node:path';
import type { Reporter, TestSpecification, Vitest } from 'vitest/node';
import { ConfigError, parseConfig, reportsDir, setEnv, trainWorkerOverride } from '../config';
import { lockReports, ReportsLockedError } from '../report/lock';
import { runsRoot, startSuiteRun } from '../runs/cache';
import { trainingPhase } from '../runs/phase';
import { isTrainingClaim } from '../runs/sweep';

/** One line and exit code 2: thrown from here, vitest would print its own stack, and every claim would fail alike. */
function stop(message: string): never {
  process.stderr.write(`\n${message}\n`);
  process.exit(2);
}

export default class TrainingPhaseReporter implements Reporter {
  private vitest: Vitest | undefined;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  async onTestRunStart(specifications: ReadonlyArray<TestSpecification>): Promise<void> {
    const v = this.vitest;
    if (!v || !specifications.some((s) => s.project.name === 'claims')) return;
    try {
      parseConfig();
    } catch (e) {
      if (e instanceof ConfigError) stop(e.message);
      throw e;
    }
    const reports = path.resolve(v.config.root, reportsDir());
    try {
      lockReports(reports); // one claims run (or merge) per reports folder (src/report/lock.ts)
    } catch (e) {
      if (e instanceof ReportsLockedError) stop(e.message);
      throw e;
    }
    if (v.config.mergeReports) return;
    const selected = v.config.shard ? await new v.config.sequence.sequencer(v).shard([...specifications]) : specifications;
    const claims = selected.filter((s) => s.project.name === 'claims');
    const ids = claims.map((s) => path.basename(s.moduleId).replace(/\.spec\.ts$/, ''));
    if (!ids.some(isTrainingClaim)) return; // a run of other claims leaves the run cache alone
    let suiteRun: string;
    try {
      suiteRun = startSuiteRun(reports);
    } catch (e) {
      stop((e as Error).message); // a bad BN_SUITE_RUN_ID, as for the other BN_* settings
    }
    setEnv({ BN_SUITE_RUN_ID: suiteRun }); // the claim workers, forked after this, inherit it
    try {
      await trainingPhase({
        claims: ids,
        dir: path.join(runsRoot(reports), suiteRun),
        // the tests' stand-in for computeRun (src/runs/testing/fake-train-worker.ts)
        ...(trainWorkerOverride() ? { worker: path.resolve(trainWorkerOverride()!) } : {}),
        log: (line) => v.logger.log(line),
      });
    } catch (e) {
      v.logger.error(`[train] the training phase failed; the training claims will report their missing runs.\n${(e as Error).message}`);
    }
  }
}
