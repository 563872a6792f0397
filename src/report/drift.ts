/**
 * Drift: a claim's key statistics against the values its baseline recorded. A verdict can stay the
 * same while the numbers behind it move a long way (a broken training loop that halves BN's
 * accuracy leaves an inconclusive claim inconclusive), so the baseline keeps each key statistic
 * with a tolerance, and the gate (gate.ts) fails a claim whose statistic moves beyond it.
 *
 * Key statistics: those a record sets beside the paper's number (`paper`) or gives a confidence
 * interval (`ci`): the claim's evidence, not its bookkeeping (the sweep's points carry neither).
 *
 * Tolerance, derived by `npm run gate -- --update` from the spread between seeds, in this order:
 *   1. between seed bases: the same claim run at several BN_SEED bases (`npm run claims:seeds --
 *      0 1000 2000`, reports/seeds/<base>/claims.json): 3 × the sample standard deviation of the
 *      statistic over the bases (at least 2 with a finite value). A rerun at another base lands
 *      within it unless something changed; 3 rather than 2 because with 3 bases the spread is
 *      itself known only roughly (2 degrees of freedom).
 *   2. within the run: the width of the statistic's confidence interval (its spread between the
 *      run's seeds; ≈ 4 standard errors at 95 %, more at few seeds: a rerun's value differs from
 *      this one's by √2 standard errors on average).
 *   3. the tolerance the baseline already had for it, if any (the spread does not change with the
 *      value).
 *   Else none: the statistic's value is recorded, and not compared (verdict only).
 */
import type { Baseline, BaselineEntry, BaselineStatistic, ClaimRecord, Statistic } from './schema';

/** The statistics of a record that the baseline keeps. */
function keyStatistics(r: ClaimRecord): Statistic[] {
  return r.statistics.filter((s) => s.paper !== undefined || s.ci !== undefined);
}

const fmt = (v: number | null) => (v === null ? 'n/a' : Number(v.toPrecision(4)).toString());

/** `x` rounded up to 3 significant digits: a stored tolerance never tighter than the derived one. */
function ceil3(x: number): number {
  if (x <= 0) return 0;
  const scale = 10 ** (Math.floor(Math.log10(x)) - 2);
  return Number((Math.ceil(x / scale - 1e-9) * scale).toPrecision(3));
}

/** How each baseline statistic with a tolerance compares with the record: the moves beyond it, and how many were checked. */
export function drift(entry: BaselineEntry, record: ClaimRecord): { moved: string[]; checked: number } {
  const moved: string[] = [];
  let checked = 0;
  for (const [name, base] of Object.entries(entry.statistics ?? {})) {
    if (base.tolerance === undefined) continue;
    checked++;
    const now = record.statistics.find((s) => s.name === name);
    const was = `baseline ${fmt(base.value)} ± ${fmt(base.tolerance)}`;
    if (!now) moved.push(`"${name}" is no longer recorded (${was}; renamed? update the baseline)`);
    else if ((now.value === null) !== (base.value === null)) moved.push(`"${name}" = ${fmt(now.value)}, ${was}`);
    else if (now.value !== null && base.value !== null && Math.abs(now.value - base.value) > base.tolerance)
      moved.push(`"${name}" = ${fmt(now.value)}, ${was} (moved ${fmt(now.value - base.value)})`);
  }
  return { moved, checked };
}

/** 3 × the sample standard deviation of finite values (null when fewer than 2). */
function spread(values: readonly (number | null | undefined)[]): number | null {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (xs.length < 2) return null;
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return 3 * Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

/** A claim's key statistics with their tolerances (see the header for the order of sources). */
function baselineStatistics(
  record: ClaimRecord,
  old: BaselineEntry | undefined,
  byBase: ReadonlyMap<number, readonly ClaimRecord[]>,
): Record<string, BaselineStatistic> {
  const others = [...byBase].flatMap(([base, rs]) => {
    const r = rs.find((x) => x.id === record.id && x.profile === record.profile);
    return r ? [{ base, r }] : [];
  });
  const out: Record<string, BaselineStatistic> = {};
  for (const s of keyStatistics(record)) {
    const e: BaselineStatistic = { value: s.value };
    const values = others.map(({ r }) => r.statistics.find((x) => x.name === s.name)?.value);
    const between = spread(values);
    const kept = old?.statistics?.[s.name];
    if (s.value !== null && between !== null) {
      const bases = others.filter((_, i) => typeof values[i] === 'number').map((o) => o.base);
      e.tolerance = ceil3(between);
      e.from = `3 × sd over BN_SEED ${bases.join(', ')}`;
    } else if (s.value !== null && s.ci) {
      e.tolerance = ceil3(s.ci[1] - s.ci[0]);
      e.from = "the width of the run's confidence interval";
    } else if (s.value !== null && kept?.tolerance !== undefined) {
      e.tolerance = kept.tolerance;
      if (kept.from) e.from = kept.from;
    }
    out[s.name] = e;
  }
  return out;
}

/** A reason for a verdict that needs one, from the record, to be reviewed by hand. */
function draftReason(r: ClaimRecord): string {
  const what =
    r.verdict === 'inconclusive'
      ? `precondition not met: ${(r.preconditions ?? [])
          .filter((p) => !p.met)
          .map((p) => `${p.description}${p.detail ? ` (${p.detail})` : ''}`)
          .join('; ')}`
      : `does not replicate: ${r.assertions
          .filter((a) => !a.passed)
          .map((a) => `${a.description}${a.detail ? ` (${a.detail})` : ''}`)
          .join('; ')}`;
  return `${what}. [Drafted by npm run gate -- --update from the run of ${r.startedAt.slice(0, 10)} at BN_SEED=${r.seed}: say why, with the numbers.]`;
}

/**
 * The baseline rewritten from a run's records (`npm run gate -- --update`): each claim's verdict
 * and key statistics from its record, its reason and `measured` kept while its verdict is the same
 * (a new verdict that needs a reason gets a draft, named in `notes`); claims without a record, and
 * claims that crashed (never a baseline verdict), keep their entries.
 */
export function updateBaseline(
  old: Baseline | undefined,
  profile: Baseline['profile'],
  records: readonly ClaimRecord[],
  byBase: ReadonlyMap<number, readonly ClaimRecord[]> = new Map(),
): { baseline: Baseline; notes: string[]; crashed: string[] } {
  const claims: Record<string, BaselineEntry> = { ...(old?.claims ?? {}) };
  const notes: string[] = [];
  const crashed: string[] = [];
  for (const r of records) {
    if (r.profile !== profile) {
      notes.push(`${r.id}: ran at the ${r.profile} profile, the baseline is for ${profile}: left as it was`);
      continue;
    }
    if (r.verdict === 'error') {
      crashed.push(r.id);
      continue;
    }
    const was = claims[r.id];
    const entry: BaselineEntry = { expected: r.verdict };
    if (was?.expected === r.verdict) {
      if (was.reason !== undefined) entry.reason = was.reason;
      if (was.measured !== undefined) entry.measured = was.measured;
    } else {
      if (r.verdict !== 'holds') {
        entry.reason = draftReason(r);
        notes.push(`${r.id}: ${was ? `was ${was.expected}, now` : 'new,'} ${r.verdict}: a drafted reason to review`);
      } else notes.push(`${r.id}: ${was ? `was ${was.expected}` : 'new'}, now holds`);
    }
    const stats = baselineStatistics(r, was, byBase);
    if (Object.keys(stats).length) entry.statistics = stats;
    const without = Object.entries(stats)
      .filter(([, s]) => s.tolerance === undefined)
      .map(([n]) => n);
    if (without.length)
      notes.push(`${r.id}: no spread to derive a tolerance from (verdict only) for ${without.map((n) => `"${n}"`).join(', ')}`);
    claims[r.id] = entry;
  }
  const sorted = Object.fromEntries(
    Object.keys(claims)
      .sort()
      .map((id) => [id, claims[id]!]),
  );
  return { baseline: { version: 1, profile, claims: sorted }, notes, crashed };
}
