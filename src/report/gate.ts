/**
 * The CI gate: compare reports/claims.json with claims/baseline.json.
 *
 *   npm run gate [-- --reports DIR] [--baseline FILE]
 *   npm run gate -- --update [--reports DIR] [--baseline FILE] [--seeds DIR]
 *
 * Exit codes
 *   0  no regression. Prints the table of verdicts; a claim the baseline expects to fail that
 *      now holds is printed as "improved: update the baseline"; a claim that moves between
 *      'fails' / 'inconclusive' (or leaves 'inconclusive') as "changed: update the baseline".
 *   1  a regression: a claim the baseline marks 'holds' that now fails, is inconclusive, errors,
 *      or has no record;
 *      or any claim whose verdict is 'error' (a crash), whatever the baseline says;
 *      or drift: a claim whose verdict is the one expected but one of whose key statistics moved
 *      beyond its tolerance in the baseline (drift.ts), or is no longer recorded. A statistic
 *      without a tolerance is not compared: that claim is judged by its verdict only.
 *   2  the gate cannot judge: claims.json or baseline.json missing or malformed (the message
 *      names the file and the problem), a bad option, or no record at the baseline's profile.
 *
 * Records that ran at another profile than the baseline's are skipped with a warning (a paper
 * run is not judged against smoke expectations); a claim left with no comparable record is then
 * treated as missing.
 *
 * --update rewrites the baseline from the records instead of judging them (drift.ts,
 * updateBaseline): verdicts and key statistics from the run, reasons kept, tolerances from the
 * spread between seed bases (--seeds DIR, default <reports>/seeds when it exists: the folders
 * `npm run claims:seeds` writes, one per BN_SEED base) or else within the run. Exit 0 when written
 * (a drafted reason to review is listed), 1 when a claim crashed (its entry is kept), 2 as above.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from './atomic';
import { baselineFileFor, readBaseline } from './baseline';
import { drift, updateBaseline } from './drift';
import { readRecords } from './records';
import { Baseline, type ClaimRecord } from './schema';
import { reportsDir } from '../config';

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
  /** key statistics that moved beyond their tolerance (drift.ts) */
  moved?: string[];
}

const USAGE = `usage: npm run gate -- [--reports DIR] [--baseline FILE]
       npm run gate -- --update [--reports DIR] [--baseline FILE] [--seeds DIR]
  defaults: --reports BN_REPORTS_DIR or reports --baseline the records' profile's (claims/baseline.json for smoke, claims/baseline-<profile>.json for others)
            --seeds <that>/seeds (the seed bases of npm run claims:seeds), when it exists`;

interface GateArgs {
  reports: string;
  baseline?: string;
  update: boolean;
  seeds?: string;
}

function parseGateArgs(args: readonly string[]): GateArgs | { message: string; code: 0 | 2 } {
  let values;
  try {
    values = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        reports: { type: 'string' },
        baseline: { type: 'string' },
        update: { type: 'boolean' },
        seeds: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const option = /'(-[^' ]+)/.exec(err.message)?.[1] ?? '';
    const message =
      err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
        ? `unknown option "${option}"`
        : err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE'
          ? `option ${option} needs a value`
          : err.message;
    return { message: `${message}\n${USAGE}`, code: 2 };
  }
  if (values.help) return { message: USAGE, code: 0 };
  for (const o of ['reports', 'baseline', 'seeds'] as const)
    if (values[o] !== undefined && (values[o] === '' || values[o].startsWith('--')))
      return { message: `option --${o} needs a value\n${USAGE}`, code: 2 };
  return {
    reports: values.reports ?? reportsDir(),
    update: values.update ?? false,
    ...(values.baseline !== undefined ? { baseline: values.baseline } : {}),
    ...(values.seeds !== undefined ? { seeds: values.seeds } : {}),
  };
}

/** Compare records with the baseline: one row per claim in either. */
export function compare(records: readonly ClaimRecord[], baseline: Baseline): { rows: GateRow[]; warnings: string[]; checked: number } {
  let checked = 0;
  const warnings: string[] = [];
  const rows = compareVerdicts(records, baseline, (w) => warnings.push(w)).map((row): GateRow => {
    const entry = baseline.claims[row.id];
    const r = records.find((x) => x.id === row.id && x.profile === baseline.profile);
    if (!entry || !r || row.regression) return row;
    const d = drift(entry, r);
    checked += d.checked;
    if (!d.moved.length) return row;
    // drift with the expected verdict is a regression; with a changed one, the baseline needs updating anyway
    if (row.now === entry.expected)
      return {
        ...row,
        status: `REGRESSION: drift: ${d.moved[0]}${d.moved.length > 1 ? ` (and ${d.moved.length - 1} more)` : ''}`,
        regression: true,
        moved: d.moved,
      };
    return { ...row, moved: d.moved };
  });
  return { rows, warnings, checked };
}

function compareVerdicts(records: readonly ClaimRecord[], baseline: Baseline, warn: (w: string) => void): GateRow[] {
  const comparable = new Map<string, ClaimRecord>();
  for (const r of records) {
    // A crash is a regression at any profile; anything else is judged only at the baseline's.
    if (r.profile !== baseline.profile && r.verdict !== 'error') {
      warn(`${r.id}: ran at the ${r.profile} profile, the baseline is for ${baseline.profile}: not compared`);
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
  return rows;
}

function firstLine(s: string | undefined): string {
  return (s ?? '').split('\n')[0]!.slice(0, 200);
}

function formatTable(rows: readonly GateRow[]): string {
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

/** The whole gate, without touching the process: parse args, read both files, judge (or, with --update, rewrite the baseline). */
export function runGate(args: readonly string[] = [], cwd = process.cwd()): GateResult {
  const opts = parseGateArgs(args);
  if ('message' in opts) return { code: opts.code, output: opts.message };
  const reportsDir = path.resolve(cwd, opts.reports);
  let records: ClaimRecord[];
  try {
    records = readRecords(reportsDir);
  } catch (e) {
    return { code: 2, output: `gate: cannot read the claim records: ${(e as Error).message}` };
  }
  // no --baseline: the baseline of the profile the records ran at (smoke's when they are mixed or none)
  const profiles = [...new Set(records.map((r) => r.profile))];
  const baselineName = opts.baseline ?? baselineFileFor(profiles.length === 1 ? profiles[0]! : 'smoke');
  const baselineFile = path.resolve(cwd, baselineName);
  const b = readBaseline(baselineFile);
  if (opts.update) return update(opts, records, b.missing ? undefined : b, baselineName, cwd);
  if (!b.baseline) return { code: 2, output: `gate: cannot read the baseline: ${b.problem}` };
  const baseline = b.baseline;
  const out: string[] = [];
  const { rows, warnings, checked } = compare(records, baseline);
  for (const w of warnings) out.push(`warning: ${w}`);
  if (Object.keys(baseline.claims).length > 0 && !records.some((r) => r.profile === baseline.profile)) {
    out.push(
      `gate: no record in ${path.join(opts.reports, 'claims.json')} ran at the baseline's profile (${baseline.profile}); run the claims with BN_PROFILE=${baseline.profile}`,
    );
    return { code: 2, output: out.join('\n') };
  }
  out.push(
    `gate: ${path.join(opts.reports, 'claims.json')} (${records.length} records) vs ${baselineName} (${baseline.profile} profile, ${Object.keys(baseline.claims).length} claims)`,
    '',
  );
  out.push(formatTable(rows), '');
  const regressions = rows.filter((r) => r.regression);
  const improved = rows.filter((r) => r.status.startsWith('improved'));
  for (const r of improved)
    out.push(`improved: ${r.id} now holds although the baseline expects it to fail: update the baseline (${baselineName})`);
  for (const r of rows.filter((x) => x.status.startsWith('changed')))
    out.push(`changed: ${r.id} was ${r.baseline}, is ${r.now}: update the baseline (${baselineName})`);
  for (const r of rows.filter((x) => !x.regression && x.moved)) out.push(`moved with the verdict: ${r.id}: ${r.moved!.join('; ')}`);
  if (regressions.length) {
    out.push(`FAILED: ${regressions.length} regression${regressions.length === 1 ? '' : 's'}:`);
    for (const r of regressions) {
      if (r.moved) {
        out.push(`  - ${r.id}: drift beyond the baseline's tolerance (baseline ${r.baseline}, now ${r.now}):`);
        for (const m of r.moved) out.push(`      ${m}`);
      } else out.push(`  - ${r.id}: ${r.status.replace(/^REGRESSION: /, '')} (baseline ${r.baseline}, now ${r.now})`);
    }
    return { code: 1, output: out.join('\n') };
  }
  const held = rows.filter((r) => r.now === 'holds').length;
  const failedAsExpected = rows.filter((r) => r.status.startsWith('fails as expected')).length;
  const inconclusive = rows.filter((r) => r.status.startsWith('inconclusive as expected')).length;
  out.push(
    `OK: no regression (${held} hold, ${failedAsExpected} fail as the baseline expects${inconclusive ? `, ${inconclusive} inconclusive as expected` : ''}${checked ? `; ${checked} key statistic${checked === 1 ? '' : 's'} within tolerance` : ''})`,
  );
  return { code: 0, output: out.join('\n') };
}

/** The claims.json of each seed base under `dir` (<dir>/<base>/claims.json, as npm run claims:seeds writes them). */
function readSeedBases(dir: string): Map<number, ClaimRecord[]> {
  const byBase = new Map<number, ClaimRecord[]>();
  for (const name of fs
    .readdirSync(dir)
    .filter((n) => /^\d+$/.test(n))
    .sort((a, b) => Number(a) - Number(b))) {
    const rs = readRecords(path.join(dir, name), { allowMissing: true });
    if (rs.length) byBase.set(Number(name), rs);
  }
  return byBase;
}

/** --update: the baseline rewritten from the records (drift.ts, updateBaseline), written atomically. */
function update(
  opts: GateArgs,
  records: readonly ClaimRecord[],
  read: ReturnType<typeof readBaseline> | undefined,
  baselineName: string,
  cwd: string,
): GateResult {
  if (read && !read.baseline)
    return { code: 2, output: `gate --update: cannot read the baseline: ${read.problem} (fix it or remove it first)` };
  const old = read?.baseline;
  const profiles = [...new Set(records.map((r) => r.profile))];
  const profile = old?.profile ?? (profiles.length === 1 ? profiles[0]! : undefined);
  if (!profile)
    return {
      code: 2,
      output: `gate --update: the records ran at ${profiles.join(', ') || 'no'} profile(s): name the baseline (--baseline)`,
    };
  if (!records.some((r) => r.profile === profile))
    return {
      code: 2,
      output: `gate --update: no record in ${path.join(opts.reports, 'claims.json')} ran at the baseline's profile (${profile})`,
    };
  const seeds = path.join(reportsDir(), 'seeds'); // where npm run claims:seeds writes them
  const seedsDir = opts.seeds ?? (fs.existsSync(path.resolve(cwd, seeds)) ? seeds : undefined);
  let byBase = new Map<number, ClaimRecord[]>();
  if (seedsDir !== undefined) {
    try {
      byBase = readSeedBases(path.resolve(cwd, seedsDir));
    } catch (e) {
      return { code: 2, output: `gate --update: cannot read the seed bases in ${seedsDir}: ${(e as Error).message}` };
    }
  }
  const { baseline, notes, crashed } = updateBaseline(old, profile, records, byBase);
  writeFileAtomic(path.resolve(cwd, baselineName), `${JSON.stringify(Baseline.parse(baseline), null, 2)}\n`);
  const tolerances = Object.values(baseline.claims).flatMap((e) => Object.values(e.statistics ?? {}));
  const out = [
    `gate --update: wrote ${baselineName} (${profile} profile, ${Object.keys(baseline.claims).length} claims) from ${path.join(opts.reports, 'claims.json')}; ${tolerances.filter((t) => t.tolerance !== undefined).length} of ${tolerances.length} key statistics with a tolerance${byBase.size ? ` (seed bases ${[...byBase.keys()].join(', ')} from ${seedsDir})` : ' (no seed bases: from the run alone)'}`,
    ...notes.map((n) => `  ${n}`),
  ];
  if (crashed.length) {
    out.push(`gate --update: ${crashed.join(', ')} crashed: their entries are kept as they were; fix the crash and update again`);
    return { code: 1, output: out.join('\n') };
  }
  return { code: 0, output: out.join('\n') };
}
