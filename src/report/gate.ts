/**
 * The CI gate: compare reports/claims.json with claims/baseline.json.
 *
 *   npm run gate [-- --reports DIR] [--baseline FILE]
 *
 * Exit codes
 *   0  no regression. Prints the table of verdicts; a claim the baseline expects to fail that
 *      now holds is printed as "improved: update the baseline"; a claim that moves between
 *      'fails' / 'inconclusive' (or leaves 'inconclusive') as "changed: update the baseline".
 *   1  a regression: a claim the baseline marks 'holds' that now fails, is inconclusive, errors,
 *      or has no record;
 *      or any claim whose verdict is 'error' (a crash), whatever the baseline says.
 *   2  the gate cannot judge: claims.json or baseline.json missing or malformed (the message
 *      names the file and the problem), a bad option, or no record at the baseline's profile.
 *
 * Records that ran at another profile than the baseline's are skipped with a warning (a paper
 * run is not judged against smoke expectations); a claim left with no comparable record is then
 * treated as missing.
 */
import path from 'node:path';
import { baselineFileFor, readBaseline } from './baseline';
import { readRecords } from './records';
import type { Baseline, ClaimRecord } from './schema';

export interface GateResult {
  code: 0 | 1 | 2;
  output: string;
}

export interface GateRow {
  id: string;
  baseline: string;
  now: string;
  status: string;
  regression: boolean;
}

const USAGE =
  "usage: npm run gate -- [--reports DIR] [--baseline FILE]\n  defaults: --reports reports --baseline the records' profile's (claims/baseline.json for smoke, claims/baseline-<profile>.json for others)";

function parseArgs(args: readonly string[]): { reports: string; baseline?: string } | string {
  let reports = 'reports';
  let baseline: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (flag === '--help' || flag === '-h') return USAGE;
    if (flag !== '--reports' && flag !== '--baseline') return `unknown option "${a}"\n${USAGE}`;
    const value = inline ?? args[++i];
    if (!value || value.startsWith('--')) return `option ${flag} needs a value\n${USAGE}`;
    if (flag === '--reports') reports = value;
    else baseline = value;
  }
  return { reports, baseline };
}

/** Compare records with the baseline: one row per claim in either. */
export function compare(records: readonly ClaimRecord[], baseline: Baseline): { rows: GateRow[]; warnings: string[] } {
  const warnings: string[] = [];
  const comparable = new Map<string, ClaimRecord>();
  for (const r of records) {
    // A crash is a regression at any profile; anything else is judged only at the baseline's.
    if (r.profile !== baseline.profile && r.verdict !== 'error') {
      warnings.push(`${r.id}: ran at the ${r.profile} profile, the baseline is for ${baseline.profile}: not compared`);
      continue;
    }
    comparable.set(r.id, r);
  }
  const ids = [...new Set([...Object.keys(baseline.claims), ...comparable.keys()])].sort();
  const rows = ids.map((id): GateRow => {
    const entry = baseline.claims[id];
    const r = comparable.get(id);
    const base = entry?.expected ?? '(none)';
    const now = r?.verdict ?? 'missing';
    if (r?.verdict === 'error') return { id, baseline: base, now, status: `REGRESSION: crashed: ${firstLine(r.error)}`, regression: true };
    if (!entry) return { id, baseline: base, now, status: 'new: not in the baseline (add it)', regression: false };
    if (entry.expected === 'holds') {
      if (now === 'holds') return { id, baseline: base, now, status: 'ok', regression: false };
      if (now === 'missing') return { id, baseline: base, now, status: 'REGRESSION: no record in claims.json', regression: true };
      return { id, baseline: base, now, status: 'REGRESSION: expected to hold', regression: true };
    }
    if (entry.expected === 'inconclusive') {
      if (now === 'inconclusive')
        return { id, baseline: base, now, status: `inconclusive as expected: ${entry.reason ?? ''}`, regression: false };
      if (now === 'missing') return { id, baseline: base, now, status: 'not run (expected to be inconclusive anyway)', regression: false };
      return {
        id,
        baseline: base,
        now,
        status: `changed: its preconditions now hold and it ${now}: update the baseline`,
        regression: false,
      };
    }
    if (now === 'inconclusive')
      return {
        id,
        baseline: base,
        now,
        status: 'changed: now inconclusive (a precondition not met): update the baseline',
        regression: false,
      };
    if (now === 'holds') return { id, baseline: base, now, status: 'improved: update the baseline', regression: false };
    if (now === 'missing') return { id, baseline: base, now, status: 'not run (expected to fail anyway)', regression: false };
    return { id, baseline: base, now, status: `fails as expected: ${entry.reason ?? ''}`, regression: false };
  });
  return { rows, warnings };
}

function firstLine(s: string | undefined): string {
  return (s ?? '').split('\n')[0]!.slice(0, 200);
}

export function formatTable(rows: readonly GateRow[]): string {
  const head = { id: 'claim', baseline: 'baseline', now: 'now', status: 'status' };
  const w = {
    id: Math.max(head.id.length, ...rows.map((r) => r.id.length)),
    baseline: Math.max(head.baseline.length, ...rows.map((r) => r.baseline.length)),
    now: Math.max(head.now.length, ...rows.map((r) => r.now.length)),
  };
  const line = (r: { id: string; baseline: string; now: string; status: string }) =>
    `${r.id.padEnd(w.id)}  ${r.baseline.padEnd(w.baseline)}  ${r.now.padEnd(w.now)}  ${r.status}`.trimEnd();
  return [
    line(head),
    line({ id: '-'.repeat(w.id), baseline: '-'.repeat(w.baseline), now: '-'.repeat(w.now), status: '------' }),
    ...rows.map(line),
  ].join('\n');
}

/** The whole gate, without touching the process: parse args, read both files, judge. */
export function runGate(args: readonly string[] = [], cwd = process.cwd()): GateResult {
  const opts = parseArgs(args);
  if (typeof opts === 'string') return { code: opts === USAGE ? 0 : 2, output: opts };
  const reportsDir = path.resolve(cwd, opts.reports);
  let records: ClaimRecord[];
  try {
    records = readRecords(reportsDir);
  } catch (e) {
    return { code: 2, output: `gate: cannot read the claim records: ${(e as Error).message}` };
  }
  // no --baseline: the baseline of the profile the records ran at (smoke's when they are mixed or none)
  const profiles = [...new Set(records.map((r) => r.profile))];
  opts.baseline ??= baselineFileFor(profiles.length === 1 ? profiles[0]! : 'smoke');
  const baselineFile = path.resolve(cwd, opts.baseline);
  const b = readBaseline(baselineFile);
  if (!b.baseline) return { code: 2, output: `gate: cannot read the baseline: ${b.problem}` };
  const baseline = b.baseline;
  const out: string[] = [];
  const { rows, warnings } = compare(records, baseline);
  for (const w of warnings) out.push(`warning: ${w}`);
  if (Object.keys(baseline.claims).length > 0 && !records.some((r) => r.profile === baseline.profile)) {
    out.push(
      `gate: no record in ${path.join(opts.reports, 'claims.json')} ran at the baseline's profile (${baseline.profile}); run the claims with BN_PROFILE=${baseline.profile}`,
    );
    return { code: 2, output: out.join('\n') };
  }
  out.push(
    `gate: ${path.join(opts.reports, 'claims.json')} (${records.length} records) vs ${opts.baseline} (${baseline.profile} profile, ${Object.keys(baseline.claims).length} claims)`,
    '',
  );
  out.push(formatTable(rows), '');
  const regressions = rows.filter((r) => r.regression);
  const improved = rows.filter((r) => r.status.startsWith('improved'));
  for (const r of improved)
    out.push(`improved: ${r.id} now holds although the baseline expects it to fail: update the baseline (${opts.baseline})`);
  for (const r of rows.filter((x) => x.status.startsWith('changed')))
    out.push(`changed: ${r.id} was ${r.baseline}, is ${r.now}: update the baseline (${opts.baseline})`);
  if (regressions.length) {
    out.push(`FAILED: ${regressions.length} regression${regressions.length === 1 ? '' : 's'}:`);
    for (const r of regressions) out.push(`  - ${r.id}: ${r.status.replace(/^REGRESSION: /, '')} (baseline ${r.baseline}, now ${r.now})`);
    return { code: 1, output: out.join('\n') };
  }
  const held = rows.filter((r) => r.now === 'holds').length;
  const failedAsExpected = rows.filter((r) => r.status.startsWith('fails as expected')).length;
  const inconclusive = rows.filter((r) => r.status.startsWith('inconclusive as expected')).length;
  out.push(
    `OK: no regression (${held} hold, ${failedAsExpected} fail as the baseline expects${inconclusive ? `, ${inconclusive} inconclusive as expected` : ''})`,
  );
  return { code: 0, output: out.join('\n') };
}
