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
import { formatStatistic, formatVerdictLine } from '../report/format';
import type { ClaimRecord } from '../report/schema';

export { formatEvidence, formatNumber, formatP, formatScale, formatStatistic, formatVerdictLine } from '../report/format';

export type Annotator = Pick<TestContext, 'annotate'>;

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
  await ctx.annotate(formatVerdictLine(record), 'verdict', {
    body: enc.encode(`${JSON.stringify(record, null, 2)}\n`),
    contentType: 'application/json',
  });
  for (const s of record.statistics) await ctx.annotate(formatStatistic(s), 'statistic');
  for (const p of record.preconditions ?? [])
    await ctx.annotate(`${p.met ? 'met' : 'NOT MET'}: ${p.description}${p.detail ? ` (${p.detail})` : ''}`, 'precondition');
  for (const a of record.assertions)
    await ctx.annotate(`${a.passed ? '✓' : '✗'} ${a.description}${a.detail ? ` (${a.detail})` : ''}`, 'assertion');
  if (record.error) await ctx.annotate(record.error, 'error');
  if (svg !== undefined) {
    await ctx.annotate(`figure for ${record.paper}: ${record.title}`, 'figure', { body: enc.encode(svg), contentType: 'image/svg+xml' });
  }
}
