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
  TRAINING_CLAIM_IDS,
  trainingSeeds,
  type Outcome,
  type SweepPoint,
} from './index';
import fc from 'fast-check';
import { startWorker } from './phase';
import { fakeRun } from './testing/fake-runs';
import { tinyScale } from './testing/tiny-scale';
import { config, setEnv } from '../config';

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
      { ...a, data: 'cifar10:/x' },
      { ...a, profile: 'paper' as const },
      { ...a, fault: 'bn-no-normalise' },
      { ...a, dataSeed: 7 },
      { ...a, evaluateEvery: 4 },
      { ...a, curveTestImages: 500 },
      { ...a, collapseCheckEvery: 7 },
      { ...a, schedule: { ...a.schedule, maxSteps: a.schedule.maxSteps + 1 } },
      { ...a, schedule: { ...a.schedule, threshold: a.schedule.threshold * 2 } },
    ];
    const keys = new Set([runKey(a), ...variants.map(runKey)]);
    expect(keys.size).toBe(variants.length + 1);
  });

  it('take the images from BN_DATA_SEED, not BN_SEED: another seed base trains on the same images (version 5)', () => {
    const before = config();
    const saved = { BN_SEED: String(before.seed), BN_DATA_SEED: String(before.dataSeed) };
    try {
      setEnv({ BN_SEED: '1000', BN_DATA_SEED: undefined });
      expect(runSpec('none', 0.1, 1003, { S }).dataSeed).toBe(0);
      setEnv({ BN_SEED: '0', BN_DATA_SEED: '9100' });
      expect(runSpec('none', 0.1, 3, { S }).dataSeed).toBe(9100);
    } finally {
      setEnv(saved);
    }
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
  const grid = [1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3];
  /** one point per sweep seed: [outcome or validation accuracy, ...] */
  const pts = (arm: SweepPoint['arm'], lr: number, ...per: (number | Outcome)[]): SweepPoint[] =>
    per.map((v, seed) => ({
      arm,
      lr,
      seed,
      steps: 100,
      outcome: typeof v === 'number' ? (v >= 0.5 ? 'learned' : 'did not learn') : v,
      valAcc: typeof v === 'number' ? v : null,
    }));
  /** BN learns everywhere with the given means (two seeds, ±0.01 around them) */
  const bn = (means: number[]) => grid.flatMap((lr, i) => pts('all', lr, means[i]! - 0.01, means[i]! + 0.01));
  const final = grid.flatMap((lr, i) =>
    pts('final', lr, ...(i < 4 ? [0.6 + 0.01 * i, 0.6 + 0.01 * i] : (['collapsed', 'collapsed'] as const))),
  );

  it('low = the largest rate the unnormalised net learns at in every seed with a step to spare; high = the smallest it fails at where BN learns within noise of its best', () => {
    const none = [
      ...pts('none', 1e-3, 0.6, 0.62),
      ...pts('none', 3e-3, 0.7, 0.7),
      ...pts('none', 1e-2, 0.72, 0.71),
      ...pts('none', 3e-2, 'collapsed', 'collapsed'),
      ...pts('none', 0.1, 'collapsed', 'diverged'),
      ...pts('none', 0.3, 'diverged', 'diverged'),
    ];
    const r = pickRates(grid, [...none, ...bn([0.6, 0.75, 0.78, 0.8, 0.8, 0.7]), ...final]);
    expect(r.low).toBe(3e-3); // 1e-2 learns, but the rate above it does not
    // 3e-2: the unnormalised net fails in every seed, BN learns at its best (version 1 of the rule
    // asked for a failing rate below too, and picked 0.1)
    expect(r.high).toBe(3e-2);
    expect(r.bestFinal).toBe(1e-2); // 3e-2 is its most accurate, but collapses one step up
    expect(r.bnBand!.best).toBe(3e-2); // ties keep the smaller rate
    expect(r.bnBand!.width).toBeCloseTo(2 * Math.sqrt(2e-4) * Math.sqrt(2 / 2), 12); // pooled sd √(2·0.01²/1)
  });

  it('a rate where one sweep seed fails is neither learned nor failed; BN outside its noise band is no high rate', () => {
    const none = [
      ...pts('none', 1e-3, 0.6, 0.6),
      ...pts('none', 3e-3, 0.7, 0.7),
      ...pts('none', 1e-2, 0.7, 'did not learn'), // goes either way
      ...pts('none', 3e-2, 'collapsed', 'collapsed'),
      ...pts('none', 0.1, 'collapsed', 'collapsed'),
      ...pts('none', 0.3, 'diverged', 'diverged'),
    ];
    // BN's best at 3e-3; at 0.1 it is 0.1 below: outside the band; at 0.3 too
    const r = pickRates(grid, [...none, ...bn([0.6, 0.8, 0.79, 0.75, 0.7, 0.6]), ...final]);
    expect(r.low).toBe(1e-3);
    expect(r.high).toBeNull();
    expect(r.why.high).toMatch(/noise band/);
    // with BN flat, 3e-2 (the smallest failing rate) is the high rate
    expect(pickRates(grid, [...none, ...bn([0.6, 0.8, 0.8, 0.8, 0.8, 0.8]), ...final]).high).toBe(3e-2);
    // BN collapsing in one sweep seed at a rate disqualifies it
    const bnCollapses = bn([0.6, 0.8, 0.8, 0.8, 0.8, 0.8]).map((p) =>
      p.lr === 3e-2 && p.seed === 0 ? { ...p, outcome: 'collapsed' as const, valAcc: 0.1 } : p,
    );
    expect(pickRates(grid, [...none, ...bnCollapses, ...final]).high).toBe(0.1);
  });

  it('no rate with a step to spare: null, with the reason', () => {
    const none = grid.flatMap((lr) => pts('none', lr, 'did not learn', 'did not learn'));
    const r = pickRates(grid, [...none, ...bn([0.6, 0.7, 0.7, 0.7, 0.7, 0.7])]);
    expect(r.low).toBeNull();
    expect(r.why.low).toMatch(/learns at no grid rate/);
    expect(r.high).toBe(3e-3); // the unnormalised net fails everywhere: the smallest where BN is within its band
    expect(r.bestFinal).toBeNull();
  });

  it('on any sweep: low learns with a step to spare, high is the smallest rate above low where the unnormalised net fails and BN learns within its band, bestFinal learns with one above', () => {
    const outcomeArb = fc.oneof(
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.constantFrom<Outcome>('collapsed', 'diverged', 'did not learn'),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(outcomeArb, outcomeArb), { minLength: grid.length * 3, maxLength: grid.length * 3 }), (cells) => {
        const points = (['none', 'all', 'final'] as const).flatMap((arm, a) =>
          grid.flatMap((lr, i) => pts(arm, lr, ...cells[a * grid.length + i]!)),
        );
        const r = pickRates(grid, points);
        const all = (arm: SweepPoint['arm'], lr: number, ok: (p: SweepPoint) => boolean) =>
          points.filter((p) => p.arm === arm && p.lr === lr).every(ok);
        const up = (lr: number) => grid[grid.indexOf(lr) + 1]!;
        if (r.low !== null) {
          expect(all('none', r.low, (p) => p.outcome === 'learned')).toBe(true);
          expect(all('none', up(r.low), (p) => p.outcome === 'learned')).toBe(true);
        }
        if (r.high !== null) {
          expect(all('none', r.high, (p) => p.outcome !== 'learned')).toBe(true);
          expect(all('all', r.high, (p) => p.outcome === 'learned')).toBe(true);
          expect(r.bnBand).not.toBeNull();
          if (r.low !== null) expect(r.high).toBeGreaterThan(up(r.low));
          // no smaller rate above low qualifies
          const mean = (lr: number) => {
            const v = points.filter((p) => p.arm === 'all' && p.lr === lr).map((p) => p.valAcc ?? 0);
            return v.reduce((a, b) => a + b, 0) / v.length;
          };
          for (const lr of grid.filter((x) => x < r.high! && (r.low === null || x > r.low)))
            expect(
              all('none', lr, (p) => p.outcome !== 'learned') &&
                all('all', lr, (p) => p.outcome === 'learned') &&
                mean(lr) >= r.bnBand!.mean - r.bnBand!.width,
            ).toBe(false);
        }
        if (r.bestFinal !== null) expect(all('final', up(r.bestFinal), (p) => p.outcome === 'learned')).toBe(true);
      }),
    );
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

  it('a run that collapsed serves a request for sharpness without it (computeRun measures none there)', () => {
    // the full profile's confirmatory run at BN_SEED=0 (2026-12-07): BN at 0.3 collapsed in two
    // seeds, and small-lr-sharper-minima crashed reading them instead of naming them
    const dir = tmp();
    const req = { spec: runSpec('all', 0.3, 2, { S }), sharpness: S.sharpness };
    const { sharpness: _, ...collapsed } = { ...fakeRun(req), collapsed: true, end: 'collapsed' as const };
    writeRun(dir, collapsed);
    expect(readRuns([req], dir)[0]).toMatchObject({ collapsed: true });
    expect(readRuns([req], dir)[0]!.sharpness).toBeUndefined();
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
    setEnv({ BN_QUIET: '1' });
    await initBackend('wasm');
  });

  it('trains the protocol on the embedded data and reports history, validation and sharpness', async () => {
    // windows of one epoch (4 steps) that must halve the loss: the second stalls (cut), the third ends it
    const schedule = { factor: 0.1, window: 4, threshold: 0.5, patience: 1, minAccuracy: 0, maxSteps: 16 };
    const tiny = tinyScale(schedule);
    const spec = runSpec('all', 0.05, 0, { S: tiny });
    // a matched loss every epoch reaches: measured at the end of epoch 1, and again at the end
    const r = await computeRun({ spec, sharpness: { images: 32, batch: 32, directions: 2, epsilon: 0.05, matchedLoss: 100 } });
    expect(r.diverged).toBeNull();
    expect(r.collapsed).toBe(false);
    expect(r.cutAt).not.toBeNull();
    expect(r.end).toBe('stalled after the cut');
    expect(r.steps).toBeLessThan(16);
    expect(r.history.at(-1)!.lr).toBeCloseTo(0.005, 10); // cut ×0.1
    expect(r.final.valAcc).not.toBeNull();
    expect(r.final.testAcc).not.toBeNull();
    expect(r.final.trainEvalAcc).not.toBeNull();
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
    const schedule = { ...S.schedule, maxSteps: 4 };
    const tiny = tinyScale(schedule);
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

describe('seeds per claim', () => {
  it('a claim takes its own count where the scale names one, the default elsewhere; every named claim is a training claim', () => {
    const S2 = { ...S, seeds: 3, claimSeeds: { 'low-lr-parity': 7 } };
    expect(trainingSeeds(S2, 'low-lr-parity')).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(trainingSeeds(S2, 'high-lr-benefit')).toEqual([0, 1, 2]);
    expect(trainingSeeds(S2)).toEqual([0, 1, 2]);
    for (const scale of Object.values(TRAINING_SCALES))
      for (const id of Object.keys(scale.claimSeeds ?? {})) expect(TRAINING_CLAIM_IDS as readonly string[]).toContain(id);
  });
});
