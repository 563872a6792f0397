/**
 * The claim catalogue (claims/catalogue.ts) is the one list of claims: the spec files, the
 * baselines, the README's table, the training runs and each spec's preconditions agree with it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOGUE, CLAIM_IDS, CLAIMS } from '../../claims/catalogue';
import { TRAINING_CLAIM_IDS } from '../runs/sweep';

const root = path.resolve(__dirname, '../..');
const claimsDir = path.join(root, 'claims');
const specIds = fs
  .readdirSync(claimsDir)
  .filter((f) => f.endsWith('.spec.ts'))
  .map((f) => f.replace(/\.spec\.ts$/, ''))
  .sort();
const specSource = (id: string) => fs.readFileSync(path.join(claimsDir, `${id}.spec.ts`), 'utf8');
/** A claim's spec and, where it has one, its judging beside it (claims/<id>.judge.ts). */
const judgingSource = (id: string) => {
  const judge = path.join(claimsDir, `${id}.judge.ts`);
  return specSource(id) + (fs.existsSync(judge) ? fs.readFileSync(judge, 'utf8') : '');
};

describe('claim catalogue', () => {
  it('has one entry per spec file, unique kebab-case ids, every field filled', () => {
    expect([...CLAIM_IDS].sort()).toEqual(specIds);
    for (const c of CLAIMS) {
      expect(c.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(c.title && c.paper && c.statement && c.shows).toBeTruthy();
    }
  });

  it('each spec declares its own claim by id, so its title and paper reference come from the catalogue', () => {
    for (const id of specIds) {
      const calls = [...specSource(id).matchAll(/^claim\(\s*(['"])([^'"]+)\1\s*,/gm)].map((m) => m[2]);
      expect(calls, `${id}.spec.ts`).toEqual([id]);
    }
  });

  it('every baseline lists exactly the catalogue claims', () => {
    const files = fs.readdirSync(claimsDir).filter((f) => /^baseline(-[\w]+)?\.json$/.test(f));
    expect(files).toContain('baseline.json');
    for (const f of files) {
      const b = JSON.parse(fs.readFileSync(path.join(claimsDir, f), 'utf8')) as { claims: Record<string, unknown> };
      expect(Object.keys(b.claims).sort(), f).toEqual([...CLAIM_IDS].sort());
    }
  });

  it("the README's claims table has one row per claim, with the catalogue's paper reference", () => {
    const whole = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    // the table of the section "## The claims" (other sections may have tables of claims too)
    const start = whole.indexOf('\n## The claims');
    expect(start, 'README has a "## The claims" section').toBeGreaterThanOrEqual(0);
    const end = whole.indexOf('\n## ', start + 1);
    const readme = whole.slice(start, end < 0 ? undefined : end);
    const rows = [...readme.matchAll(/^\| `([a-z0-9-]+)` \| ([^|]+) \|/gm)]
      .filter((m) => !m[1]!.startsWith('BN_'))
      .map((m) => [m[1], m[2]!.trim()]);
    const claimRows = rows.filter(([id]) => id !== undefined && (CLAIM_IDS as string[]).includes(id));
    expect(claimRows.map(([id]) => id).sort()).toEqual([...CLAIM_IDS].sort());
    for (const [id, ref] of claimRows) expect(ref, id).toBe(CATALOGUE[id as keyof typeof CATALOGUE].paper);
  });

  it('each training claim has its runs in CLAIM_RUNS, and its spec reads them from there', () => {
    const training = CLAIM_IDS.filter((id) => CATALOGUE[id].cost === 'training');
    expect([...TRAINING_CLAIM_IDS].sort()).toEqual([...training].sort());
    // the training phase trains CLAIM_RUNS[id]: a spec that read other runs would miss them
    for (const id of training) {
      const src = specSource(id);
      expect(
        [...src.matchAll(/readClaimRuns\(\s*'([^']+)'/g)].map((m) => m[1]),
        id,
      ).toEqual([id]);
      expect(src, id).not.toMatch(/\b(readRuns|armRequests|runSpec)\(/);
    }
  });

  it('every precondition a claim requires (its spec or its judging) begins with one of its catalogue preconditions, and each of those is required', () => {
    for (const c of CLAIMS) {
      const src = judgingSource(c.id);
      const described = [...src.matchAll(/\b[cj]\.require\(\s*(['"`])((?:\\.|(?!\1).)*)\1/g)].map((m) => m[2]!.replace(/\\'/g, "'"));
      for (const d of described)
        expect(
          c.preconditions.some((p) => d.startsWith(p)),
          `${c.id}: require('${d}') is not in the catalogue`,
        ).toBe(true);
      for (const p of c.preconditions)
        expect(
          described.some((d) => d.startsWith(p)),
          `${c.id}: catalogue precondition '${p}' is never required`,
        ).toBe(true);
    }
  });
});
