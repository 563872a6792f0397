/**
 * Two projects:
 *   unit   — src/**\/*.test.ts: the library's unit and property tests (`npm test`).
 *   claims — claims/**\/*.spec.ts: the paper's claims (`npx vitest claims`, `npm run claims`).
 *
 * Claim files run in two forked worker processes (the wasm backend is single-threaded under
 * Node, so two processes are how two cores get used). When the run includes the claims, the
 * vitest HTML report goes to reports/vitest/ and the claims' summary page is rebuilt at the end.
 */
import { defineConfig } from 'vitest/config';

const argv = process.argv.slice(2).join(' ');
const runsClaims = /\bclaims\b/.test(argv) || process.env.BN_HTML_REPORT === '1';

export default defineConfig({
  test: {
    reporters: runsClaims && !/--reporter/.test(argv)
      ? ['default', ['html', { outputFile: 'reports/vitest/index.html' }]]
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
          testTimeout: 3_600_000,
          hookTimeout: 3_600_000,
          globalSetup: ['src/report/claims-global-setup.ts'],
        },
      },
    ],
  },
});
