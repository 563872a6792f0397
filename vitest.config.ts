/**
 * Two projects:
 *   unit   — src/**\/*.test.ts: the library's unit and property tests (`npm test`).
 *   claims — claims/**\/*.spec.ts: the paper's claims (`npx vitest claims`, `npm run claims`).
 *
 * Claim files run in two forked worker processes (the wasm backend is single-threaded under
 * Node, so two processes are how two cores get used). When the run includes the claims, or
 * merges shards' blob reports (`vitest --merge-reports=reports/blob`), the vitest HTML report
 * goes to reports/vitest/ and the claims reporter (src/vitest/claims-reporter.ts) rebuilds
 * claims.json, the figures and index.html from the evidence attached to the tests; in a run the
 * claims' globalSetup rebuilds the summary page once more at the end. reports/ is BN_REPORTS_DIR
 * when set. Paths to this repository's own modules are absolute, so the config also serves a
 * project rooted elsewhere (`--root`), as the sharding test does.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
// `.js`: an extensionless import here makes vite warn on every run (its future native config
// loader needs extensions); TypeScript and vite's bundler map it to src/config.ts.
import { reportsDir } from './src/config.js';
import { ClaimsSequencer } from './src/vitest/claims-sequencer.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const argv = args.join(' ');
const mergesReports = args.some((a) => /^--merge-reports(=|$)/.test(a));
// `vitest claims`, `--project claims`, `claims/<file>`; not a file that merely has "claims" in its
// name (a unit test named so must not replace reports/vitest/; none is now: `npx vitest claims` filters by path, so the unit tests avoid the word).
const runsClaims =
  args.some((a) => /^(--project=)?claims$/.test(a) || /(^|\/)claims\//.test(a)) || mergesReports || process.env.BN_HTML_REPORT === '1';
const reports = reportsDir();
// BN_PROFILE is validated by the claims' globalSetup (one line, exit 2); here only smoke or not
const claimTimeout = (process.env.BN_PROFILE?.trim() || 'smoke') === 'smoke' ? 3_600_000 : 2 ** 31 - 1;

export default defineConfig({
  test: {
    // claim files start in a fixed order: the training claims first (src/vitest/claims-sequencer.ts)
    sequence: { sequencer: ClaimsSequencer },
    reporters:
      runsClaims && !/--reporter/.test(argv)
        ? [
            'default',
            ['html', { outputFile: path.join(reports, 'vitest', 'index.html') }],
            path.join(here, 'src/vitest/claims-reporter.ts'),
          ]
        : ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
          pool: 'forks',
          maxWorkers: 2,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'claims',
          include: ['claims/**/*.spec.ts'],
          pool: 'forks',
          maxWorkers: 2,
          // A smoke claim that runs past an hour is stuck. At full and paper a training claim waits
          // for the shared runs, which take longer than an hour on 2 cores (the first full run's
          // high-lr-benefit was killed at 60 min by a fixed timeout): no limit there but
          // setTimeout's largest (24.8 days).
          testTimeout: claimTimeout,
          hookTimeout: claimTimeout,
          globalSetup: [path.join(here, 'src/vitest/claims-global-setup.ts')],
          // hands the globalSetup's suite run to the training-run cache in each worker
          setupFiles: [path.join(here, 'src/vitest/worker-setup.ts')],
          // Progress lines (c.log, train()'s) must reach the terminal while a claim runs for hours.
          // Intercepted, a worker's console output is sent at the next await, and most claim bodies
          // loop over seeds synchronously, so every line came out when the test ended. Not
          // intercepted, it goes straight to the worker's stdout, which vitest pipes to its own.
          disableConsoleIntercept: true,
        },
      },
    ],
  },
});
