/**
 * The training stages split over machines and merged give the same records as one machine.
 *
 * A fake claims project with the four training claims (fake specs that read their runs as the
 * real ones do and record the sweep's rates and their runs' accuracy) and the fake probe claims;
 * the training worker is the fake one (BN_TRAIN_WORKER: real processes, no training). One machine
 * runs every claim. Two "machines", each with its own reports folder, train the sweep as
 * `npm run train -- --stage sweep --shard i/2`; their cache files are copied together (each gets
 * the whole sweep); then each trains its share of the claim runs (`--stage runs --shard i/2`);
 * all their files are copied into a third folder, where `train --check` finds nothing missing and
 * `BN_SUITE_RUN_ID=shards vitest run --project claims` judges every claim training nothing.
 * Its records equal the one machine's but for when they started and how long they took.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRecords } from '../report/records';
import type { ClaimRecord } from '../report/schema';
import { TRAINING_CLAIM_IDS } from '../runs/sweep';
import {
  FAKE_TRAIN_WORKER,
  runTrain,
  runVitest,
  trainingSpec,
  writeFakeClaimsProject,
  type VitestRun,
} from './testing/fake-claims-project';

const show = (r: VitestRun) => `exit ${r.code}\n${r.output}`;
const timeless = ({ durationMs: _d, startedAt: _s, ...rest }: ClaimRecord) => rest;

describe('training stages sharded over machines', () => {
  it('merged by copying cache files, judge every claim training nothing, into the records of one machine', async () => {
    const dir = writeFakeClaimsProject(
      fs.mkdtempSync(path.join(os.tmpdir(), 'bn-shard-training-')),
      Object.fromEntries(TRAINING_CLAIM_IDS.map((id) => [`${id}.spec.ts`, trainingSpec(id)])),
    );
    const at = (...p: string[]) => path.join(dir, ...p);
    /** machine `name`: its reports folder, the fake worker logging the runs it computes to <name>.computed */
    const env = (name: string, extra: Record<string, string> = {}) => ({
      BN_REPORTS_DIR: name,
      BN_WORKERS: '2',
      BN_TRAIN_WORKER: FAKE_TRAIN_WORKER,
      FAKE_TRAIN_LOG: at(`${name}.computed`),
      ...extra,
    });
    const computed = (name: string) =>
      (fs.existsSync(at(`${name}.computed`)) ? fs.readFileSync(at(`${name}.computed`), 'utf8').split('\n') : [])
        .filter(Boolean)
        .map((l) => l.split(' ')[1]!);
    const cache = (name: string) => at(name, '.runs', 'shards');
    const runFiles = (name: string) => fs.readdirSync(cache(name)).filter((f) => /^\w{16}\.json$/.test(f));
    /** copy one machine's run files into another's cache, as CI artifacts are (owner.json stays) */
    const copy = (from: string, to: string) => {
      fs.mkdirSync(cache(to), { recursive: true });
      for (const f of runFiles(from)) fs.copyFileSync(path.join(cache(from), f), path.join(cache(to), f));
    };
    const train = (name: string, args: string[]) => runTrain(dir, args, env(name));

    // one machine, and the two shard machines' sweep stage, at once
    const [whole, ...sweeps] = await Promise.all([
      runVitest(dir, ['run', '--project', 'claims'], env('whole'), { timeoutMs: 300_000 }),
      train('m1', ['--stage', 'sweep', '--shard', '1/2']),
      train('m2', ['--stage', 'sweep', '--shard', '2/2']),
    ]);
    expect(whole.code, show(whole)).toBe(1); // two fake probe claims fail their tests
    for (const s of sweeps) expect(s.code, show(s)).toBe(0);
    expect(sweeps[0]!.output).toContain('(stage sweep; shard 1/2 of each stage)');
    const sweep1 = computed('m1');
    const sweep2 = computed('m2');
    expect(sweep1.length + sweep2.length).toBe(21); // the sweep: 3 arms × 7 rates, split ...
    expect(Math.abs(sweep1.length - sweep2.length)).toBeLessThanOrEqual(1); // ... evenly,
    expect(sweep1.filter((k) => sweep2.includes(k))).toEqual([]); // ... each run once

    // a shard's claim runs need the whole sweep: refused before the copy, trained after it
    const early = await train('m1', ['--stage', 'runs', '--shard', '1/2']);
    expect(early.code, show(early)).toBe(1);
    expect(early.output).toMatch(/the claim runs are selected by the whole sweep, and 10 of its 21 runs are not in .*m1/);
    copy('m1', 'm2');
    copy('m2', 'm1');
    const runs = await Promise.all([1, 2].map((i) => train(`m${i}`, ['--stage', 'runs', '--shard', `${i}/2`])));
    for (const r of runs) expect(r.code, show(r)).toBe(0);
    const runs1 = computed('m1').slice(sweep1.length);
    const runs2 = computed('m2').slice(sweep2.length);
    expect(runs1.length).toBeGreaterThan(0);
    expect(runs2.length).toBeGreaterThan(0);
    expect(runs1.filter((k) => runs2.includes(k))).toEqual([]);
    // between them, the shards trained what the one machine trained, each run once
    expect([...sweep1, ...sweep2, ...runs1, ...runs2].sort()).toEqual(computed('whole').sort());

    // the judge: every machine's files copied into its cache; nothing missing, nothing trained
    copy('m1', 'judge');
    copy('m2', 'judge');
    const check = await train('judge', ['--check']);
    expect(check.code, show(check)).toBe(0);
    expect(check.output).toContain('judging trains nothing');
    const judged = await runVitest(dir, ['run', '--project', 'claims'], env('judge', { BN_SUITE_RUN_ID: 'shards' }), {
      timeoutMs: 300_000,
    });
    expect(judged.code, show(judged)).toBe(1);
    expect(computed('judge')).toEqual([]);
    expect(judged.output).toMatch(/\[train\] training phase done: 0 run\(s\) trained, \d+ cached/);

    const one = readRecords(at('whole'));
    const merged = readRecords(at('judge'));
    expect(merged.map((r) => [r.id, r.verdict])).toEqual(one.map((r) => [r.id, r.verdict]));
    for (const id of TRAINING_CLAIM_IDS) expect(merged.find((r) => r.id === id)?.verdict, id).toBe('holds');
    expect(merged.map(timeless)).toEqual(one.map(timeless));
    fs.rmSync(dir, { recursive: true, force: true }); // kept when the test fails, to look at
  }, 480_000);
});
