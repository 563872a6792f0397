import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { setEnv } from '../config';
import { tinyScale } from './testing/tiny-scale';
import {
  computeRun,
  readCached,
  runKey,
  runSpec,
  sameUnderSchedule,
  TRAINING_SCALES,
  windowAccuracy,
  writeRun,
  type RunResult,
} from './index';

const S = TRAINING_SCALES.smoke;
const tmpDirs: string[] = [];
afterEach(() => {
  for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/**
 * A stored run at smoke's scale (2048 images, batch 64: 32 steps an epoch, windows of 32 steps),
 * its per-epoch training accuracy `accs`, cut after `cutAt`, ended after `steps` under `schedule`.
 */
function stored(o: { accs: number[]; cutAt: number | null; steps: number; schedule?: Partial<typeof S.schedule> }): RunResult {
  const spec = runSpec('none', 3e-3, 0, { S: { ...S, schedule: { ...S.schedule, ...o.schedule } } });
  return {
    key: runKey(spec),
    spec,
    end: o.steps < spec.schedule.maxSteps ? 'stalled after the cut' : 'step cap',
    diverged: null,
    collapsed: false,
    cutAt: o.cutAt,
    steps: o.steps,
    firstLoss: 2.3,
    history: o.accs.map((a, i) => ({
      epoch: i + 1,
      step: 32 * (i + 1),
      lr: 3e-3,
      trainLoss: 1,
      trainAcc: a,
      testAcc: null,
      testLoss: null,
    })),
    final: { trainAcc: 0.9, trainLoss: 0.3, trainEvalAcc: 0.95, valAcc: 0.7, valLoss: 1, testAcc: 0.7, testLoss: 1 },
    seconds: 1,
    computedBy: { pid: 1, host: 'test', at: '2026-12-07T00:00:00.000Z' },
  };
}
// smoke: window 32 steps = one epoch of 2048 / 64; cap 192 steps = 6 epochs; gate 0.2
const accs = [205, 614, 1229, 1302, 1434, 1475].map((c) => c / 2048);

describe('replaying a schedule on a stored run', () => {
  it('reads the cut window from whole epochs, as the rule divided it', () => {
    const r = stored({ accs, cutAt: 128, steps: 160 });
    expect(windowAccuracy(r, 128, 32)).toBe(1302 / 2048);
    expect(windowAccuracy(r, 128, 64)).toBe((1229 + 1302) / 4096);
    expect(windowAccuracy(r, 112, 32)).toBeUndefined(); // not an epoch's end
    expect(windowAccuracy({ ...r, history: r.history.filter((h) => h.epoch !== 4) }, 128, 32)).toBeUndefined();
    expect(windowAccuracy({ ...r, history: r.history.map((h) => ({ ...h, trainAcc: 0.33333 })) }, 128, 32)).toBeUndefined();
  });

  it('a stricter gate the cut window met, and a longer cap a run ended before: the same run', () => {
    const r = stored({ accs, cutAt: 128, steps: 160 });
    expect(sameUnderSchedule(r, r.spec.schedule).same).toBe(true);
    expect(sameUnderSchedule(r, { ...r.spec.schedule, minAccuracy: 1302 / 2048, maxSteps: 1000 }).same).toBe(true);
    const later = sameUnderSchedule(r, { ...r.spec.schedule, minAccuracy: 0.64 });
    expect(later).toMatchObject({ same: false, why: expect.stringMatching(/accuracy 0\.6357 < 0\.64: the new gate cuts later/) });
    // never cut, ended by its own rule (collapsed at step 64, say): a stricter gate changes nothing
    expect(
      sameUnderSchedule(
        { ...stored({ accs, cutAt: null, steps: 64 }), end: 'collapsed' },
        { ...S.schedule, minAccuracy: 0.9, maxSteps: 999 },
      ).same,
    ).toBe(true);
  });

  it('a run at its cap, a cap below where it ended, a looser gate or another rule: not the same', () => {
    const capped = stored({ accs, cutAt: 160, steps: 192 });
    expect(sameUnderSchedule(capped, { ...S.schedule, maxSteps: 400 })).toMatchObject({
      same: false,
      why: expect.stringMatching(/ended at its cap/),
    });
    expect(sameUnderSchedule(capped, { ...S.schedule }).same).toBe(true);
    const r = stored({ accs, cutAt: 128, steps: 160 });
    expect(sameUnderSchedule(r, { ...S.schedule, maxSteps: 150 }).same).toBe(false);
    expect(sameUnderSchedule(r, { ...S.schedule, minAccuracy: 0.1 }).same).toBe(false);
    for (const k of ['factor', 'window', 'threshold', 'patience'] as const)
      expect(sameUnderSchedule(r, { ...S.schedule, [k]: S.schedule[k] * 0.5 }).same).toBe(false);
  });

  it('the cache serves a request from a stored run it replays, under the request’s key, and no other', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bn-replay-'));
    tmpDirs.push(dir);
    const r = stored({ accs, cutAt: 128, steps: 160 });
    writeRun(dir, r);
    const same = runSpec('none', 3e-3, 0, { S: { ...S, schedule: { ...S.schedule, minAccuracy: 0.6, maxSteps: 1000 } } });
    const got = readCached(dir, { spec: same });
    expect(got).toMatchObject({ key: runKey(same), spec: same, replayedFrom: r.key, cutAt: 128, steps: 160 });
    const stricter = runSpec('none', 3e-3, 0, { S: { ...S, schedule: { ...S.schedule, minAccuracy: 0.7 } } });
    expect(readCached(dir, { spec: stricter })).toBeUndefined();
    // another seed is another run, whatever its schedule
    expect(readCached(dir, { spec: runSpec('none', 3e-3, 1, { S: { ...S, schedule: same.schedule } }) })).toBeUndefined();
  });
});

describe('replay against real training (tiny)', () => {
  beforeAll(async () => {
    setEnv({ BN_QUIET: '1' });
    await initBackend('wasm');
  });

  it('what the replay calls the same run trains to the same numbers; what it calls another run does not', async () => {
    // windows of one epoch (4 steps) that must halve the loss: the second stalls and cuts, the third ends it
    const rule = { factor: 0.1, window: 4, threshold: 0.5, patience: 1, minAccuracy: 0, maxSteps: 16 };
    const tiny = tinyScale;
    const a = await computeRun({ spec: runSpec('all', 0.05, 0, { S: tiny(rule) }) });
    expect(a.cutAt).not.toBeNull();
    expect(a.steps).toBeLessThan(16);
    const atCut = windowAccuracy(a, a.cutAt!, rule.window)!;
    const sameRule = { ...rule, minAccuracy: atCut, maxSteps: 40 };
    expect(sameUnderSchedule(a, sameRule).same).toBe(true);
    const b = await computeRun({ spec: runSpec('all', 0.05, 0, { S: tiny(sameRule) }) });
    const strip = ({ key: _k, spec: _s, seconds: _t, computedBy: _c, ...rest }: RunResult) => rest;
    expect(strip(b)).toEqual(strip(a));
    const laterRule = { ...rule, minAccuracy: Math.min(1, atCut + 1 / 128), maxSteps: 40 };
    expect(sameUnderSchedule(a, laterRule).same).toBe(false);
    const c = await computeRun({ spec: runSpec('all', 0.05, 0, { S: tiny(laterRule) }) });
    expect(c.cutAt).not.toBe(a.cutAt);
  }, 180_000);
});
