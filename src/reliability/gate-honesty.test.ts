/**
 * Gate honesty: break BN on purpose through the library's own configuration
 * (BN_FAULT=bn-no-normalise: BN keeps γ, β and the running averages but skips the normalisation;
 * no file is edited), run one real BN claim in a child vitest process into a reports folder of
 * our own, and check that the claim's record says 'fails' and the gate exits 1 against a
 * baseline that expects it to hold. The control, the same run without the fault, must hold and
 * pass the gate: otherwise the first half would prove nothing (a claim that always fails).
 *
 * The claim is moments-grow-with-depth, the cheapest BN claim (forward passes of ResNet-110 at
 * init). The two runs go in
 * parallel: ~15–25 s on a quiet 2-core machine, more under load, hence the generous timeout.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGate } from '../report/gate';
import { readRecords } from '../report/records';
import type { Baseline } from '../report/schema';
import { runClaimSpecs } from './testing/spawn-vitest';

const ID = 'moments-grow-with-depth';
const SPEC = `claims/${ID}.spec.ts`;
/**
 * The claim's own 20 seeds: its BN arm is an equivalence test (TOST) whose margin needs them (the
 * within-stage BN slopes vary between seeds with sd ~3e-3: with three seeds the interval's
 * half-width at two degrees of freedom, ~5e-3, is wider than the ±0.0045 margin, so the control
 * would fail for want of seeds, not of BN). Forward passes only: ~1 s a seed.
 */
const SEEDS = '20';

describe('gate honesty: a deliberately broken BN', () => {
  it('makes the BN claim fail and the gate exit 1; without the fault it holds and the gate passes', async () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'bn-gate-honesty-'));
    const dirs = { fault: path.join(base, 'fault'), control: path.join(base, 'control') };
    const baselineFile = path.join(base, 'baseline.json');
    const baseline: Baseline = { version: 1, profile: 'smoke', claims: { [ID]: { expected: 'holds' } } };
    fs.writeFileSync(baselineFile, JSON.stringify(baseline));

    const [fault, control] = await Promise.all([
      runClaimSpecs([SPEC], { BN_PROFILE: 'smoke', BN_SEEDS: SEEDS, BN_FAULT: 'bn-no-normalise', BN_REPORTS_DIR: dirs.fault }),
      runClaimSpecs([SPEC], { BN_PROFILE: 'smoke', BN_SEEDS: SEEDS, BN_REPORTS_DIR: dirs.control }),
    ]);

    // The broken run: the vitest test fails, the record says 'fails' (not 'error': the claim ran
    // and its assertion about BN did not hold), and with the fault BN's slopes equal no-BN's.
    expect(fault.code, fault.output).toBe(1);
    const [rec] = readRecords(dirs.fault);
    expect(rec!.id).toBe(ID);
    expect(rec!.verdict, JSON.stringify(rec!.assertions)).toBe('fails');
    expect(rec!.profile).toBe('smoke');
    expect(rec!.scale.seeds).toBe(20);
    const failed = rec!.assertions.filter((a) => !a.passed).map((a) => a.description);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((d) => d.startsWith('with BN'))).toBe(true); // the no-BN arm still behaves
    const stat = (name: string) => rec!.statistics.find((s) => s.name === name)!.value!;
    expect(stat('slope of ln std per layer, BN (mean over seeds)')).toBeCloseTo(
      stat('slope of ln std per layer, no BN (mean over seeds)'),
      6,
    );
    expect(fs.existsSync(path.join(dirs.fault, `${ID}.svg`))).toBe(true);

    const gate = runGate(['--reports', dirs.fault, '--baseline', baselineFile]);
    expect(gate.code, gate.output).toBe(1);
    expect(gate.output).toMatch(new RegExp(`^${ID}\\s+holds\\s+fails\\s+REGRESSION: expected to hold$`, 'm'));
    expect(gate.output).toContain(`FAILED: 1 regression:\n  - ${ID}: expected to hold (baseline holds, now fails)`);

    // The control: same claim, same seeds, BN intact.
    expect(control.code, control.output).toBe(0);
    const [ok] = readRecords(dirs.control);
    expect(ok!.verdict, JSON.stringify(ok!.assertions)).toBe('holds');
    const okGate = runGate(['--reports', dirs.control, '--baseline', baselineFile]);
    expect(okGate.code, okGate.output).toBe(0);
    expect(okGate.output).toContain('OK: no regression (1 hold, 0 fail as the baseline expects)');

    // Nothing of this went to the checkout's reports folder: the runs wrote only where asked.
    // (no .runs either: the training phase makes a run cache only when training claims are selected)
    for (const d of Object.values(dirs)) expect(fs.readdirSync(d).sort()).toEqual(['claims.json', 'index.html', `${ID}.svg`]);
    fs.rmSync(base, { recursive: true, force: true }); // kept when a check above fails, to look at
    console.log(`[gate-honesty] fault run ${fault.seconds.toFixed(1)} s, control ${control.seconds.toFixed(1)} s (in parallel)`);
  }, 300_000);
});
