import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import {
  computeRun,
  pickRates,
  readCached,
  readRuns,
  PROTOCOL_VERSION,
  runKey,
  runSpec,
  startSuiteRun,
  TRAINING_SCALES,
  writeRun,
  type SweepPoint,
} from './index';
import { startWorker } from './phase';
import { fakeRun } from './testing/fake-runs';

const tmpDirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'bn-runs-'));
  tmpDirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const S = TRAINING_SCALES.smoke;

describe('run keys', () => {
  it('are stable, and change with every field of the config', () => {
    const a = runSpec('all', 0.1, 0, { S });
    expect(runKey(a)).toBe(runKey({ ...a }));
    expect(runKey(a)).toBe(runKey(Object.fromEntries(Object.entries(a).reverse()) as typeof a)); // key order does not matter
    const variants = [
      { ...a, arm: 'none' as const },
      { ...a, lr: 0.3 },
      { ...a, seed: 1 },
      { ...a, depth: 20 },
      { ...a, width: 16 },
      { ...a, epochs: a.epochs + 1 },
      { ...a, data: 'cifar10:/x' },
      { ...a, profile: 'paper' as const },
      { ...a, fault: 'bn-no-normalise' },
      { ...a, dataSeed: 7 },
      { ...a, evaluateEachEpoch: false },
      { ...a, evaluateEvery: 4 },
      { ...a, lrCut: { factor: 0.1, at: 0.75 } },
    ];
    const keys = new Set([runKey(a), ...variants.map(runKey)]);
    expect(keys.size).toBe(variants.length + 1);
  });

  it('hash the protocol version with the spec: the same name on every machine, a new one when the version is bumped', () => {
    const a = runSpec('all', 0.1, 0, { S });
    const canon = (v: unknown): unknown =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canon((v as Record<string, unknown>)[k])]),
          )
        : v;
    const hash = (protocol: number) =>
      createHash('sha256')
        .update(JSON.stringify({ protocol, spec: canon(a) }))
        .digest('hex')
        .slice(0, 16);
    expect(runKey(a)).toBe(hash(PROTOCOL_VERSION));
    expect(runKey(a)).not.toBe(hash(PROTOCOL_VERSION + 1));
  });
});

describe('picking rates from a sweep', () => {
  const grid = [1e-3, 1e-2, 0.1, 1];
  const pt = (
    arm: SweepPoint['arm'],
    lr: number,
    valAcc: number | null,
    o: { diverged?: boolean; collapsed?: boolean } = {},
  ): SweepPoint => ({
    arm,
    lr,
    valAcc,
    testAcc: valAcc,
    diverged: !!o.diverged,
    divergedAt: o.diverged ? 2 : null,
    collapsed: !!o.collapsed,
  });

  it("low = best no-BN rate with a grid step to spare above; high = BN's best rate with a grid step to spare", () => {
    const points = [
      pt('none', 1e-3, 0.6),
      pt('none', 1e-2, 0.7),
      pt('none', 0.1, 0.1, { collapsed: true }),
      pt('none', 1, null, { diverged: true }),
      pt('all', 1e-3, 0.6),
      pt('all', 1e-2, 0.7),
      pt('all', 0.1, 0.9),
      pt('all', 1, 0.85),
      pt('final', 1e-3, 0.5),
      pt('final', 1e-2, 0.6),
      pt('final', 0.1, 0.1, { collapsed: true }),
      pt('final', 1, null, { diverged: true }),
    ];
    const r = pickRates(grid, points);
    // 1e-2 is no-BN's most accurate rate but the next rate up did not survive: no margin
    expect(r.low).toBe(1e-3);
    expect(r.best.none).toBe(1e-3);
    expect(r.best.all).toBe(0.1); // 1 has no rate above it: never "with a margin"
    expect(r.best.final).toBe(1e-3); // collapsed at 0.1 counts as not surviving
    // the paper's high rate is BN's best, whether or not the unnormalised net can use it
    expect(r.high).toBe(0.1);
  });

  it("high is BN's best even where the unnormalised net survives it, and null when BN survives no rate with a margin", () => {
    const points = grid.flatMap((lr) => [pt('none', lr, 0.5), pt('all', lr, lr === 1e-2 ? 0.7 : 0.5), pt('final', lr, 0.5)]);
    expect(pickRates(grid, points).high).toBe(1e-2);
    const bnFails = grid.flatMap((lr) => [pt('none', lr, 0.5), pt('all', lr, null, { diverged: true })]);
    expect(pickRates(grid, bnFails).high).toBeNull();
  });

  it('a collapsed no-BN run counts as not surviving, and ties keep the smaller rate', () => {
    const points = [
      ...grid.map((lr) => pt('all', lr, 0.8)),
      pt('none', 1e-3, 0.5),
      pt('none', 1e-2, 0.5),
      pt('none', 0.1, 0.1, { collapsed: true }),
      pt('none', 1, 0.1, { collapsed: true }),
    ];
    const r = pickRates(grid, points);
    expect(r.high).toBe(1e-3); // all BN rates tie at 0.8: the smallest with a margin
    expect(r.low).toBe(1e-3);
  });
});

describe('the run cache', () => {
  it('reads back a stored run; a corrupt, foreign or missing one is an error naming the run', () => {
    const dir = tmp();
    const reqs = [{ spec: runSpec('none', 0.01, 0, { S }) }, { spec: runSpec('all', 0.01, 0, { S }), sharpness: S.sharpness }];
    for (const r of reqs) writeRun(dir, fakeRun(r));
    expect(readRuns(reqs, dir)).toEqual(reqs.map(fakeRun).map((r) => ({ ...r, computedBy: expect.anything() })));
    expect(fs.readdirSync(dir).sort()).toEqual(reqs.map((r) => `${runKey(r.spec)}.json`).sort()); // no temp file left
    fs.writeFileSync(path.join(dir, `${runKey(reqs[0]!.spec)}.json`), '{"key": "nope"}');
    expect(() => readRuns(reqs, dir)).toThrow(
      new RegExp(
        `^training run ResNet-56 w4 bn=none lr=0\\.01 seed=0 \\[${runKey(reqs[0]!.spec)}\\] is not in ${dir}\\. The training phase did not train it`,
      ),
    );
    fs.writeFileSync(path.join(dir, `${runKey(reqs[0]!.spec)}.json`), '{');
    expect(readCached(dir, reqs[0]!)).toBeUndefined();
    expect(() => readRuns([{ spec: runSpec('none', 0.1, 0, { S }) }], dir)).toThrow(/bn=none lr=0\.1 seed=0 /);
  });

  it('a run stored without the sharpness a request asks for does not serve it; one with sharpness serves a request without', () => {
    const dir = tmp();
    const plain = { spec: runSpec('all', 0.1, 1, { S }) };
    writeRun(dir, fakeRun(plain));
    expect(readCached(dir, { ...plain, sharpness: S.sharpness })).toBeUndefined();
    expect(() => readRuns([{ ...plain, sharpness: S.sharpness }], dir)).toThrow(/seed=1 \(\+ sharpness\)/);
    writeRun(dir, fakeRun({ ...plain, sharpness: S.sharpness }));
    expect(readCached(dir, { ...plain, sharpness: S.sharpness })?.sharpness?.matched?.value).toBe(7);
    expect(readCached(dir, plain)?.sharpness).toBeDefined();
    expect(readCached(dir, { ...plain, sharpness: { ...S.sharpness, directions: 2 } })).toBeUndefined();
  });
});

describe('suite runs', () => {
  it('a new suite run removes earlier ones whose owner is gone, keeps live ones', () => {
    const reports = tmp();
    const root = path.join(reports, '.runs');
    fs.mkdirSync(path.join(root, 'old-dead'), { recursive: true });
    fs.writeFileSync(path.join(root, 'old-dead', 'owner.json'), JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname() }));
    fs.mkdirSync(path.join(root, 'old-live'), { recursive: true });
    fs.writeFileSync(path.join(root, 'old-live', 'owner.json'), JSON.stringify({ pid: process.pid, host: os.hostname() }));
    fs.mkdirSync(path.join(root, 'no-owner'), { recursive: true });
    const id = startSuiteRun(reports, undefined);
    expect(fs.readdirSync(root).sort()).toEqual([id, 'old-live'].sort());
    const id2 = startSuiteRun(reports, undefined);
    expect(id2).not.toBe(id);
  });

  it('BN_SUITE_RUN_ID resumes an earlier suite run: its cached runs are kept, others whose owner is gone removed', () => {
    const reports = tmp();
    const root = path.join(reports, '.runs');
    const dead = JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname() });
    for (const name of ['interrupted', 'other']) {
      fs.mkdirSync(path.join(root, name), { recursive: true });
      fs.writeFileSync(path.join(root, name, 'owner.json'), dead);
    }
    fs.writeFileSync(path.join(root, 'interrupted', 'abc.json'), '{}');
    fs.writeFileSync(path.join(root, 'interrupted', 'def.json.999999.0a1b.tmp'), '{"half');
    fs.writeFileSync(path.join(root, 'interrupted', 'failed.txt'), 'training run … failed');
    expect(startSuiteRun(reports, 'interrupted')).toBe('interrupted');
    expect(fs.readdirSync(root)).toEqual(['interrupted']);
    // its runs are kept; the killed writer's temp file and the note of its failure go
    expect(fs.readdirSync(path.join(root, 'interrupted')).sort()).toEqual(['abc.json', 'owner.json']);
    expect(JSON.parse(fs.readFileSync(path.join(root, 'interrupted', 'owner.json'), 'utf8')).pid).toBe(process.pid);
    expect(() => startSuiteRun(reports, 'missing')).toThrow(/BN_SUITE_RUN_ID=missing: no such suite run .*interrupted/);
    expect(() => startSuiteRun(reports, '../x')).toThrow(/not a plain folder name/);
  });
});

describe('a real run (tiny)', () => {
  beforeAll(async () => {
    process.env.BN_QUIET = '1';
    await initBackend('wasm');
  });

  it('trains the protocol on the embedded data and reports history, validation and sharpness', async () => {
    const tiny = { ...S, depth: 8, width: 4, batch: 32, trainImages: 128, validationImages: 64, testImages: 64, epochs: 2 };
    const spec = runSpec('all', 0.05, 0, { S: tiny });
    // a matched loss every epoch reaches: measured at the end of epoch 1, and again at the end
    const r = await computeRun({ spec, sharpness: { images: 32, batch: 32, directions: 2, epsilon: 0.05, matchedLoss: 100 } });
    expect(r.diverged).toBeNull();
    expect(r.collapsed).toBe(false);
    expect(r.history.map((h) => h.epoch)).toEqual([1, 2]);
    expect(r.history[1]!.lr).toBeCloseTo(0.005, 10); // cut ×0.1 at half
    expect(r.final.valAcc).not.toBeNull();
    expect(r.final.testAcc).not.toBeNull();
    expect(r.sharpness!.matched).toMatchObject({ epoch: 1, step: 4 });
    expect(Number.isFinite(r.sharpness!.matched!.value)).toBe(true);
    expect(Number.isFinite(r.sharpness!.final.value)).toBe(true);
    // a matched loss no epoch reaches: none at the matched loss, still one at the end
    const never = await computeRun({ spec, sharpness: { images: 32, batch: 32, directions: 2, epsilon: 0.05, matchedLoss: 1e-6 } });
    expect(never.sharpness!.matched).toBeNull();
    expect(never.sharpness!.final.value).toBe(r.sharpness!.final.value);
    expect(r.key).toBe(runKey(spec));
  }, 120_000);

  it('a worker process of the training phase (train-worker.ts) computes the same run as this process', async () => {
    const tiny = { ...S, depth: 8, width: 4, batch: 32, trainImages: 128, validationImages: 64, testImages: 64, epochs: 1 };
    const req = { spec: runSpec('none', 0.05, 1, { S: tiny }) };
    const here = computeRun(req);
    const output: string[] = [];
    const worker = startWorker(path.join(path.dirname(new URL(import.meta.url).pathname), 'train-worker.ts'), (l) => output.push(l));
    try {
      const { result: there, peakRssMiB } = await worker.run(req);
      expect(there.computedBy.pid).toBe(worker.pid);
      expect(peakRssMiB).toBeGreaterThan(50); // tfjs and the wasm heap, at least
      const { computedBy: _a, seconds: _b, ...same } = await here;
      expect(there, output.join('\n')).toMatchObject(same);
    } finally {
      await worker.close();
    }
  }, 120_000);
});
