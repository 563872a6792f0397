import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Baseline, ClaimRecord, formatIssues, statistic, Statistic, verdictOf } from './schema';
import { fakeRecord } from './testing/fake-records';

const issues = (r: unknown) => {
  const p = ClaimRecord.safeParse(r);
  return p.success ? '' : formatIssues(p.error);
};

describe('ClaimRecord', () => {
  it('accepts a complete record', () => {
    expect(ClaimRecord.parse(fakeRecord('heavy-tailed-gradients'))).toEqual(fakeRecord('heavy-tailed-gradients'));
  });

  it('rejects what would make the report lie or break', () => {
    expect(issues({ ...fakeRecord('x'), id: 'Heavy_Tailed' })).toMatch(/^id: expected a kebab-case id/);
    expect(issues({ ...fakeRecord('x', { verdict: 'error' }), error: undefined })).toContain(
      'error: verdict "error" needs the error message',
    );
    expect(issues(fakeRecord('x', { assertions: [{ description: 'a', passed: false }] }))).toContain(
      'verdict: verdict "holds" needs at least one assertion and all of them passed',
    );
    expect(issues(fakeRecord('x', { assertions: [] }))).toContain('verdict "holds" needs at least one assertion');
    expect(issues(fakeRecord('x', { verdict: 'fails', assertions: [{ description: 'a', passed: true }] }))).toContain(
      'verdict "fails" needs at least one failed assertion',
    );
    expect(issues(fakeRecord('x', { statistics: [{ name: 's', value: null }] }))).toContain('statistics[0].note: a null value');
    expect(issues(fakeRecord('x', { statistics: [{ name: 's', value: 1, ci: [2, 1] }] }))).toContain(
      'statistics[0].ci: ci must be [lo, hi]',
    );
    expect(issues(fakeRecord('x', { statistics: [{ name: 's', value: 1, p: 1.5 }] }))).toContain('statistics[0].p');
    expect(issues(fakeRecord('x', { startedAt: 'yesterday' }))).toContain('startedAt');
    expect(issues(fakeRecord('x', { figure: '../etc/passwd' }))).toContain('figure: expected a path relative to the reports folder');
    expect(issues(fakeRecord('x', { scale: { model: 'mlp', seeds: 0 } }))).toContain('scale.seeds');
    expect(issues({ ...fakeRecord('x'), profile: 'fast' })).toContain('profile');
  });

  it('JSON has no NaN: a non-finite statistic must be null', () => {
    // JSON.stringify turns NaN into null, so a record that went through claims.json never has NaN
    const rec = JSON.parse(JSON.stringify(fakeRecord('x', { statistics: [{ name: 's', value: NaN, note: 'diverged' }] })));
    expect(rec.statistics[0].value).toBeNull();
    expect(ClaimRecord.safeParse(rec).success).toBe(true);
  });
});

describe('preconditions and the inconclusive verdict', () => {
  const unmet = [{ description: 'the unnormalised net learned', met: false, detail: 'test accuracy 0.11' }];
  const met = [{ description: 'the unnormalised net learned', met: true }];
  it('inconclusive exactly when a precondition is not met, whatever the assertions say', () => {
    const passed = [{ description: 'x', passed: true }];
    expect(verdictOf(passed, unmet)).toBe('inconclusive');
    expect(verdictOf([], unmet)).toBe('inconclusive');
    expect(verdictOf(passed, met)).toBe('holds');
    expect(verdictOf([{ description: 'x', passed: false }], met)).toBe('fails');
  });
  it('a record must agree with its preconditions; a baseline that expects inconclusive gives its reason', () => {
    expect(ClaimRecord.safeParse(fakeRecord('a', { verdict: 'inconclusive' })).success).toBe(true);
    expect(ClaimRecord.safeParse(fakeRecord('a', { verdict: 'inconclusive', preconditions: met })).success).toBe(false);
    expect(ClaimRecord.safeParse(fakeRecord('a', { verdict: 'holds', preconditions: unmet })).success).toBe(false);
    expect(ClaimRecord.safeParse(fakeRecord('a', { verdict: 'fails', preconditions: unmet })).success).toBe(false);
    expect(Baseline.safeParse({ version: 1, profile: 'smoke', claims: { a: { expected: 'inconclusive' } } }).success).toBe(false);
    expect(
      Baseline.safeParse({ version: 1, profile: 'smoke', claims: { a: { expected: 'inconclusive', reason: 'no-BN at chance' } } }).success,
    ).toBe(true);
  });
});

describe('statistic()', () => {
  it('turns any measurement into a valid Statistic, notes saying what was dropped', () => {
    const anyNum = fc.oneof(fc.double(), fc.constantFrom(NaN, Infinity, -Infinity));
    fc.assert(
      fc.property(anyNum, fc.option(fc.tuple(anyNum, anyNum), { nil: undefined }), fc.option(anyNum, { nil: undefined }), (v, ci, p) => {
        const s = statistic('x', v, { ci, p });
        expect(Statistic.safeParse(s).success).toBe(true);
        expect(s.value === null).toBe(!Number.isFinite(v));
        const json = JSON.parse(JSON.stringify(s));
        expect(Statistic.parse(json)).toEqual(s);
      }),
    );
  });

  it('keeps finite values exactly and orders the CI', () => {
    expect(statistic('r', 2.5, { ci: [3, 1], p: 0.01, paper: '~2', unit: '×' })).toEqual({
      name: 'r',
      value: 2.5,
      ci: [1, 3],
      p: 0.01,
      paper: '~2',
      unit: '×',
    });
    expect(statistic('r', NaN).note).toBe('measured value was NaN (not finite)');
  });
});

describe('verdictOf and Baseline', () => {
  it('holds only when there are assertions and all passed', () => {
    expect(verdictOf([])).toBe('fails');
    expect(verdictOf([{ description: 'a', passed: true }])).toBe('holds');
    expect(
      verdictOf([
        { description: 'a', passed: true },
        { description: 'b', passed: false },
      ]),
    ).toBe('fails');
  });

  it('a baseline entry expected to fail needs its reason', () => {
    const b = (entry: unknown) => Baseline.safeParse({ version: 1, profile: 'smoke', claims: { 'a-b': entry } });
    expect(b({ expected: 'holds' }).success).toBe(true);
    expect(b({ expected: 'fails', reason: 'ratio 3 vs 100', measured: { ratio: 3, note: 'x', gone: null } }).success).toBe(true);
    const bad = b({ expected: 'fails' });
    expect(bad.success || formatIssues(bad.error)).toBe(
      'claims.a-b.reason: expected "fails" needs a reason (the numbers measured at this scale)',
    );
    expect(Baseline.safeParse({ version: 1, profile: 'smoke', claims: { Bad_Id: { expected: 'holds' } } }).success).toBe(false);
  });
});
