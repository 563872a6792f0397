/**
 * What a person sees: the summary page and the vitest HTML report, opened in headless Chromium
 * (Debian's /usr/bin/chromium through playwright-core; CHROMIUM_PATH overrides). Screenshots go
 * to reports/screenshots/. Without Chromium the tests are skipped with a line saying so, except
 * under BN_REQUIRE_SYSTEM_PACKAGES=1 (.ci/run), where that is a failure.
 *
 * None of this needs a real claims run: a temp reports folder with two fake records and their
 * figures is built first. reports/vitest/index.html is checked only when a claims run made one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, chromiumPath } from '../config';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CLAIMS } from '../../claims/catalogue';
import { renderFigure, saveFigure } from './figures';
import { writeIndexHtml } from './html';
import { writeRecord } from './records';
import type { Baseline } from './schema';
import { fakeRecord } from './testing/fake-records';
import { serveDir } from './testing/static-server';
import { systemPackage } from '../vitest/testing/system-package';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const screenshots = path.join(repo, 'reports', 'screenshots');

function findChromium(): string | undefined {
  const candidates = [chromiumPath(), '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  return candidates.find((c): c is string => !!c && fs.existsSync(c));
}
const executablePath = findChromium();
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const hasChromium = systemPackage(
  'Chromium',
  !!executablePath,
  'the browser tests need /usr/bin/chromium (or CHROMIUM_PATH): apt-get install chromium',
);

/** A page that may only reach file:, data: and 127.0.0.1; anything else is aborted and noted. */
async function openPage(browser: Browser, blocked: string[], errors: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.protocol === 'file:' || u.protocol === 'data:' || u.hostname === '127.0.0.1') return route.continue();
    blocked.push(u.href);
    return route.abort();
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return page;
}

describe.skipIf(!hasChromium)('in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath, args: ARGS });
    fs.mkdirSync(screenshots, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('reports/index.html shows every claim, its verdict and its figure', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bn-browser-'));
    // Two real vega figures: their clip-path ids collide unless the page scopes them.
    const fig1 = await renderFigure({
      kind: 'histograms',
      title: 'gradients',
      panels: [
        { title: 'with BN', values: Array.from({ length: 500 }, (_, i) => Math.sin(i) * 0.02) },
        { title: 'w/o BN', values: Array.from({ length: 500 }, (_, i) => Math.tan(i) * 0.1), xDomain: [-4, 4], logY: true },
      ],
    });
    const fig2 = await renderFigure({
      kind: 'barsWithCI',
      bars: [
        { name: 'no BN', value: 0.6, ci: [0.55, 0.65] },
        { name: 'final', value: 0.7 },
        { name: 'all', value: 0.75 },
      ],
      annotation: 'recovery = 0.67',
    });
    writeRecord(fakeRecord('heavy-tailed-gradients', { figure: saveFigure('heavy-tailed-gradients', fig1, dir) }), dir);
    writeRecord(
      fakeRecord('final-layer-bn-recovers-two-thirds', {
        verdict: 'fails',
        paper: '§4',
        figure: saveFigure('final-layer-bn-recovers-two-thirds', fig2, dir),
      }),
      dir,
    );
    const baseline: Baseline = {
      version: 1,
      profile: 'smoke',
      claims: { 'final-layer-bn-recovers-two-thirds': { expected: 'fails', reason: 'recovery 0.2 [−0.3, 0.7] at 2 epochs' } },
    };
    fs.writeFileSync(path.join(dir, 'baseline.json'), JSON.stringify(baseline));
    const { file, warnings } = writeIndexHtml(dir, path.join(dir, 'baseline.json'));
    expect(warnings).toEqual([]);

    const blocked: string[] = [];
    const errors: string[] = [];
    const page = await openPage(browser, blocked, errors);
    await page.goto(pathToFileURL(file).href);
    await expect.poll(() => page.locator('section.claim').count()).toBe(CLAIMS.length);
    for (const [id, verdict] of [
      ['heavy-tailed-gradients', 'holds'],
      ['final-layer-bn-recovers-two-thirds', 'fails'],
    ] as const) {
      const section = page.locator(`section.claim[data-claim-id="${id}"]`);
      expect(await section.isVisible()).toBe(true);
      expect(await section.getAttribute('data-verdict')).toBe(verdict);
      expect(await section.locator('.badge').first().innerText()).toBe(verdict.toUpperCase());
      const svg = section.locator(`figure[data-figure-for="${id}"] svg`);
      const box = await svg.boundingBox();
      expect(box, id).not.toBeNull();
      expect(box!.width).toBeGreaterThan(200);
      expect(box!.height).toBeGreaterThan(100);
      // the figure really drew marks (bars), not an empty frame
      const drawn = await svg.evaluate(
        (el) => Array.from(el.querySelectorAll('g.role-mark path')).filter((p) => p.getBoundingClientRect().width > 0).length,
      );
      expect(drawn, id).toBeGreaterThan(2);
      expect(await section.locator('table.stats tbody tr').count()).toBe(3);
    }
    expect(await page.locator('section.claim[data-verdict="not-run"]').count()).toBe(CLAIMS.length - 2); // two claims have records
    await expect.poll(() => page.getByText('Does not replicate at this scale').isVisible()).toBe(true);
    // The histogram's bars stay inside their own clip region (ids scoped per figure).
    const clipIds = await page.locator('clipPath').evaluateAll((els) => els.map((e) => e.id));
    expect(new Set(clipIds).size).toBe(clipIds.length);
    await page.screenshot({ path: path.join(screenshots, 'index.png'), fullPage: true });
    expect(blocked).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('the vitest HTML report shows a claim’s annotations and figure', async () => {
    // A one-test vitest run in a scratch folder inside the repo (so `vitest` resolves), with the
    // html reporter, then the report served over http as the UI needs.
    const scratch = fs.mkdtempSync(path.join(repo, 'reports', '.tmp-browser-'));
    try {
      const rel = (p: string) => path.relative(scratch, p).split(path.sep).join('/');
      fs.writeFileSync(
        path.join(scratch, 'evidence.spec.ts'),
        `import { it } from 'vitest';
import { attachEvidence } from '${rel(path.join(here, '..', 'vitest', 'annotate'))}';
import { renderFigure } from '${rel(path.join(here, 'figures'))}';
import { fakeRecord } from '${rel(path.join(here, 'testing', 'fake-records'))}';
it('fake claim with evidence', async (ctx) => {
  const svg = await renderFigure({ kind: 'barsWithCI', title: 'three arms', bars: [{ name: 'a', value: 1, ci: [0.5, 1.5] }, { name: 'b', value: 2 }] });
  await attachEvidence(ctx, fakeRecord('fake-claim'), svg);
});
`,
      );
      fs.writeFileSync(path.join(scratch, 'vitest.config.mjs'), "export default { test: { include: ['evidence.spec.ts'] } };\n");
      const env = childEnv({}, (k) => k.startsWith('VITEST') || k === 'NODE_OPTIONS');
      const run = spawnSync(
        path.join(repo, 'node_modules', '.bin', 'vitest'),
        ['run', '--root', '.', '--config', 'vitest.config.mjs', '--reporter=html', '--outputFile=html/index.html'],
        {
          cwd: scratch,
          env,
          encoding: 'utf8',
          timeout: 60_000,
        },
      );
      expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
      await checkVitestReport(path.join(scratch, 'html'), 'vitest-fixture.png', {
        test: 'fake claim with evidence',
        verdict: 'HOLDS: Fake claim fake-claim',
      });
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }, 90_000);

  const realReport = path.join(repo, 'reports', 'vitest', 'index.html');
  it.skipIf(!fs.existsSync(realReport))(
    'reports/vitest/index.html (from the last claims run) lists its tests and draws every attached figure',
    async () => {
      await checkVitestReport(path.dirname(realReport), 'vitest-report.png', undefined, async (page) => {
        // Click every test (explorer items that are not files) and check its image attachments.
        const items = page.locator('[data-testid="explorer-item"]');
        const labels = await items.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
        let tests = 0;
        for (const label of labels) {
          if (/\.[cm]?[jt]sx?$/.test(label)) continue;
          // the explorer is a tree: tests inside a collapsed file, or scrolled out of its virtual
          // list, are not rendered visibly; check the ones that are
          // re-found by its label: clicking re-renders the list, so indices go stale
          const item = page.locator(`[data-testid="explorer-item"][aria-label="${label.replace(/"/g, '\\"')}"]`).first();
          if (!(await item.isVisible())) continue;
          tests++;
          await item.scrollIntoViewIfNeeded({ timeout: 10_000 }).catch(() => {});
          await item.dispatchEvent('click');
          await expect.poll(() => page.locator('[data-testid="report"]').count(), { timeout: 10_000 }).toBeGreaterThan(0);
          const imgs = page.locator('[data-testid="report"] img[src^="data:image/"]');
          for (let k = 0; k < (await imgs.count()); k++) {
            await expect
              .poll(() => imgs.nth(k).evaluate((el) => (el as HTMLImageElement).naturalWidth), {
                timeout: 10_000,
                message: `${label}: figure ${k}`,
              })
              .toBeGreaterThan(0);
          }
        }
        expect(tests).toBeGreaterThan(0);
      });
    },
    90_000,
  );

  /** Open a vitest HTML report; with `want`, click that test and check its annotations. */
  async function checkVitestReport(
    dir: string,
    shot: string,
    want?: { test: string; verdict: string },
    more?: (page: Page) => Promise<void>,
  ): Promise<void> {
    const server = await serveDir(dir);
    const blocked: string[] = [];
    const errors: string[] = [];
    const page = await openPage(browser, blocked, errors);
    try {
      await page.goto(`${server.url}index.html`);
      await expect.poll(() => page.getByText(/PASS \(\d+\)/).count(), { timeout: 20_000 }).toBeGreaterThan(0);
      expect(await page.getByText('No tests found').count()).toBe(0);
      if (want) {
        await page.getByText(want.test).first().click();
        await expect.poll(() => page.getByText('Test Annotations').count(), { timeout: 20_000 }).toBeGreaterThan(0);
        for (const t of [want.verdict, 'ratio = 102.5 ×, p = 0.004   (paper: ~100×)', '✓ ratio above 10']) {
          expect(await page.getByText(t, { exact: false }).first().isVisible(), t).toBe(true);
        }
        const img = page.locator('img[src^="data:image/svg+xml"]').first();
        await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth), { timeout: 10_000 }).toBeGreaterThan(100);
        const box = await img.boundingBox();
        expect(box!.width).toBeGreaterThan(100);
      }
      await more?.(page);
      await page.screenshot({ path: path.join(screenshots, shot), fullPage: true });
      expect(errors).toEqual([]);
      // only the UI's web font is asked for outside 127.0.0.1 (and refused here)
      expect(blocked.filter((u) => !/fonts\.(googleapis|gstatic)\.com/.test(u))).toEqual([]);
    } finally {
      await page.close();
      await server.close();
    }
  }
});
