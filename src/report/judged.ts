/**
 * What a claim's judge returns: the pure function beside each spec (claims/<id>.judge.ts) that
 * turns the probe results into statistics, checks and preconditions, so the judging can be tested
 * on synthetic inputs (claims/<id>.judge.test.ts) without a network. The spec measures, calls the
 * judge, and hands the result to the claim context with `report`; it states each precondition
 * itself, with its catalogue wording (c.require), from the judge's `met` and `detail`.
 */
import type { Undefined } from '../stats/types';

export interface JudgedStatistic {
  name: string;
  value: number;
  ci?: readonly [number, number];
  p?: number;
  paper?: string;
  note?: string;
  /** listed after the claim's own statistics (c.supportingStat) */
  supporting?: boolean;
}

export interface JudgedCheck {
  description: string;
  passed: boolean;
  detail?: string;
}

export interface JudgedPrecondition {
  met: boolean;
  detail: string;
}

export interface Judgement<P extends string = never> {
  statistics: JudgedStatistic[];
  checks: JudgedCheck[];
  preconditions: Record<P, JudgedPrecondition>;
}

/** The part of the claim context (src/vitest/harness.ts) a judgement is reported through. */
export interface ReportTarget {
  stat(name: string, value: number, opts?: Omit<JudgedStatistic, 'name' | 'value' | 'supporting'>): number;
  supportingStat(name: string, value: number, opts?: Omit<JudgedStatistic, 'name' | 'value' | 'supporting'>): number;
  check(description: string, passed: boolean, detail?: string): boolean;
}

/** Record a judgement's statistics and checks, in order (preconditions: the spec's c.require). */
export function report<P extends string>(c: ReportTarget, j: Judgement<P>): void {
  for (const { name, value, supporting, ...opts } of j.statistics) (supporting ? c.supportingStat : c.stat).call(c, name, value, opts);
  for (const k of j.checks) c.check(k.description, k.passed, k.detail);
}

/** Numbers for a record's detail and notes: 3 significant digits, exponent form outside [1e-3, 1e4). */
export function fmt(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined) return 'none';
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? v.toExponential(digits - 1) : Number(v.toPrecision(digits)).toString();
}

/**
 * A test that does not exist for this input (fewer values than it needs, a non-finite one,
 * constant data): `undefined, because` its error's message, so that the judgement records why
 * (a failed check, a NaN statistic with the reason) instead of crashing.
 */
export function attempt<T extends object>(test: () => T): T | Undefined {
  try {
    return test();
  } catch (e) {
    return { undefined: `undefined, because ${e instanceof Error ? e.message : String(e)}` };
  }
}
