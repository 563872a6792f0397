/**
 * The training phase as vitest runs it (training-phase.ts): in a fake claims project with one
 * fake training claim (high-lr-benefit) and four probe claims, the phase's worker replaced by a
 * fake one (BN_TRAIN_WORKER: real processes, no training). A run of probe claims trains nothing;
 * of two shards, the one that holds the training claim trains the sweep and that claim's runs,
 * the other nothing; the spec, in a vitest worker, finds its runs through BN_SUITE_RUN_ID; a
 * crashed training worker makes the training claim an error that names the run, and the other
 * claims still run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRecords } from '../report/records';
import { runKey, TRAINING_SCALES, type RunRequest } from '../runs';
import { claimRequests, sweepRequests } from '../runs/sweep';
import { FAKE_RATES } from '../runs/testing/fake-runs';
import { FAKE_TRAIN_WORKER, runVitest, trainingSpec, writeFakeClaimsProject, type VitestRun } from './testing/fake-claims-project';

const show = (r: VitestRun) => `exit ${r.code}\n${r.output}`;
/** The fake worker's rates (src/runs/testing/fake-runs.ts) */
const RATES = { ...FAKE_RATES, why: {} };
const S = TRAINING_SCALES.smoke;

describe('the training phase in a claims run', () => {
  it('trains only for the selected training claims, also per shard, before the claims read their runs', async () => {
    const dir = writeFakeClaimsProject(fs.mkdtempSync(path.join(os.tmpdir(), 'bn-phase-run-')), {
      'high-lr-benefit.spec.ts': trainingSpec('high-lr-benefit'),
    });
    const at = (...p: string[]) => path.join(dir, ...p);
    const env = (name: string, extra: Record<string, string> = {}) => ({
      BN_REPORTS_DIR: name,
      BN_WORKERS: '2',
      BN_TRAIN_WORKER: FAKE_TRAIN_WORKER,
      FAKE_TRAIN_LOG: at(`${name}.computed`),
      ...extra,
    });
    // the runs the fake worker computed, "<pid> <key>"
    const computed = (name: string) =>
      (fs.existsSync(at(`${name}.computed`)) ? fs.readFileSync(at(`${name}.computed`), 'utf8').split('\n') : []).filter(Boolean);
    const o = { timeoutMs: 420_000 }; // four at once, on a machine that may be busy
    const [probes, s1, s2, crash] = await Promise.all([
      runVitest(dir, ['run', '--project', 'claims', 'claims/fake-holds.spec.ts'], env('probes'), o),
      runVitest(dir, ['run', '--project', 'claims', '--shard=1/2'], env('shard-1'), o),
      runVitest(dir, ['run', '--project', 'claims', '--shard=2/2'], env('shard-2'), o),
      runVitest(
        dir,
        ['run', '--project', 'claims', 'claims/high-lr-benefit.spec.ts', 'claims/fake-holds.spec.ts'],
        env('crash', { FAKE_TRAIN_CRASH: 'bn=none lr=0.1 seed=1' }),
        o,
      ),
    ]);

    // probe claims only: no training phase, no run cache
    expect(probes.code, show(probes)).toBe(0);
    expect(probes.output).not.toContain('[train]');
    expect(computed('probes')).toEqual([]);
    expect(fs.existsSync(at('probes', '.runs'))).toBe(false);
    expect(readRecords(at('probes')).map((r) => r.id)).toEqual(['fake-holds']);

    // the shard with the training claim trains the sweep and its runs, each once; the other nothing
    const key = (r: RunRequest) => runKey({ ...r.spec, data: 'synthetic' }); // the fake project's data (runVitest)
    const sweep = sweepRequests(S).map(key);
    const own = claimRequests('high-lr-benefit', RATES, S).map(key);
    const shards = Object.entries({ 'shard-1': s1, 'shard-2': s2 }).map(([name, run]) => ({ name, run }));
    const withTraining = shards.filter((s) => /claims\/high-lr-benefit\.spec\.ts/.test(s.run.output));
    expect(withTraining, shards.map((s) => show(s.run)).join('\n\n')).toHaveLength(1);
    for (const { name, run } of shards) {
      const keys = computed(name).map((l) => l.split(' ')[1]);
      if (withTraining[0]!.name === name) {
        expect(keys.sort(), show(run)).toEqual([...sweep, ...own].sort());
        expect(run.output).toMatch(/\[train\] training phase for high-lr-benefit: 2 worker process\(es\) \(BN_WORKERS\)/);
        expect(run.output).toContain('[train] training phase done: 33 run(s) trained, 0 cached');
        // the claim, in a vitest worker, found the suite run and every run of its own
        const rec = readRecords(at(name)).find((r) => r.id === 'high-lr-benefit')!;
        expect(rec.verdict, show(run)).toBe('holds');
        expect(rec.statistics[0]).toMatchObject({ name: 'runs read', value: 12 });
        const [suiteRun, ...more] = fs.readdirSync(at(name, '.runs'));
        expect([fs.readdirSync(at(name, '.runs', suiteRun!)).length, more]).toEqual([33 + 1, []]); // one suite run: its runs and owner.json
      } else {
        expect(keys, show(run)).toEqual([]);
        expect(run.output).not.toContain('[train]');
        expect(fs.existsSync(at(name, '.runs'))).toBe(false);
      }
    }

    // a crashed training worker: the phase says which run; the training claim is an error naming
    // the missing run and why; the other claim still holds
    expect(crash.code, show(crash)).toBe(1);
    expect(crash.output).toMatch(/\[train\] the training phase failed.*\n.*ResNet-56 w4 bn=none lr=0\.1 seed=1 .*exited with code 3/);
    const recs = Object.fromEntries(readRecords(at('crash')).map((r) => [r.id, r]));
    expect(recs['fake-holds']!.verdict).toBe('holds');
    expect(recs['high-lr-benefit']!.verdict).toBe('error');
    expect(recs['high-lr-benefit']!.error).toMatch(/bn=none lr=0\.1 seed=1 .*is not in .*The training phase stopped: training run/);
    fs.rmSync(dir, { recursive: true, force: true }); // kept when the test fails, to look at
  }, 480_000);
});
