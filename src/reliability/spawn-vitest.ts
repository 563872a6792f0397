/**
 * Run real claim specs in a child vitest process, the way a person or CI starts them
 * (`vitest run --project claims <spec>`), with a chosen environment and its reports in a folder
 * of the test's own (BN_REPORTS_DIR), so the checkout's reports/ is never touched.
 *
 * The child gets the parent's environment minus every BN_* and VITEST* variable (a unit run's
 * own settings must not leak into the claim run), plus `env`. `--reporter=default` keeps the
 * vitest HTML report (reports/vitest/) out of it.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const VITEST = path.join(REPO_ROOT, 'node_modules', 'vitest', 'vitest.mjs');

export interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr interleaved as they came (read to the end), without colour codes */
  output: string;
  seconds: number;
}

export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(BN_|VITEST)/.test(k) && k !== 'NODE_ENV' && k !== 'TEST') out[k] = v;
  return { ...out, NO_COLOR: '1', FORCE_COLOR: '0', BN_QUIET: '1', ...env };
}

/** `vitest run --project claims <specs>` with `env`; resolves when the child exits. */
export function runClaimSpecs(specs: string[], env: Record<string, string>, timeoutMs = 300_000): Promise<ChildRun> {
  const t0 = performance.now();
  const p = spawn(process.execPath, [VITEST, 'run', '--project', 'claims', '--reporter=default', ...specs], {
    cwd: REPO_ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  p.stdout.on('data', (d) => (output += String(d)));
  p.stderr.on('data', (d) => (output += String(d)));
  const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    p.on('error', reject);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      // eslint-disable-next-line no-control-regex -- ANSI colour codes start with ESC
      resolve({ code, signal, output: output.replace(/\x1b\[[0-9;]*m/g, ''), seconds: (performance.now() - t0) / 1000 });
    });
  });
}
