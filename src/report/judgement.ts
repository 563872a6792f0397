/**
 * What judging a claim produces, as plain data: its statistics (the claim's own, then supporting
 * ones), its preconditions and its assertions, and the verdict they give. A claim's judging is a
 * pure function that fills one (claims/<id>.judge.ts), so it is tested on synthetic inputs without
 * training anything; the spec measures, judges, and hands the judgement to its ClaimContext.
 */
import { statistic, verdictOf, type Assertion, type Precondition, type Statistic, type Verdict } from './schema';

export type StatOptions = Parameters<typeof statistic>[2];

export class Judgement {
  readonly statistics: Statistic[] = [];
  /** statistics that support the claim's own (the shared lr sweep's points, ...): listed after them */
  readonly supporting: Statistic[] = [];
  readonly assertions: Assertion[] = [];
  readonly preconditions: Precondition[] = [];
  /** progress and explanation lines */
  readonly lines: string[] = [];

  stat(name: string, value: number, opts: StatOptions = {}): number {
    this.statistics.push(statistic(name, value, opts));
    return value;
  }
  /** A statistic behind the claim's own (e.g. one point of the shared lr sweep): recorded after them. */
  supportingStat(name: string, value: number, opts: StatOptions = {}): number {
    this.supporting.push(statistic(name, value, opts));
    return value;
  }
  /** Record one assertion of the paper's statement; `detail` says what was compared. */
  check(description: string, passed: boolean, detail?: string): boolean {
    this.assertions.push(detail === undefined ? { description, passed } : { description, passed, detail });
    return passed;
  }
  /**
   * A stated precondition of the claim (the unnormalised net learned, both arms converged): when
   * it is not met the verdict is 'inconclusive', naming it and the measured value, and the
   * assertions, if any are made, do not count. Returns `met`, so the judging can stop there.
   */
  require(description: string, met: boolean, detail?: string): boolean {
    this.preconditions.push(detail === undefined ? { description, met } : { description, met, detail });
    return met;
  }
  log(line: string): void {
    this.lines.push(line);
  }
  /** What the record lists: the claim's statistics first, then the supporting ones. */
  allStatistics(): Statistic[] {
    return [...this.statistics, ...this.supporting];
  }
  verdict(): Verdict {
    return verdictOf(this.assertions, this.preconditions);
  }
  /** Take over another judgement's statistics, preconditions, assertions and lines (a judge's result). */
  adopt(j: Judgement): void {
    this.statistics.push(...j.statistics);
    this.supporting.push(...j.supporting);
    this.assertions.push(...j.assertions);
    this.preconditions.push(...j.preconditions);
    for (const l of j.lines) this.log(l);
  }
}
