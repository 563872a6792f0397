/**
 * Starting a claim run with a bad BN_* value stops before any claim runs, with the one readable
 * line (which variable, what value, what is allowed), exit code 2, no zod internals or stack,
 * and nothing written: the reports folder (BN_REPORTS_DIR) is not even created. The spec run is
 * the cheapest claim (pure JS), so a regression that let it start would show as a test result.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runClaimSpecs } from './testing/spawn-vitest';

const SPEC = 'claims/gaussian-product-spectra.spec.ts';

describe('a claim run started with a bad environment', () => {
  it('fails at start-up with one line naming the variable and the allowed values, writing nothing', async () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'bn-bad-env-'));
    const cases: { env: Record<string, string>; lines: string[] }[] = [
      { env: { BN_PROFILE: 'bogus' }, lines: ['BN_PROFILE="bogus" is not valid: expected one of smoke | full | paper'] },
      {
        env: { BN_SEED: '-3', BN_FAULT: 'all', BN_SEEDS: '0' },
        lines: [
          'BN_FAULT="all" is not valid: expected one of none | bn-no-normalise; BN_SEED="-3" is not valid: expected a non-negative integer; ' +
            'BN_SEEDS="0" is not valid: expected a positive integer (1..99)',
        ],
      },
    ];
    const runs = await Promise.all(
      cases.map((c, i) => {
        const reports = path.join(base, `reports-${i}`);
        return runClaimSpecs([SPEC], { ...c.env, BN_REPORTS_DIR: reports }).then((r) => ({ ...r, reports, ...c }));
      }),
    );
    for (const r of runs) {
      const what = JSON.stringify(r.env);
      expect(r.code, `${what}\n${r.output}`).toBe(2);
      for (const line of r.lines) expect(r.output, what).toContain(line);
      // The error is one line of the output, alone on it.
      const errorLines = r.output.split('\n').filter((l) => /BN_[A-Z]+=".*" is not valid/.test(l));
      expect(errorLines, what).toHaveLength(1);
      expect(errorLines[0]!.trim().startsWith('BN_'), what).toBe(true);
      // No stack, no zod internals, no test ran, no "no test files" noise.
      expect(r.output, what).not.toMatch(/\n\s+at |❯ .*\.ts:\d+|ZodError|invalid_value|"code":|Test Files|No test files found/);
      expect(fs.existsSync(r.reports), `${what}: ${r.reports} was created`).toBe(false);
    }
    fs.rmSync(base, { recursive: true, force: true });
  }, 120_000);
});
