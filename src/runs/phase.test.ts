/**
 * The training phase with a fake compute (testing/fake-train-worker.ts: real worker processes,
 * no training): it trains the selected claims' runs only, each once, over two workers, resumes
 * from the cache, and stops on a crashed worker with the run named and nothing half-written;
 * and what it trains is what the specs read (readSweep, readClaimRuns).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { setEnv } from '../config';
import { runKey, TRAINING_SCALES, type RunResult } from './index';
import { parseShard, shardOf, trainingPhase, type PhaseOptions } from './phase';
import { FAKE_RATES } from './testing/fake-runs';
import { claimRequests, readClaimRuns, readSweep, sweepRequests, TRAINING_CLAIM_IDS, type TrainingClaimId } from './sweep';

const WORKER = path.join(path.dirname(new URL(import.meta.url).pathname), 'testing', 'fake-train-worker.ts');
const S = TRAINING_SCALES.smoke;
const tmpDirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'bn-phase-'));
  tmpDirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  setEnv({ FAKE_TRAIN_LOG: undefined, FAKE_TRAIN_CRASH: undefined });
});

/** The phase with the fake worker; its log lines, and the runs the workers computed ("<pid> <key>"). */
async function phase(claims: string[], dir: string, o: Partial<PhaseOptions> = {}) {
  const calls = path.join(tmp(), 'calls.log');
  setEnv({ FAKE_TRAIN_LOG: calls });
  const lines: string[] = [];
  const result = await trainingPhase({ claims, dir, worker: WORKER, workers: 2, log: (l) => lines.push(l), ...o });
  const computed = fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8').trim().split('\n') : [];
  return { ...result, lines, computed, keys: computed.map((c) => c.split(' ')[1]!) };
}

const keysOf = (reqs: { spec: Parameters<typeof runKey>[0] }[]) => reqs.map((r) => runKey(r.spec));
const cachedKeys = (dir: string) =>
  fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''))
    .sort();

describe('the training phase', () => {
  it('trains nothing, and starts no worker, when no training claim is selected', async () => {
    const dir = path.join(tmp(), 'runs');
    const r = await phase(['heavy-tailed-gradients', 'moments-grow-with-depth'], dir);
    expect(r).toMatchObject({ trained: 0, cached: 0, lines: [], computed: [] });
    expect(fs.existsSync(dir)).toBe(false);
  });

  it("trains the sweep and one claim's runs, no other claim's; the spec reads exactly those", { timeout: 600_000 }, async () => {
    const sweepKeys = keysOf(sweepRequests(S));
    for (const id of TRAINING_CLAIM_IDS) {
      const dir = tmp();
      const r = await phase([id, 'heavy-tailed-gradients'], dir);
      const sweep = readSweep(dir);
      expect(sweep).toMatchObject(FAKE_RATES);
      const own = keysOf(claimRequests(id, sweep, S));
      expect(own.length, id).toBeGreaterThan(0);
      expect(cachedKeys(dir), id).toEqual([...new Set([...sweepKeys, ...own])].sort());
      expect(r.trained, id).toBe(cachedKeys(dir).length);
      // what the spec reads is there, in its groups
      const groups = readClaimRuns(id, sweep, dir);
      expect((Object.values(groups) as RunResult[][]).flat().map((x) => x.key)).toEqual(own);
      // another claim's runs are not
      const other = TRAINING_CLAIM_IDS.find((o) => claimRequests(o, sweep, S).some((q) => !own.includes(runKey(q.spec))))!;
      expect(() => readClaimRuns(other as TrainingClaimId, sweep, dir), `${id} vs ${other}`).toThrow(
        /^training run ResNet-56 w4 bn=\w+ lr=[\d.]+ seed=\d .*is not in .*did not train it/s,
      );
    }
  });

  it('trains the union of the selected claims once per run, over two workers, longest first; then resumes from the cache', async () => {
    const dir = tmp();
    const r = await phase([...TRAINING_CLAIM_IDS], dir);
    expect(r.trained).toBe(21 + 15); // the sweep: 3 arms × 7 rates × 1 seed; the claims: 5 (arm, rate) pairs × 3 seeds
    expect(new Set(r.keys).size).toBe(r.keys.length); // nothing computed twice
    expect(r.keys.sort()).toEqual(cachedKeys(dir));
    expect(new Set(r.computed.map((c) => c.split(' ')[0])).size).toBe(2); // both workers worked
    // progress: one line per run started and one per run finished, numbered per stage
    const started = r.lines.filter((l) => /^\[train\] runs \d+\/15 .*: started/.test(l));
    expect(started).toHaveLength(15);
    expect(r.lines).toContainEqual(
      expect.stringMatching(
        /^\[train\] runs \d+\/15 ResNet-56 w4 bn=all lr=0\.1 seed=2 \(\+ sharpness\): \d+\.\d min, 10 steps, learned \(validation 0\.900, test 0\.900\) \(worker peak RSS \d+ MiB\)$/,
      ),
    );
    expect(r.lines).toContainEqual(
      expect.stringMatching(
        /^\[train\] sweep \d+\/21 ResNet-56 w4 bn=none lr=1 seed=100: \d+\.\d min, 3 steps, diverged at step 3 \(worker peak RSS \d+ MiB\)$/,
      ),
    );
    // longest first: the runs that also measure sharpness (BN at the low and the high rate) start first
    expect(started.slice(0, 6).every((l) => l.includes('(+ sharpness)'))).toBe(true);
    for (const id of TRAINING_CLAIM_IDS) expect(() => readClaimRuns(id, readSweep(dir), dir)).not.toThrow();

    // again on the same cache (BN_SUITE_RUN_ID): nothing is retrained; a run that is gone is
    const again = await phase([...TRAINING_CLAIM_IDS], dir);
    expect(again).toMatchObject({ trained: 0, cached: 36, computed: [] });
    const gone = cachedKeys(dir)[5]!;
    fs.rmSync(path.join(dir, `${gone}.json`));
    const third = await phase([...TRAINING_CLAIM_IDS], dir);
    expect(third).toMatchObject({ trained: 1, cached: 35, keys: [gone] });
  }, 300_000);

  it("trains no sweep where the profile fixes the rates: only the claims' runs at those rates", async () => {
    const dir = tmp();
    const rates = { low: 1e-3, high: 0.3, bestFinal: 0.01, source: 'a test' };
    const r = await phase([...TRAINING_CLAIM_IDS], dir, { scale: { ...S, rates } });
    expect(r.trained).toBe(5 * 3); // 5 (arm, rate) pairs × 3 seeds, no sweep run
    expect(r.lines).toContain('[train] rates fixed in advance: low 0.001, high 0.3, final-layer BN 0.01');
    expect(r.keys.sort()).toEqual(
      [
        ...new Set(
          TRAINING_CLAIM_IDS.flatMap((id) => claimRequests(id, { ...rates, why: {} }, { ...S, rates }).map((q) => runKey(q.spec))),
        ),
      ].sort(),
    );
  }, 300_000);

  it('stops on a crashed worker: the error names the run, the runs in progress finish, nothing is half-written', async () => {
    const dir = tmp();
    setEnv({ FAKE_TRAIN_CRASH: 'bn=none lr=0.1 seed=1' });
    const lines: string[] = [];
    const failed = trainingPhase({ claims: ['high-lr-benefit'], dir, worker: WORKER, workers: 2, log: (l) => lines.push(l) });
    await expect(failed).rejects.toThrow(
      /^training run runs \d+\/12 ResNet-56 w4 bn=none lr=0\.1 seed=1 \[\w{16}\] failed: its worker \(pid \d+\) exited with code 3 while training it/,
    );
    expect(lines).toContain('fake worker: crashing on purpose');
    expect(lines).toContainEqual(expect.stringMatching(/bn=none lr=0\.1 seed=1: FAILED .*; no further run is started$/));
    // the sweep and the runs before are cached, whole; no temp file; the crashed run is missing
    expect(fs.readdirSync(dir).filter((f) => !/^\w{16}\.json$/.test(f))).toEqual(['failed.txt']);
    const sweep = readSweep(dir);
    expect(() => readClaimRuns('high-lr-benefit', sweep, dir)).toThrow(
      /bn=none lr=0\.1 seed=1 .*is not in .* The training phase stopped: training run runs .* exited with code 3/s,
    );
  }, 300_000);
});

describe('shards of a stage', () => {
  it('split its runs into disjoint shares that cover it, of close cost, the same on every machine', () => {
    const reqs = sweepRequests(S);
    for (const n of [1, 2, 3, 4, 21, 30]) {
      const shares = Array.from({ length: n }, (_, i) => shardOf(reqs, { index: i + 1, count: n }));
      const keys = shares.flat().map((r) => runKey(r.spec));
      expect(keys.sort(), `n=${n}`).toEqual(keysOf(reqs).sort());
      const sizes = shares.map((s) => s.length);
      expect(Math.max(...sizes) - Math.min(...sizes), `n=${n}`).toBeLessThanOrEqual(1); // the sweep's runs cost the same
      // every machine plans the same runs in the same order, so computes the same split
      expect(keysOf(shardOf(sweepRequests(S), { index: 1, count: n }))).toEqual(keysOf(shares[0]!));
    }
  });

  it('i/n parses as vitest writes it; anything else is an error saying what is expected', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['0/2', '3/2', '1/0', '1', 'a/b', '1/2/3', ''])
      expect(() => parseShard(bad), bad).toThrow(/is not valid: expected i\/n with 1 <= i <= n/);
  });
});
