/**
 * Run real claim specs in a child vitest process, the way a person or CI starts them
 * (`vitest run --project claims <spec>`), with a chosen environment and its reports in a folder
 * of the test's own (BN_REPORTS_DIR), so the checkout's reports/ is never touched. The child is
 * runVitest's (src/vitest/testing/fake-claims-project.ts): the parent's environment minus every
 * BN_* and VITEST* variable, plus `env`; but the backend and data BN_* say, not the fake claims'
 * cpu and synthetic data. `--reporter=default` keeps the vitest HTML report (reports/vitest/) out.
 */
import { REPO_ROOT, runVitest, type VitestRun } from '../../vitest/testing/fake-claims-project';

export { REPO_ROOT };

/** `vitest run --project claims <specs>` with `env`; resolves when the child exits. */
export async function runClaimSpecs(
  specs: string[],
  env: Record<string, string>,
  timeoutMs = 300_000,
): Promise<VitestRun & { seconds: number }> {
  const t0 = performance.now();
  const args = ['run', '--project', 'claims', '--reporter=default', ...specs];
  const r = await runVitest(REPO_ROOT, args, { BN_BACKEND: '', BN_DATA: '', BN_QUIET: '1', ...env }, { timeoutMs });
  return { ...r, seconds: (performance.now() - t0) / 1000 };
}
