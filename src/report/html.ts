/**
 * reports/index.html: every claim of the paper side by side, one self-contained page (inline
 * CSS and SVG, no scripts, no fonts, no network), readable from a file:// URL or a CI artifact.
 *
 * Each claim is a <section class="claim" data-claim-id="ID" data-verdict="holds|fails|error|not-run">
 * with its verdict badge, the paper's statement and numbers, the measured statistics with CIs
 * and p-values beside the paper's numbers, the assertions, the scale it ran at, and its figure
 * in <figure data-figure-for="ID">. A claim that the baseline records as not replicating at this
 * scale says so with the baseline's reason; a claim without a record is shown as "not run".
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './atomic';
import { formatNumber, formatP, formatScale } from './format';
import { CLAIMS, type CatalogueClaim } from '../../claims/catalogue';
import { readRecords } from './records';
import { readBaseline } from './baseline';
import type { Baseline, BaselineEntry, ClaimRecord, Statistic } from './schema';
import { readStability, type StabilityTable } from './stability';
import { reportsDir } from '../config';

export interface IndexOptions {
  /** SVG text per claim id (inlined). */
  figures?: Record<string, string>;
  /** Problems to show at the top of the page (an unreadable claims.json, a missing figure). */
  warnings?: string[];
  /** Shown in the header; default: now. */
  generatedAt?: string;
  /** Link to the vitest HTML report, relative to the page (omitted when undefined). */
  vitestReport?: string;
  /** verdicts across seed bases (npm run claims:seeds): a table, and unstable claims marked */
  stability?: StabilityTable;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * Make an SVG safe and unique to inline: drop the XML prolog, doctype, scripts, event handlers
 * and foreignObjects, and prefix its ids (vega reuses ids such as clip1 in every figure, and
 * inline SVGs share one id space).
 */
export function inlineSvg(svg: string, prefix: string): string {
  let s = svg
    .replace(/<\?xml[\s\S]*?\?>/g, '')
    .replace(/<!DOCTYPE[\s\S]*?>/gi, '')
    .replace(/<script[\s\S]*?<\/script\s*>/gi, '')
    .replace(/<foreignObject[\s\S]*?<\/foreignObject\s*>/gi, '')
    .replace(/\son[a-z]+\s*=\s*("[^"]*"|'[^']*')/gi, '')
    .replace(/(href\s*=\s*["'])\s*javascript:[^"']*/gi, '$1#')
    .trim();
  const ids = new Set<string>();
  for (const m of s.matchAll(/\sid="([^"]+)"/g)) ids.add(m[1]!);
  if (ids.size) {
    const p = `${prefix}-`;
    s = s.replace(/(\sid=")([^"]+)(")/g, (_, a: string, id: string, b: string) => `${a}${p}${id}${b}`);
    s = s.replace(/url\(#([^)]+)\)/g, (m, id: string) => (ids.has(id) ? `url(#${p}${id})` : m));
    s = s.replace(/(href=")#([^"]+)(")/g, (m, a: string, id: string, b: string) => (ids.has(id) ? `${a}#${p}${id}${b}` : m));
  }
  return s;
}

type Status = 'holds' | 'fails' | 'inconclusive' | 'error' | 'not-run';

function badge(status: Status): string {
  const label = status === 'not-run' ? 'not run' : status;
  return `<span class="badge ${status}" data-badge="${status}">${label}</span>`;
}

function statRow(s: Statistic): string {
  const value =
    s.value === null ? '<span class="na">n/a</span>' : `${escapeHtml(formatNumber(s.value))}${s.unit ? ` ${escapeHtml(s.unit)}` : ''}`;
  const ci = s.ci ? `[${escapeHtml(formatNumber(s.ci[0]))}, ${escapeHtml(formatNumber(s.ci[1]))}]` : '';
  const p = s.p !== undefined ? escapeHtml(formatP(s.p).replace(/^p = /, '')) : '';
  return `<tr><td>${escapeHtml(s.name)}${s.note ? `<div class="note">${escapeHtml(s.note)}</div>` : ''}</td><td class="num">${value}</td><td class="num">${ci}</td><td class="num">${p}</td><td class="paper">${escapeHtml(s.paper ?? '')}</td></tr>`;
}

/** What the baseline says about this claim, in words, or '' when nothing needs saying. */
function baselineNote(entry: BaselineEntry | undefined, status: Status, baselineProfile: string | undefined): string {
  if (!entry) return '';
  if (entry.expected === 'inconclusive') {
    const reason = escapeHtml(entry.reason ?? '');
    if (status !== 'holds' && status !== 'fails')
      return `<div class="baseline not-replicating"><b>Cannot be tested at this scale</b> (recorded in the baseline${baselineProfile ? `, ${escapeHtml(baselineProfile)} profile` : ''}): ${reason}</div>`;
    return `<div class="baseline improved"><b>Changed:</b> the baseline records this claim as inconclusive at the ${escapeHtml(baselineProfile ?? '')} scale, and its preconditions now hold (${status}): update the baseline. Baseline reason: ${reason}</div>`;
  }
  if (entry.expected === 'fails') {
    const reason = escapeHtml(entry.reason ?? '');
    if (status === 'holds')
      return `<div class="baseline improved"><b>Improved:</b> the baseline records this claim as not replicating at the ${escapeHtml(baselineProfile ?? '')} scale, and it now holds: update the baseline. Baseline reason: ${reason}</div>`;
    return `<div class="baseline not-replicating"><b>Does not replicate at this scale</b> (recorded in the baseline${baselineProfile ? `, ${escapeHtml(baselineProfile)} profile` : ''}): ${reason}</div>`;
  }
  if (status === 'fails' || status === 'error' || status === 'inconclusive')
    return `<div class="baseline regression"><b>Regression:</b> the baseline expects this claim to hold.</div>`;
  return '';
}

function scaleList(r: ClaimRecord): string {
  const items: [string, string][] = [
    ['profile', r.profile],
    ['backend', r.backend],
    ['dataset', r.dataset],
    ['scale', formatScale(r)],
    ['seed', String(r.seed)],
    ['duration', `${(r.durationMs / 1000).toFixed(1)} s`],
    ['started', r.startedAt],
  ];
  return `<dl class="scale">${items.map(([k, v]) => `<dt>${k}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
}

function claimSection(
  id: string,
  paper: CatalogueClaim | undefined,
  r: ClaimRecord | undefined,
  entry: BaselineEntry | undefined,
  baselineProfile: string | undefined,
  svg: string | undefined,
): string {
  const status: Status = r ? r.verdict : 'not-run';
  const title = r?.title ?? paper?.title ?? id;
  const ref = r?.paper ?? paper?.paper ?? '';
  const parts: string[] = [];
  parts.push(
    `<header><h2><a class="anchor" href="#claim-${id}">${escapeHtml(title)}</a></h2>${badge(status)}<span class="ref">${escapeHtml(ref)}</span><code class="id">${id}</code></header>`,
  );
  parts.push(baselineNote(entry, status, baselineProfile));
  const text: string[] = [];
  if (paper) {
    text.push(`<p class="statement"><b>Paper:</b> ${escapeHtml(paper.statement)}</p>`);
    text.push(`<p class="paper-shows"><b>The paper shows:</b> ${escapeHtml(paper.shows)}</p>`);
    if (paper.preconditions.length)
      text.push(
        `<p class="preconditions"><b>Preconditions</b> (unmet: inconclusive): ${paper.preconditions.map(escapeHtml).join('; ')}.</p>`,
      );
  }
  if (!r) {
    text.push(
      `<p class="not-run-note">Not run: no record for this claim in claims.json. Run <code>npx vitest claims</code> (or <code>npx vitest ${id}</code>).</p>`,
    );
  } else {
    if (r.error) text.push(`<pre class="error">${escapeHtml(r.error)}</pre>`);
    if (r.statistics.length) {
      text.push(
        `<table class="stats"><thead><tr><th>statistic</th><th>measured</th><th>CI</th><th>p</th><th>paper</th></tr></thead><tbody>${r.statistics.map(statRow).join('')}</tbody></table>`,
      );
    }
    if (r.preconditions?.length) {
      text.push(
        `<ul class="preconditions">${r.preconditions
          .map(
            (p) =>
              `<li class="${p.met ? 'met' : 'unmet'}"${p.met ? '' : ' data-unmet'}><span class="mark">${p.met ? 'precondition met' : 'PRECONDITION NOT MET'}:</span> ${escapeHtml(p.description)}${p.detail ? ` <span class="detail">(${escapeHtml(p.detail)})</span>` : ''}</li>`,
          )
          .join('')}</ul>`,
      );
      if (status === 'inconclusive')
        text.push(
          `<p class="inconclusive-note"><b>Inconclusive:</b> a precondition was not met, so the assertions below (if any) did not test the paper.</p>`,
        );
    }
    if (r.assertions.length) {
      text.push(
        `<ul class="assertions">${r.assertions
          .map(
            (a) =>
              `<li class="${a.passed ? 'passed' : 'failed'}"><span class="mark">${a.passed ? '✓' : '✗'}</span> ${escapeHtml(a.description)}${a.detail ? ` <span class="detail">(${escapeHtml(a.detail)})</span>` : ''}</li>`,
          )
          .join('')}</ul>`,
      );
    }
    text.push(scaleList(r));
  }
  let fig = '';
  if (svg) {
    fig = `<figure data-figure-for="${id}">${inlineSvg(svg, `fig-${id}`)}<figcaption>${escapeHtml(ref)} — measured at the ${escapeHtml(r?.profile ?? '')} scale</figcaption></figure>`;
  } else if (r?.figure) {
    fig = `<figure class="missing" data-figure-for="${id}" data-missing="true"><p>Figure ${escapeHtml(r.figure)} not found.</p></figure>`;
  }
  parts.push(`<div class="body"><div class="text">${text.join('\n')}</div>${fig}</div>`);
  return `<section class="claim" id="claim-${id}" data-claim-id="${id}" data-verdict="${status}"${entry ? ` data-baseline="${entry.expected}"` : ''}>\n${parts.filter(Boolean).join('\n')}\n</section>`;
}

const CSS = `
:root { --fg:#1b1f24; --muted:#5b636d; --line:#d8dde3; --bg:#fff; --card:#f7f8fa;
  --holds:#1a7f37; --fails:#cf222e; --error:#6e2fbd; --notrun:#8c959f; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 1500px; margin: 0 auto; padding: 24px 28px 60px; }
h1 { font-size: 24px; margin: 0 0 4px; }
.sub { color: var(--muted); margin: 0 0 16px; }
.counts span { margin-right: 14px; }
.warnings { border: 1px solid #d4a72c; background: #fff8c5; padding: 8px 14px; border-radius: 6px; }
table { border-collapse: collapse; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px 4px 0; text-align: left; vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 13px; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
td.paper { color: var(--muted); }
.note { color: var(--muted); font-size: 12px; }
.na { color: var(--fails); }
.summary { margin: 10px 0 28px; }
.summary a { color: inherit; }
.badge { display: inline-block; padding: 1px 9px; border-radius: 10px; color: #fff; font-size: 12px; font-weight: 600; text-transform: uppercase; letter-spacing: .03em; vertical-align: middle; }
.badge.holds { background: var(--holds); } .badge.fails { background: var(--fails); }
.badge.error { background: var(--error); } .badge.not-run { background: var(--notrun); } .badge.unstable { background: #8250df; }
.badge.inconclusive { background: #9a6700; }
.preconditions li.unmet { color: #9a6700; font-weight: 600; }
section.claim { border: 1px solid var(--line); border-radius: 8px; padding: 14px 18px; margin: 0 0 22px; background: var(--card); }
section.claim > header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 10px; }
section.claim h2 { font-size: 18px; margin: 0; }
section.claim h2 a { color: inherit; text-decoration: none; }
.ref { color: var(--muted); }
code.id { color: var(--muted); font-size: 12px; }
.baseline { margin: 10px 0 0; padding: 6px 10px; border-radius: 6px; }
.baseline.not-replicating { background: #fff1e5; border-left: 4px solid #bc4c00; }
.baseline.regression { background: #ffebe9; border-left: 4px solid var(--fails); }
.baseline.improved { background: #dafbe1; border-left: 4px solid var(--holds); }
.body { display: flex; flex-wrap: wrap; gap: 18px; margin-top: 10px; }
.text { flex: 1 1 420px; min-width: 320px; }
figure { flex: 1 1 560px; margin: 0; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px; overflow-x: auto; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 12px; margin-top: 4px; }
figure.missing { color: var(--fails); }
.statement, .paper-shows { margin: 4px 0 8px; }
ul.assertions { list-style: none; padding: 0; margin: 10px 0; }
ul.assertions li.passed .mark { color: var(--holds); font-weight: 700; }
ul.assertions li.failed .mark { color: var(--fails); font-weight: 700; }
.detail { color: var(--muted); }
dl.scale { display: grid; grid-template-columns: max-content 1fr; gap: 1px 12px; font-size: 13px; color: var(--muted); margin: 8px 0 0; }
dl.scale dt { font-weight: 600; }
dl.scale dd { margin: 0; }
pre.error { background: #ffebe9; padding: 8px; border-radius: 6px; white-space: pre-wrap; overflow-x: auto; }
.not-run-note { color: var(--muted); font-style: italic; }
@media (prefers-color-scheme: dark) {
  :root { --fg:#e6edf3; --muted:#9198a1; --line:#3d444d; --bg:#0d1117; --card:#151b23; }
  .warnings { background: #3b2e00; } .baseline.not-replicating { background: #3d1d00; }
  .baseline.regression { background: #3c1618; } .baseline.improved { background: #0f2d1a; } pre.error { background: #3c1618; }
}
`;

function stabilitySection(t: StabilityTable): string {
  const key = (k: StabilityTable['rows'][number]['key'][number]) =>
    k ? ` <span class="detail" title="${escapeHtml(k.name)}">${escapeHtml(k.value === null ? 'n/a' : formatNumber(k.value))}</span>` : '';
  const rows = t.rows
    .map(
      (r) =>
        `<tr data-stability-for="${r.id}"${r.stable ? '' : ' data-unstable'}><td><a href="#claim-${r.id}">${r.id}</a></td>${r.verdicts.map((v, i) => `<td>${badge(v)}${key(r.key[i]!)}</td>`).join('')}<td>${r.stable ? 'stable' : '<span class="badge unstable">UNSTABLE</span>'}</td></tr>`,
    )
    .join('\n');
  return `<section class="stability" id="stability"><h2>Verdicts across seed bases</h2><p class="sub">The same claims at ${t.bases.map((b) => `BN_SEED=${b}`).join(', ')} (<code>npm run claims:seeds</code>); beside each verdict the claim's key statistic (its first with the paper's number beside it; hover for its name). A claim whose verdict differs between bases is unstable: its verdict is not a result.</p><table class="summary"><thead><tr><th>claim</th>${t.bases.map((b) => `<th>BN_SEED=${b}</th>`).join('')}<th></th></tr></thead><tbody>\n${rows}\n</tbody></table></section>`;
}

/** Build the page. Pure: everything it shows comes in through its arguments. */
export function buildIndexHtml(
  records: readonly ClaimRecord[],
  baseline?: Baseline,
  catalogue: readonly CatalogueClaim[] = CLAIMS,
  opts: IndexOptions = {},
): string {
  const byId = new Map(records.map((r) => [r.id, r]));
  const known = new Set(catalogue.map((c) => c.id));
  const extra = [...new Set([...records.map((r) => r.id), ...Object.keys(baseline?.claims ?? {})])].filter((id) => !known.has(id)).sort();
  const ids = [...catalogue.map((c) => c.id), ...extra];
  const paperOf = new Map(catalogue.map((c) => [c.id, c]));
  const statuses = ids.map((id): Status => byId.get(id)?.verdict ?? 'not-run');
  const count = (s: Status) => statuses.filter((x) => x === s).length;
  const profiles = [...new Set(records.map((r) => r.profile))];
  const warnings = [...(opts.warnings ?? [])];
  if (baseline && profiles.some((p) => p !== baseline.profile)) {
    warnings.push(
      `Some records ran at the ${profiles.filter((p) => p !== baseline.profile).join(', ')} profile; the baseline is for the ${baseline.profile} profile.`,
    );
  }

  const stabilityOf = new Map((opts.stability?.rows ?? []).map((r) => [r.id, r]));
  const summaryRows = ids
    .map((id, i) => {
      const r = byId.get(id);
      const entry = baseline?.claims[id];
      const expected = entry
        ? entry.expected === 'fails'
          ? 'fails at this scale'
          : entry.expected === 'inconclusive'
            ? 'inconclusive at this scale'
            : 'holds'
        : '—';
      const unstable = stabilityOf.get(id)?.stable === false ? ' <span class="badge unstable" data-unstable>UNSTABLE</span>' : '';
      return `<tr data-summary-for="${id}"><td><a href="#claim-${id}">${escapeHtml(r?.title ?? paperOf.get(id)?.title ?? id)}</a></td><td>${escapeHtml(r?.paper ?? paperOf.get(id)?.paper ?? '')}</td><td>${badge(statuses[i]!)}${unstable}</td><td>${escapeHtml(expected)}</td><td class="num">${r ? `${(r.durationMs / 1000).toFixed(1)} s` : ''}</td></tr>`;
    })
    .join('\n');

  const sections = ids
    .map((id) => claimSection(id, paperOf.get(id), byId.get(id), baseline?.claims[id], baseline?.profile, opts.figures?.[id]))
    .join('\n');
  const generated = opts.generatedAt ?? new Date().toISOString();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Understanding Batch Normalization — executable claims</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>Understanding Batch Normalization — executable claims</h1>
<p class="sub">Bjorck, Gomes, Selman, Weinberger (NeurIPS 2018). Each claim is a vitest spec that trains or probes real networks and asserts the paper statistically. Generated ${escapeHtml(generated)}${profiles.length ? ` · profile ${escapeHtml(profiles.join(', '))}` : ''}${baseline ? ` · baseline: ${escapeHtml(baseline.profile)}` : ' · no baseline'}${opts.vitestReport ? ` · <a href="${escapeHtml(opts.vitestReport)}">vitest report</a> (it needs http: <code>npx vite preview --outDir reports/vitest</code>)` : ''}</p>
<p class="counts" data-counts><span>${badge('holds')} ${count('holds')}</span><span>${badge('fails')} ${count('fails')}</span><span>${badge('inconclusive')} ${count('inconclusive')}</span><span>${badge('error')} ${count('error')}</span><span>${badge('not-run')} ${count('not-run')}</span></p>
${warnings.length ? `<div class="warnings" role="alert"><ul>${warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul></div>` : ''}
<table class="summary"><thead><tr><th>claim</th><th>paper</th><th>verdict</th><th>baseline</th><th>time</th></tr></thead><tbody>
${summaryRows}
</tbody></table>
${opts.stability ? stabilitySection(opts.stability) : ''}
${sections}
</main>
</body>
</html>
`;
}

/**
 * Build `<dir>/index.html` from `<dir>/claims.json`, the baseline and the figures, atomically.
 * Never throws for missing or malformed inputs: the page shows what went wrong instead.
 */
export function writeIndexHtml(dir = reportsDir(), baselinePath = 'claims/baseline.json'): { file: string; warnings: string[] } {
  const warnings: string[] = [];
  let records: ClaimRecord[] = [];
  try {
    records = readRecords(dir, { allowMissing: true });
  } catch (e) {
    warnings.push((e as Error).message);
  }
  const b = readBaseline(baselinePath);
  if (b.problem && !b.missing) warnings.push(b.problem);
  const figures: Record<string, string> = {};
  for (const r of records) {
    if (!r.figure) continue;
    const f = path.join(dir, r.figure);
    try {
      figures[r.id] = fs.readFileSync(f, 'utf8');
    } catch {
      warnings.push(`${r.id}: figure ${f} not found`);
    }
  }
  const vitest = fs.existsSync(path.join(dir, 'vitest', 'index.html')) ? 'vitest/index.html' : undefined;
  let stability: StabilityTable | undefined;
  try {
    stability = readStability(dir);
  } catch (e) {
    warnings.push((e as Error).message);
  }
  const file = path.join(dir, 'index.html');
  writeFileAtomic(
    file,
    buildIndexHtml(records, b.baseline, CLAIMS, { figures, warnings, vitestReport: vitest, ...(stability ? { stability } : {}) }),
  );
  return { file, warnings };
}
