/**
 * Two projects:
 *   unit   — src/**\/*.test.ts: the library's unit and property tests, and claims/**\/*.test.ts: the
 *            claims' judges on synthetic inputs (`npm test`).
 *   claims — claims/**\/*.spec.ts: the paper's claims (`npx vitest claims`, `npm run claims`).
 *
 * The claims project brings two reporters of its own (src/vitest/), which run in vitest's main
 * process whatever `--reporter` says (its plugin adds them after the command line has replaced the
 * configured reporters): the training phase, which trains the selected training claims' runs
 * before any claim file starts, and the claims reporter, which writes claims.json, the figures and
 * index.html from the evidence attached to the tests (also when merging shards' blob reports,
 * `vitest --merge-reports=reports/blob`). Each does nothing when no claim runs. reports/ is
 * BN_REPORTS_DIR when set. Claim files run in forked worker processes, one per core by default
 * (the wasm backend is single-threaded under Node, so processes are how cores get used). Paths to this
 * repository's own modules are absolute, so the config also serves a project rooted elsewhere
 * (`--root`), as the sharding test does.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import type { Vitest } from 'vitest/node';
// `.js`: an extensionless import here makes vite warn on every run (its future native config
// loader needs extensions); TypeScript and vite's bundler map it to src/config.ts.
import { htmlReportForced, profileIfValid, reportsDir } from './src/config.js';
import { claimsWorkers, defaultWorkers } from './src/runs/workers.js';
import { ClaimsSequencer } from './src/vitest/claims-sequencer.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
/** A command-line argument that names the claims: the filter `claims`, or a claim spec's path. */
const namesClaims = (a: string) => /^claims\/?$/.test(a) || /(^|\/)claims\/[^/]+\.spec\.ts$/.test(a);
// `vitest run claims` is a file filter, which would also pick the unit tests whose path says
// "claims" (the judging tests beside the specs, src/vitest/claims-*.test.ts): named without a
// --project, the claims are the only project, so the command runs the claims and nothing else.
const onlyClaims = args.some(namesClaims) && !args.some((a) => a.startsWith('--project'));
// The vitest HTML report (reports/vitest/) shows a claims run, so it is written only when the
// command names the claims (`vitest claims`, `--project claims`, `claims/<id>.spec.ts`) or merges
// blob reports: `npm test` (`--project unit`) and the judges' unit tests must not replace it with
// the unit tests'. vitest creates its reporters before it knows which files run, so only the
// arguments can tell (`vitest list` runs nothing).
const unitOnly = args.some((a, i) => a === '--project=unit' || (a === '--project' && args[i + 1] === 'unit'));
const namesClaimRun = args.some(
  (a, i) => /^--project=claims$/.test(a) || (a === '--project' && args[i + 1] === 'claims') || namesClaims(a),
);
const htmlReport =
  (args[0] !== 'list' && !unitOnly && (namesClaimRun || args.some((a) => /^--merge-reports(=|$)/.test(a)))) || htmlReportForced();
// At paper scale (meant for a GPU) a claim may run for hours: no limit but setTimeout's largest
// (24.8 days). Elsewhere a claim that runs past an hour is stuck (the training claims only read
// the runs that the training phase computed before them).
const claimTimeout = profileIfValid() === 'paper' ? 2 ** 31 - 1 : 3_600_000;
// Claim files run in BN_WORKERS processes, by default one per core as memory allows
// (src/runs/workers.ts), as the training phase's runs do. A bad BN_WORKERS is reported in one line
// by the training phase's reporter when the claims start; vitest's --maxWorkers does not reach a
// project that sets its own.
let claimWorkers: number;
try {
  claimWorkers = claimsWorkers().workers;
} catch {
  claimWorkers = defaultWorkers().workers;
}

const unitProject = {
  test: {
    name: 'unit',
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts', 'claims/**/*.test.ts'],
    pool: 'forks' as const,
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
};

const claimsProject = {
  plugins: [
    {
      name: 'bn-claims-reporters',
      configureVitest({ vitest }: { vitest: Vitest }) {
        for (const file of ['training-phase.ts', 'claims-reporter.ts']) {
          const reporter = path.join(here, 'src', 'vitest', file);
          if (!vitest.config.reporters.some((r) => Array.isArray(r) && r[0] === reporter)) vitest.config.reporters.push([reporter, {}]);
        }
      },
    },
  ],
  test: {
    name: 'claims',
    include: ['claims/**/*.spec.ts'],
    // its workers die with this process, even SIGKILLed (src/runs/die-with-parent.ts)
    setupFiles: [path.join(here, 'src', 'vitest', 'claims-worker-setup.ts')],
    pool: 'forks' as const,
    maxWorkers: claimWorkers,
    // after the unit tests when one command runs both: vitest runs projects of different
    // maxWorkers in groups of their own
    sequence: { groupOrder: 1 },
    testTimeout: claimTimeout,
    hookTimeout: claimTimeout,
    // Progress lines (c.log) must reach the terminal while a claim runs. Intercepted, a
    // worker's console output is sent at the next await, and most claim bodies loop over
    // seeds synchronously, so every line came out when the test ended. Not intercepted, it
    // goes straight to the worker's stdout, which vitest pipes to its own.
    disableConsoleIntercept: true,
  },
};

export default defineConfig({
  test: {
    // the probe claims start longest first, the training claims after them (src/vitest/claims-sequencer.ts)
    sequence: { sequencer: ClaimsSequencer },
    reporters: htmlReport ? ['default', ['html', { outputFile: path.join(reportsDir(), 'vitest', 'index.html') }]] : ['default'],
    projects: [...(onlyClaims ? [] : [unitProject]), claimsProject],
  },
});
