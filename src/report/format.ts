/** How a record's numbers, scale and evidence read as text: the vitest annotations, the summary page and the gate share it. */
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
  if (r.preconditions?.length)
    lines.push(
      '',
      ...r.preconditions.map(
        (p) => `${p.met ? 'precondition met' : 'PRECONDITION NOT MET'}: ${p.description}${p.detail ? ` (${p.detail})` : ''}`,
      ),
    );
  if (r.assertions.length)
    lines.push('', ...r.assertions.map((a) => `${a.passed ? '✓' : '✗'} ${a.description}${a.detail ? ` (${a.detail})` : ''}`));
  if (r.error) lines.push('', `error: ${r.error}`);
  return lines.join('\n');
}

/** "HOLDS: title (Fig. 4) — smoke profile · wasm · fashion-mnist · resnet, depth 20, … · 12.3 s". */
export function formatVerdictLine(r: ClaimRecord): string {
  return `${r.verdict.toUpperCase()}: ${r.title} (${r.paper}) — ${r.profile} profile · ${r.backend} · ${r.dataset} · ${formatScale(r)} · seed ${r.seed} · ${(r.durationMs / 1000).toFixed(1)} s`;
}
