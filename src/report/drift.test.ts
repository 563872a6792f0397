/**
 * The gate sees drift (drift.ts, gate.ts): a key statistic that moves beyond its tolerance fails
 * the gate even with the verdict unchanged; no tolerance means verdict only; `--update` rewrites
 * the baseline from a run, keeping the reasons, with tolerances from the spread between seed bases
 * (else the run's confidence intervals).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBaseline } from './baseline';
import { runGate } from './gate';
import { serializeRecords } from './records';
import type { Baseline, ClaimRecord } from './schema';
import { fakeRecord } from './testing/fake-records';

const REASON = 'precondition not met at the smoke scale: the unnormalised net does not learn (mean 0.174)';

/** An inconclusive claim whose key statistics are the paper-facing ones; `accuracy` is the one the tests move. */
function inconclusive(accuracy: number, ratio = 1.02): ClaimRecord {
  return fakeRecord('high-lr-benefit', {
    verdict: 'inconclusive',
    statistics: [
      { name: 'BN test accuracy at the high rate (mean over seeds)', value: accuracy, paper: '~0.93' },
      {
        name: 'BN: high − low rate test accuracy (mean paired difference)',
        value: 0.024,
        ci: [0.016, 0.032],
        p: 0.0006,
        paper: '+2.5 points',
      },
      { name: 'ratio', value: ratio, paper: '~1' },
      { name: 'sweep all lr=0.1: validation accuracy', value: 0.807 }, // bookkeeping: neither paper nor ci
    ],
  });
}
const holds = () => fakeRecord('a-holds');

function project(records: ClaimRecord[], baseline?: Baseline, seeds?: Record<number, ClaimRecord[]>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bn-drift-'));
  fs.mkdirSync(path.join(dir, 'reports'));
  fs.mkdirSync(path.join(dir, 'claims'));
  fs.writeFileSync(path.join(dir, 'reports', 'claims.json'), serializeRecords(records));
  if (baseline) fs.writeFileSync(path.join(dir, 'claims', 'baseline.json'), JSON.stringify(baseline, null, 2));
  for (const [base, rs] of Object.entries(seeds ?? {})) {
    fs.mkdirSync(path.join(dir, 'reports', 'seeds', base), { recursive: true });
    fs.writeFileSync(path.join(dir, 'reports', 'seeds', base, 'claims.json'), serializeRecords(rs));
  }
  return dir;
}
const replaceRecords = (dir: string, records: ClaimRecord[]) =>
  fs.writeFileSync(path.join(dir, 'reports', 'claims.json'), serializeRecords(records));
const baselineOf = (dir: string) => readBaseline(path.join(dir, 'claims', 'baseline.json')).baseline!;

const BASELINE: Baseline = {
  version: 1,
  profile: 'smoke',
  claims: {
    'a-holds': { expected: 'holds' },
    'high-lr-benefit': {
      expected: 'inconclusive',
      reason: REASON,
      statistics: {
        'BN test accuracy at the high rate (mean over seeds)': { value: 0.685, tolerance: 0.03, from: '3 × sd over BN_SEED 0, 1000, 2000' },
        ratio: { value: 1.02 }, // no tolerance: not compared
      },
    },
  },
};

describe('the gate on key statistics', () => {
  it('halving a statistic of an inconclusive claim is exit 1, its verdict unchanged', () => {
    const r = runGate([], project([holds(), inconclusive(0.685 / 2)], BASELINE));
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(/^high-lr-benefit\s+inconclusive\s+inconclusive\s+REGRESSION: drift: "BN test accuracy at the high rate/m);
    expect(r.output).toContain(
      'FAILED: 1 regression:\n  - high-lr-benefit: drift beyond the baseline\'s tolerance (baseline inconclusive, now inconclusive):\n      "BN test accuracy at the high rate (mean over seeds)" = 0.3425, baseline 0.685 ± 0.03 (moved -0.3425)',
    );
  });

  it('within the tolerance, or without one (verdict only), is exit 0', () => {
    const within = runGate([], project([holds(), inconclusive(0.685 - 0.029, 0.5)], BASELINE));
    expect(within.code, within.output).toBe(0);
    expect(within.output).toContain(
      'OK: no regression (1 hold, 0 fail as the baseline expects, 1 inconclusive as expected; 1 key statistic within tolerance)',
    );
    // the ratio halved, but it has no tolerance: verdict only
    const noTolerance = structuredClone(BASELINE);
    delete noTolerance.claims['high-lr-benefit']!.statistics!['BN test accuracy at the high rate (mean over seeds)']!.tolerance;
    const r = runGate([], project([holds(), inconclusive(0.685 / 2, 0.51)], noTolerance));
    expect(r.code, r.output).toBe(0);
    expect(r.output).not.toContain('key statistic');
  });

  it('a statistic no longer recorded, or now not finite, is drift too', () => {
    const gone = inconclusive(0.685);
    gone.statistics = gone.statistics.filter((s) => !s.name.startsWith('BN test accuracy'));
    const r = runGate([], project([holds(), gone], BASELINE));
    expect(r.code).toBe(1);
    expect(r.output).toContain(
      '"BN test accuracy at the high rate (mean over seeds)" is no longer recorded (baseline 0.685 ± 0.03; renamed? update the baseline)',
    );
    const nan = inconclusive(0.685);
    nan.statistics[0] = { ...nan.statistics[0]!, value: null, note: 'measured value was NaN (not finite)' };
    expect(runGate([], project([holds(), nan], BASELINE)).output).toContain(
      '"BN test accuracy at the high rate (mean over seeds)" = n/a, baseline 0.685 ± 0.03',
    );
  });

  it('with a changed verdict the move is reported, not a second regression', () => {
    const now = { ...inconclusive(0.3), verdict: 'fails' as const, preconditions: [], assertions: [{ description: 'x', passed: false }] };
    const r = runGate([], project([holds(), now], BASELINE));
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain('changed: high-lr-benefit was inconclusive, is fails: update the baseline');
    expect(r.output).toContain(
      'moved with the verdict: high-lr-benefit: "BN test accuracy at the high rate (mean over seeds)" = 0.3, baseline 0.685 ± 0.03',
    );
  });
});

describe('npm run gate -- --update', () => {
  it('rewrites the baseline from a run: verdicts and key statistics, reasons kept, tolerances from the seed bases', () => {
    const seeds = { 0: [holds(), inconclusive(0.685)], 1000: [holds(), inconclusive(0.7)], 2000: [holds(), inconclusive(0.675, 1.05)] };
    const old: Baseline = { ...BASELINE, claims: { ...BASELINE.claims, 'kept-claim': { expected: 'fails', reason: 'not run this time' } } };
    old.claims['high-lr-benefit'] = { expected: 'inconclusive', reason: REASON, measured: { by_hand: 3 } };
    const dir = project([holds(), inconclusive(0.685)], old, seeds);
    const r = runGate(['--update'], dir);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(
      /^gate --update: wrote claims\/baseline\.json \(smoke profile, 3 claims\) from reports\/claims\.json; 5 of 5 key statistics with a tolerance \(seed bases 0, 1000, 2000 from reports\/seeds\)/,
    );
    const b = baselineOf(dir);
    expect(b.claims['kept-claim']).toEqual({ expected: 'fails', reason: 'not run this time' }); // no record: as it was
    const e = b.claims['high-lr-benefit']!;
    expect(e).toMatchObject({ expected: 'inconclusive', reason: REASON, measured: { by_hand: 3 } });
    // 3 × sd over the bases, rounded up to 3 digits: accuracy 0.685, 0.7, 0.675 → sd 0.01258
    expect(e.statistics!['BN test accuracy at the high rate (mean over seeds)']).toEqual({
      value: 0.685,
      tolerance: 0.0378,
      from: '3 × sd over BN_SEED 0, 1000, 2000',
    });
    expect(Object.keys(e.statistics!)).toEqual([
      'BN test accuracy at the high rate (mean over seeds)',
      'BN: high − low rate test accuracy (mean paired difference)',
      'ratio',
    ]); // the sweep's bookkeeping is not a key statistic
    expect(fs.readFileSync(path.join(dir, 'claims', 'baseline.json'), 'utf8')).toMatch(/^\{\n {2}"version": 1,\n[\s\S]*\}\n$/);

    // the gate now passes on the same run, and fails on the halved statistic
    expect(runGate([], dir).code).toBe(0);
    replaceRecords(dir, [holds(), inconclusive(0.685 / 2)]);
    expect(runGate([], dir).code).toBe(1);
  });

  it("without seed bases, takes a statistic's CI width, else keeps its old tolerance, else none (verdict only)", () => {
    const dir = project([holds(), inconclusive(0.6)], BASELINE);
    const r = runGate(['--update'], dir);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain('(no seed bases: from the run alone)');
    expect(r.output).toContain('high-lr-benefit: no spread to derive a tolerance from (verdict only) for "ratio"');
    const s = baselineOf(dir).claims['high-lr-benefit']!.statistics!;
    expect(s['BN: high − low rate test accuracy (mean paired difference)']).toEqual({
      value: 0.024,
      tolerance: 0.016,
      from: "the width of the run's confidence interval",
    });
    expect(s['BN test accuracy at the high rate (mean over seeds)']).toEqual({
      value: 0.6,
      tolerance: 0.03,
      from: '3 × sd over BN_SEED 0, 1000, 2000',
    });
    expect(s.ratio).toEqual({ value: 1.02 });
  });

  it('a new failing or inconclusive verdict gets a drafted reason to review; a crash keeps its entry and is exit 1', () => {
    const fails = fakeRecord('a-holds', { verdict: 'fails' });
    const dir = project([fails, fakeRecord('high-lr-benefit', { verdict: 'error' })], BASELINE);
    const r = runGate(['--update'], dir);
    expect(r.code, r.output).toBe(1);
    expect(r.output).toContain('a-holds: was holds, now fails: a drafted reason to review');
    expect(r.output).toContain('gate --update: high-lr-benefit crashed: their entries are kept as they were');
    const b = baselineOf(dir);
    expect(b.claims['a-holds']!.reason).toMatch(
      /^does not replicate: ratio above 10 \(ratio 2\.1 ≤ 10\)\. \[Drafted by npm run gate -- --update from the run of 2025-01-02 at BN_SEED=0: say why, with the numbers\.\]$/,
    );
    expect(b.claims['high-lr-benefit']).toEqual(BASELINE.claims['high-lr-benefit']);
  });

  it('writes a first baseline for a profile that has none, and never overwrites a malformed one', () => {
    const dir = project([{ ...holds(), profile: 'full' }]);
    const r = runGate(['--update'], dir);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain('wrote claims/baseline-full.json (full profile, 1 claims)');
    fs.writeFileSync(path.join(dir, 'claims', 'baseline-full.json'), '{"version":1,');
    expect(runGate(['--update'], dir)).toMatchObject({ code: 2, output: expect.stringContaining('is not valid JSON') });
    expect(fs.readFileSync(path.join(dir, 'claims', 'baseline-full.json'), 'utf8')).toBe('{"version":1,');
  });
});
