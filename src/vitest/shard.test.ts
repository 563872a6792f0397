/**
 * Claims sharded over machines and merged give the same reports as one run.
 *
 * A fake claims project (three claims on the real harness: one holds, one fails, one crashes) is
 * run once unsharded and as two shards with the blob reporter, each "machine" with its own
 * reports folder (BN_REPORTS_DIR); then the blobs are copied into a fresh reports/blob and
 * merged with `vitest run --merge-reports=reports/blob`. The merge must rebuild claims.json, the
 * figures, index.html and the vitest HTML report from the blobs alone, equal to the unsharded
 * run's except for timings.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readRecords } from '../report/records';
import type { ClaimRecord } from '../report/schema';
import { FAKE_CLAIMS, runVitest, writeFakeClaimsProject, type VitestRun } from './testing/fake-claims-project';

const IDS = Object.keys(FAKE_CLAIMS).sort();

/** What may differ between two runs of the same claims: when they started and how long they took. */
function timeless(r: ClaimRecord): Omit<ClaimRecord, 'durationMs' | 'startedAt'> {
  const { durationMs: _d, startedAt: _s, ...rest } = r;
  return rest;
}

/** index.html without the generation time and the claims' timings. */
function timelessPage(html: string): string {
  return html.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)/g, 'TIME').replace(/\d+\.\d s\b/g, 'N s');
}

const byId = (rs: ClaimRecord[]) => new Map(rs.map((r) => [r.id, r]));
const show = (r: VitestRun) => `exit ${r.code}\n${r.output}`;

describe('sharded claim runs', () => {
  it('merge (vitest --merge-reports) into the same claims.json, figures and index.html as an unsharded run', async () => {
    const dir = writeFakeClaimsProject(fs.mkdtempSync(path.join(os.tmpdir(), 'bn-shard-')));
    const at = (...p: string[]) => path.join(dir, ...p);
    const shard = (i: number) =>
      runVitest(
        dir,
        [
          'run',
          '--project',
          'claims',
          `--shard=${i}/2`,
          '--reporter=default',
          '--reporter=blob',
          `--outputFile=machine-${i}/blob/shard-${i}.json`,
        ],
        {
          BN_REPORTS_DIR: `machine-${i}`,
        },
      );
    // Three "machines" at once: the unsharded run and the two shards, each with its own reports.
    const [whole, s1, s2] = await Promise.all([
      runVitest(dir, ['run', '--project', 'claims'], { BN_REPORTS_DIR: 'whole' }),
      shard(1),
      shard(2),
    ]);
    // Two of the fake claims fail their test, so the whole run exits 1, and so does a shard that
    // got one of them (the inconclusive one is skipped, not failed); anything else is a crash.
    expect(whole.code, show(whole)).toBe(1);
    for (const r of [s1, s2]) expect(r.code, show(r)).toBe(/fake-(fails|crashes)\.spec\.ts/.test(r.output) ? 1 : 0);
    expect(whole.output).toContain('[report] 4 claim records upserted into whole/claims.json');

    // The shards split the claims between them, and each machine reported only its own.
    const m1 = readRecords(at('machine-1'));
    const m2 = readRecords(at('machine-2'));
    expect(m1.length, show(s1)).toBeGreaterThan(0);
    expect(m2.length, show(s2)).toBeGreaterThan(0);
    expect([...m1, ...m2].map((r) => r.id).sort()).toEqual(IDS);

    // Copy the blobs to the merging machine, whose reports/ holds nothing else, and merge.
    fs.mkdirSync(at('reports', 'blob'), { recursive: true });
    for (const i of [1, 2]) fs.copyFileSync(at(`machine-${i}`, 'blob', `shard-${i}.json`), at('reports', 'blob', `shard-${i}.json`));
    const merged = await runVitest(dir, ['run', '--merge-reports=reports/blob']);
    expect(merged.code, show(merged)).toBe(1);
    // the inconclusive claim is shown as skipped, with its reason
    expect(merged.output).toMatch(/Tests\s+2 failed \| 1 passed \| 1 skipped \(4\)/);
    expect(whole.output).toMatch(/INCONCLUSIVE: the control learned above chance \(accuracy 0\.10, chance 0\.10\)/);

    // claims.json: the same claims and verdicts as the unsharded run, the same evidence; and each
    // record is, byte for byte, what its shard machine wrote.
    const unsharded = readRecords(at('whole'));
    const mergedRecords = readRecords(at('reports'));
    expect(mergedRecords.map((r) => r.id)).toEqual(IDS);
    expect(mergedRecords.map((r) => [r.id, r.verdict])).toEqual(unsharded.map((r) => [r.id, r.verdict]));
    expect(Object.fromEntries(mergedRecords.map((r) => [r.id, r.verdict]))).toEqual(FAKE_CLAIMS);
    expect(mergedRecords.map(timeless)).toEqual(unsharded.map(timeless));
    const onMachines = byId([...m1, ...m2]);
    for (const r of mergedRecords) expect(r).toEqual(onMachines.get(r.id));

    // Figures: one per claim, the same SVG as the unsharded run drew.
    for (const id of IDS) {
      const svg = fs.readFileSync(at('reports', `${id}.svg`), 'utf8');
      expect(svg).toMatch(/^<svg[\s>]/);
      expect(svg).toBe(fs.readFileSync(at('whole', `${id}.svg`), 'utf8'));
    }

    // index.html: every claim with its verdict and its figure inline, linking the vitest report;
    // the same page as the unsharded run's but for the times.
    const page = fs.readFileSync(at('reports', 'index.html'), 'utf8');
    for (const id of IDS) {
      expect(page).toContain(`data-claim-id="${id}" data-verdict="${FAKE_CLAIMS[id as keyof typeof FAKE_CLAIMS]}"`);
      expect(page).toMatch(new RegExp(`<figure data-figure-for="${id}"[^>]*>\\s*<svg`));
    }
    expect(page).toContain('href="vitest/index.html"');
    expect(timelessPage(page)).toBe(timelessPage(fs.readFileSync(at('whole', 'index.html'), 'utf8')));

    // The inconclusive claim's record names the precondition and its measured value, as the page does.
    const inc = mergedRecords.find((r) => r.id === 'fake-inconclusive')!;
    expect(inc.preconditions).toEqual([
      { description: 'the control learned above chance', met: false, detail: 'accuracy 0.10, chance 0.10' },
    ]);
    expect(page).toMatch(/<li class="unmet" data-unmet>.*the control learned above chance/);

    // The vitest HTML report of the merge holds all four claim tests with their evidence.
    expect(fs.existsSync(at('reports', 'vitest', 'index.html'))).toBe(true);
    const meta = gunzipSync(fs.readFileSync(at('reports', 'vitest', 'html.meta.json.gz'))).toString('utf8');
    for (const id of IDS) expect(meta).toContain(`${id}: a fake claim`);
    expect(meta.match(/"image\/svg\+xml"/g)?.length).toBeGreaterThanOrEqual(1);
    fs.rmSync(dir, { recursive: true, force: true }); // kept when the test fails, to look at
  }, 240_000);
});
