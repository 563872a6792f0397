/**
 * Verdict stability across seed bases: the same claims run at BN_SEED = 0, 1000, 2000 (or any
 * bases), one reports folder each; per claim, the verdict at each base and its key statistic (the
 * claim's first). A claim whose verdicts differ between bases is unstable: its verdict is not a
 * result. Written to reports/stability.json by `npm run claims:seeds` and shown on index.html.
 * The key statistic is the claim's first one that has the paper's number beside it (else its first).
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from './atomic';
import { ClaimId, formatIssues, Verdict, type ClaimRecord } from './schema';

const BaseVerdict = z.union([Verdict, z.literal('not-run')]);

export const StabilityRow = z.object({
  id: ClaimId,
  /** verdict per seed base, in the order of `bases` */
  verdicts: z.array(BaseVerdict),
  /** per base, the claim's first statistic with a paper value, else its first (null when not run) */
  key: z.array(z.object({ name: z.string(), value: z.number().nullable() }).nullable()),
  /** every base ran and all verdicts agree */
  stable: z.boolean(),
});
export type StabilityRow = z.infer<typeof StabilityRow>;

export const StabilityTable = z.object({
  version: z.literal(1),
  bases: z.array(z.number().int().nonnegative()).min(1),
  rows: z.array(StabilityRow),
});
export type StabilityTable = z.infer<typeof StabilityTable>;

/** The table from each base's records (claims missing at a base count as not run there: unstable). */
export function buildStability(byBase: ReadonlyMap<number, readonly ClaimRecord[]>): StabilityTable {
  const bases = [...byBase.keys()];
  const ids = [...new Set([...byBase.values()].flatMap((rs) => rs.map((r) => r.id)))].sort();
  const rows = ids.map((id) => {
    const recs = bases.map((b) => byBase.get(b)!.find((r) => r.id === id));
    const verdicts = recs.map((r) => r?.verdict ?? 'not-run');
    const key = recs.map((r) => {
      const s = r && (r.statistics.find((x) => x.paper !== undefined) ?? r.statistics[0]);
      return s ? { name: s.name, value: s.value } : null;
    });
    return { id, verdicts, key, stable: verdicts.every((v) => v !== 'not-run' && v === verdicts[0]) };
  });
  return { version: 1, bases, rows };
}

export function writeStability(dir: string, table: StabilityTable): string {
  const file = path.join(dir, 'stability.json');
  writeFileAtomic(file, `${JSON.stringify(StabilityTable.parse(table), null, 2)}\n`);
  return file;
}

/** reports/stability.json if present: undefined when absent, an error naming the file when malformed. */
export function readStability(dir: string): StabilityTable | undefined {
  const file = path.join(dir, 'stability.json');
  if (!fs.existsSync(file)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
  const r = StabilityTable.safeParse(raw);
  if (!r.success) throw new Error(`${file}: ${formatIssues(r.error)}`);
  return r.data;
}

/** Plain-text table for the terminal. */
export function formatStability(t: StabilityTable): string {
  const fmt = (k: StabilityRow['key'][number]) => (k ? (k.value === null ? 'n/a' : Number(k.value.toPrecision(3)).toString()) : '—');
  const lines = [`claim | ${t.bases.map((b) => `BN_SEED=${b}`).join(' | ')} | stable`];
  for (const r of t.rows)
    lines.push(`${r.id} | ${r.verdicts.map((v, i) => `${v} (${fmt(r.key[i]!)})`).join(' | ')} | ${r.stable ? 'yes' : 'UNSTABLE'}`);
  return lines.join('\n');
}
