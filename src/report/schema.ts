/**
 * What a claim run leaves behind, as zod schemas: parsed at every boundary (writing a record,
 * reading claims.json, reading the baseline), typed everywhere inside.
 *
 * reports/claims.json is an object, not a bare array, so the format can grow:
 *
 *   { "version": 1, "records": [ ClaimRecord, ... ] }      records sorted by id, one per id
 *
 * claims/baseline.json (written by `npm run gate -- --update` from a run's records, the reasons
 * by hand; read by the gate and the summary page):
 *
 *   { "version": 1, "profile": "smoke",
 *     "claims": { "<claim-id>": { "expected": "holds" | "fails" | "inconclusive",
 *                                 "reason"?: "...",        required unless expected is "holds":
 *                                                          the numbers that did not replicate, or
 *                                                          the precondition not met
 *                                 "measured"?: { "name": number | string | null, ... },
 *                                 "statistics"?: { "<statistic name>": {
 *                                     "value": number | null,   as recorded
 *                                     "tolerance"?: number,     how far it may move before the gate
 *                                                               calls it drift; absent: not compared
 *                                     "from"?: "..." } } } } }  how the tolerance was derived
 */
import { Profile } from '../config';
import { z } from 'zod';

const kebab = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export const ClaimId = z.string().regex(kebab, 'expected a kebab-case id such as "heavy-tailed-gradients"');

/**
 * One named number. `value` is null when the measurement was not finite (NaN, ±Infinity): JSON has
 * no such numbers, and a diverged run is a result, not a crash. A null value must carry a note
 * saying what happened. `paper` is the paper's number for comparison, as text ("~100×", "≈ 2/3").
 */
export const Statistic = z
  .object({
    name: z.string().min(1),
    value: z.number().nullable(),
    ci: z.tuple([z.number(), z.number()]).optional(),
    p: z.number().min(0).max(1).optional(),
    paper: z.string().optional(),
    unit: z.string().optional(),
    note: z.string().optional(),
  })
  .refine((s) => s.value !== null || (s.note !== undefined && s.note.length > 0), {
    message: 'a null value (non-finite measurement) needs a note saying so',
    path: ['note'],
  })
  .refine((s) => s.ci === undefined || s.ci[0] <= s.ci[1], {
    message: 'ci must be [lo, hi] with lo <= hi',
    path: ['ci'],
  });
export type Statistic = z.infer<typeof Statistic>;

export const Assertion = z.object({
  description: z.string().min(1),
  passed: z.boolean(),
  /** Optional detail, e.g. the numbers the check compared. */
  detail: z.string().optional(),
});
export type Assertion = z.infer<typeof Assertion>;

/**
 * A stated precondition of a claim: without it the assertion does not test the paper (e.g. the
 * unnormalised net never left chance). When one is not met the verdict is 'inconclusive'.
 */
export const Precondition = z.object({
  description: z.string().min(1),
  met: z.boolean(),
  /** the measured value(s) the precondition was judged on */
  detail: z.string().optional(),
});
export type Precondition = z.infer<typeof Precondition>;

/** holds | fails: the assertions, all preconditions met; inconclusive: a precondition not met; error: a crash. */
export const Verdict = z.enum(['holds', 'fails', 'inconclusive', 'error']);
export type Verdict = z.infer<typeof Verdict>;

export const Scale = z.object({
  model: z.string().min(1),
  depth: z.number().int().positive().optional(),
  width: z.number().int().positive().optional(),
  images: z.number().int().positive().optional(),
  batch: z.number().int().positive().optional(),
  seeds: z.number().int().positive(),
  extra: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});
export type Scale = z.infer<typeof Scale>;

const relativePath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !/^[a-zA-Z]:/.test(p) && !p.split(/[\\/]/).includes('..'), {
    message: 'expected a path relative to the reports folder, without ".."',
  });

export const ClaimRecord = z
  .object({
    id: ClaimId,
    title: z.string().min(1),
    paper: z.string().min(1),
    profile: Profile,
    backend: z.string().min(1),
    dataset: z.string().min(1),
    scale: Scale,
    statistics: z.array(Statistic),
    assertions: z.array(Assertion),
    preconditions: z.array(Precondition).optional(),
    verdict: Verdict,
    error: z.string().optional(),
    durationMs: z.number().nonnegative(),
    seed: z.number().int().nonnegative(),
    startedAt: z.iso.datetime({ offset: true }),
    figure: relativePath.optional(),
  })
  // The verdict must agree with the evidence printed beside it.
  .superRefine((r, ctx) => {
    if (r.verdict === 'error' && !r.error) {
      ctx.addIssue({ code: 'custom', path: ['error'], message: 'verdict "error" needs the error message' });
    }
    if (r.verdict === 'holds' && (r.assertions.length === 0 || r.assertions.some((a) => !a.passed))) {
      ctx.addIssue({ code: 'custom', path: ['verdict'], message: 'verdict "holds" needs at least one assertion and all of them passed' });
    }
    if (r.verdict === 'fails' && !r.assertions.some((a) => !a.passed)) {
      ctx.addIssue({ code: 'custom', path: ['verdict'], message: 'verdict "fails" needs at least one failed assertion' });
    }
    const unmet = (r.preconditions ?? []).some((p) => !p.met);
    if (r.verdict === 'inconclusive' && !unmet) {
      ctx.addIssue({ code: 'custom', path: ['verdict'], message: 'verdict "inconclusive" needs a precondition that was not met' });
    }
    if ((r.verdict === 'holds' || r.verdict === 'fails') && unmet) {
      ctx.addIssue({
        code: 'custom',
        path: ['verdict'],
        message: `verdict "${r.verdict}" needs every precondition met (one was not: the verdict is "inconclusive")`,
      });
    }
  });
export type ClaimRecord = z.infer<typeof ClaimRecord>;
/** What a caller builds; zod fills nothing in, so input and output are the same shape. */
export type ClaimRecordInput = z.input<typeof ClaimRecord>;

export const ClaimsFile = z.object({
  version: z.literal(1),
  records: z.array(ClaimRecord),
});
export type ClaimsFile = z.infer<typeof ClaimsFile>;

/**
 * A key statistic as a run recorded it, and how far a later run may move it (src/report/drift.ts):
 * the gate fails a claim whose statistic moves beyond its tolerance, even with its verdict
 * unchanged. No tolerance: the statistic is not compared (the claim is judged by its verdict only).
 */
export const BaselineStatistic = z
  .object({
    value: z.number().nullable(),
    tolerance: z.number().nonnegative().optional(),
    from: z.string().optional(),
  })
  .strict();
export type BaselineStatistic = z.infer<typeof BaselineStatistic>;

export const BaselineEntry = z
  .object({
    expected: z.enum(['holds', 'fails', 'inconclusive']),
    reason: z.string().optional(),
    measured: z.record(z.string(), z.union([z.number(), z.string(), z.null()])).optional(),
    statistics: z.record(z.string().min(1), BaselineStatistic).optional(),
  })
  .refine((e) => e.expected !== 'fails' || (e.reason !== undefined && e.reason.trim().length > 0), {
    message: 'expected "fails" needs a reason (the numbers measured at this scale)',
    path: ['reason'],
  })
  .refine((e) => e.expected !== 'inconclusive' || (e.reason !== undefined && e.reason.trim().length > 0), {
    message: 'expected "inconclusive" needs a reason (the precondition not met and its measured value)',
    path: ['reason'],
  });
export type BaselineEntry = z.infer<typeof BaselineEntry>;

export const Baseline = z.object({
  version: z.literal(1),
  profile: Profile,
  claims: z.record(ClaimId, BaselineEntry),
});
export type Baseline = z.infer<typeof Baseline>;

/**
 * The verdict the preconditions and assertions imply (a thrown error is the caller's to report as
 * 'error'): inconclusive when a precondition was not met, whatever the assertions say.
 */
export function verdictOf(
  assertions: readonly Assertion[],
  preconditions: readonly Precondition[] = [],
): 'holds' | 'fails' | 'inconclusive' {
  if (preconditions.some((p) => !p.met)) return 'inconclusive';
  return assertions.length > 0 && assertions.every((a) => a.passed) ? 'holds' : 'fails';
}

/**
 * Build a Statistic from a raw measurement: a non-finite value becomes null with a note, a
 * non-finite CI is dropped with a note, so a diverged run still records cleanly.
 */
export function statistic(
  name: string,
  value: number,
  opts: { ci?: readonly [number, number]; p?: number; paper?: string; unit?: string; note?: string } = {},
): Statistic {
  const notes: string[] = [];
  if (opts.note) notes.push(opts.note);
  const z = (x: number) => (x === 0 ? 0 : x); // -0 does not survive JSON
  const finite = Number.isFinite(value);
  if (!finite) notes.push(`measured value was ${String(value)} (not finite)`);
  let ci: [number, number] | undefined;
  if (opts.ci) {
    if (Number.isFinite(opts.ci[0]) && Number.isFinite(opts.ci[1]))
      ci = [z(Math.min(opts.ci[0], opts.ci[1])), z(Math.max(opts.ci[0], opts.ci[1]))];
    else notes.push(`CI [${String(opts.ci[0])}, ${String(opts.ci[1])}] not finite, dropped`);
  }
  let p: number | undefined;
  if (opts.p !== undefined) {
    if (Number.isFinite(opts.p)) p = z(Math.min(1, Math.max(0, opts.p)));
    else notes.push(`p-value was ${String(opts.p)}, dropped`);
  }
  const s: Statistic = { name, value: finite ? z(value) : null };
  if (ci) s.ci = ci;
  if (p !== undefined) s.p = p;
  if (opts.paper !== undefined) s.paper = opts.paper;
  if (opts.unit !== undefined) s.unit = opts.unit;
  if (notes.length) s.note = notes.join('; ');
  return s;
}

/** "records[2].statistics[0].note: message" — one line per zod issue, naming the path. */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((iss) => {
      const path = iss.path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join('');
      return `${path || '(root)'}: ${iss.message}`;
    })
    .join('\n');
}
