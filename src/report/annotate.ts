/**
 * Attach a claim's evidence to its running vitest test, so the vitest UI / HTML report shows it
 * beside the pass/fail mark:
 *
 *   it('heavy-tailed gradients', async (ctx) => {
 *     ...
 *     await attachEvidence(ctx, record, svg);
 *   });
 *
 * Annotations use vitest 4's `context.annotate(message, type?, attachment?)`: a verdict line,
 * one per statistic and assertion, and the SVG figure as an image attachment (inline body,
 * image/svg+xml). The HTML reporter keeps inline bodies in its report data and draws image
 * attachments as <img>; the terminal's verbose reporter prints the messages (the default one
 * only for failed tests). `formatEvidence` is the same evidence as one multi-line text.
 */
import type { TestContext } from 'vitest';
import type { ClaimRecord, Statistic } from './schema';

/** 4 significant digits; exponent notation for very large or small magnitudes. */
export function formatNumber(x: number | null | undefined): string {
  if (x === null || x === undefined) return 'n/a';
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-3) return x.toExponential(2).replace('e+', 'e');
  return String(Number(x.toPrecision(4)));
}

export function formatP(p: number): string {
  return p < 1e-4 ? 'p < 1e-4' : `p = ${formatNumber(p)}`;
}

/** "ratio = 102.5 × [80.1, 130], p = 0.004   (paper: ~100×)   note". */
export function formatStatistic(s: Statistic): string {
  let out = `${s.name} = ${formatNumber(s.value)}`;
  if (s.unit && s.value !== null) out += ` ${s.unit}`;
  if (s.ci) out += ` [${formatNumber(s.ci[0])}, ${formatNumber(s.ci[1])}]`;
  if (s.p !== undefined) out += `, ${formatP(s.p)}`;
  if (s.paper) out += `   (paper: ${s.paper})`;
  if (s.note) out += `   — ${s.note}`;
  return out;
}

/** One line per fact of the scale: "resnet, depth 20, width 16, 256 images, batch 64, 3 seeds". */
export function formatScale(r: Pick<ClaimRecord, 'scale'>): string {
  const s = r.scale;
  const parts = [s.model];
  if (s.depth !== undefined) parts.push(`depth ${s.depth}`);
  if (s.width !== undefined) parts.push(`width ${s.width}`);
  if (s.images !== undefined) parts.push(`${s.images} images`);
  if (s.batch !== undefined) parts.push(`batch ${s.batch}`);
  parts.push(`${s.seeds} seed${s.seeds === 1 ? '' : 's'}`);
  for (const [k, v] of Object.entries(s.extra ?? {})) parts.push(`${k} ${String(v)}`);
  return parts.join(', ');
}

/** The readable evidence of a record: verdict line, scale line, statistics, assertions. */
export function formatEvidence(r: ClaimRecord): string {
  const lines = [
    `${r.verdict.toUpperCase()}: ${r.title} (${r.paper})`,
    `${r.profile} profile · ${r.backend} · ${r.dataset} · ${formatScale(r)} · seed ${r.seed} · ${(r.durationMs / 1000).toFixed(1)} s`,
    '',
    ...r.statistics.map(formatStatistic),
  ];
  if (r.preconditions?.length) lines.push('', ...r.preconditions.map((p) => `${p.met ? 'precondition met' : 'PRECONDITION NOT MET'}: ${p.description}${p.detail ? ` (${p.detail})` : ''}`));
  if (r.assertions.length) lines.push('', ...r.assertions.map((a) => `${a.passed ? '✓' : '✗'} ${a.description}${a.detail ? ` (${a.detail})` : ''}`));
  if (r.error) lines.push('', `error: ${r.error}`);
  return lines.join('\n');
}

export type Annotator = Pick<TestContext, 'annotate'>;

/** "HOLDS: title (Fig. 4) — smoke profile · wasm · fashion-mnist · resnet, depth 20, … · 12.3 s". */
export function formatVerdictLine(r: ClaimRecord): string {
  return `${r.verdict.toUpperCase()}: ${r.title} (${r.paper}) — ${r.profile} profile · ${r.backend} · ${r.dataset} · ${formatScale(r)} · seed ${r.seed} · ${(r.durationMs / 1000).toFixed(1)} s`;
}

/**
 * Attach the evidence to the running test, one annotation per fact, because the vitest UI shows
 * each annotation's message as one paragraph (line breaks collapse):
 *   'verdict'    the verdict line, with the whole record attached as JSON
 *   'statistic'  one per statistic: value [CI], p, next to the paper's number
 *   'assertion'  one per assertion: ✓ / ✗ and what was checked
 *   'error'      the error, when the claim crashed
 *   'figure'     the SVG figure as an image (when given)
 */
export async function attachEvidence(ctx: Annotator, record: ClaimRecord, svg?: string): Promise<void> {
  const enc = new TextEncoder();
  // Uint8Array bodies are base64-encoded by vitest; the UI offers non-images as downloads and
  // draws images as <img src="data:...">.
  await ctx.annotate(formatVerdictLine(record), 'verdict', { body: enc.encode(`${JSON.stringify(record, null, 2)}\n`), contentType: 'application/json' });
  for (const s of record.statistics) await ctx.annotate(formatStatistic(s), 'statistic');
  for (const p of record.preconditions ?? []) await ctx.annotate(`${p.met ? 'met' : 'NOT MET'}: ${p.description}${p.detail ? ` (${p.detail})` : ''}`, 'precondition');
  for (const a of record.assertions) await ctx.annotate(`${a.passed ? '✓' : '✗'} ${a.description}${a.detail ? ` (${a.detail})` : ''}`, 'assertion');
  if (record.error) await ctx.annotate(record.error, 'error');
  if (svg !== undefined) {
    await ctx.annotate(`figure for ${record.paper}: ${record.title}`, 'figure', { body: enc.encode(svg), contentType: 'image/svg+xml' });
  }
}
