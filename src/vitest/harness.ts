/**
 * The shape of every claim spec: set up, measure, assert, report.
 *
 *   claim('heavy-tailed-gradients', async (c) => {   // title and paper reference: claims/catalogue.ts
 *     c.scale({ model: 'ResNet-110', depth: 110, width: 8, seeds: 5 });
 *     … measure …
 *     c.stat('excess kurtosis, no BN', k, { ci, paper: '≫ 0' });
 *     c.check('kurtosis without BN exceeds with BN in every seed', …);
 *     c.figure({ kind: 'histograms', … });
 *   });
 *
 * Whatever happens, the claim attaches its validated record (verdict holds | fails | inconclusive
 * | error; inconclusive when a `c.require(…)` precondition was not met: its test is then shown as
 * skipped with the reason) and its figure to its vitest test; the claims reporter, in vitest's
 * main process, writes them to reports/claims.json and reports/<id>.svg (reports/ is
 * BN_REPORTS_DIR when set). Then each check becomes a soft expectation, so a claim that does not
 * hold fails its test with every reason listed, and a crash fails it with the error.
 */
import { test, expect, type TestContext } from 'vitest';
import { CATALOGUE, isClaimId, type ClaimId } from '../../claims/catalogue';
import { initBackend } from '../backend';
import { config } from '../config';
import { attachEvidence } from './annotate';
import { renderFigure, type FigureSpec } from '../report/figures';
import { validateRecord } from '../report/records';
import { Judgement } from '../report/judgement';
import { verdictOf, type ClaimRecordInput, type Scale } from '../report/schema';

function metaOf(id: string): ClaimMeta {
  if (!isClaimId(id)) throw new Error(`claim "${id}" is not in the catalogue (claims/catalogue.ts): add an entry there`);
  const { title, paper } = CATALOGUE[id];
  return { id, title, paper };
}

export interface ClaimMeta {
  id: string;
  title: string;
  /** where in the paper: 'Fig. 4', '§3.1', ... */
  paper: string;
}

export class ClaimContext extends Judgement {
  scaleInfo: Scale | undefined;
  dataset = '';
  figureSpec: FigureSpec | undefined;
  constructor(readonly meta: ClaimMeta) {
    super();
  }

  scale(s: Scale): void {
    this.scaleInfo = s;
  }
  data(name: string): void {
    this.dataset = name;
  }
  figure(spec: FigureSpec): void {
    this.figureSpec = spec;
  }
  /** A progress line (claims at the paper profile run for hours), printed as it comes. */
  override log(message: string): void {
    super.log(message);
    console.log(`[${this.meta.id}] ${message}`);
  }
}

/**
 * A claim of the catalogue (claims/catalogue.ts) by its id: its title and paper reference come
 * from there. A full meta is for claims outside the catalogue (the tests' fake claims).
 */
export function claim(idOrMeta: ClaimId | ClaimMeta, body: (c: ClaimContext) => Promise<void>): void {
  const meta: ClaimMeta = typeof idOrMeta === 'string' ? metaOf(idOrMeta) : idOrMeta;
  test(`${meta.id}: ${meta.title}`, async (ctx: TestContext) => {
    const startedAt = new Date().toISOString();
    const t0 = performance.now();
    const c = new ClaimContext(meta);
    let error: unknown;
    let backend = 'unknown';
    try {
      backend = (await initBackend()).name;
      await body(c);
    } catch (e) {
      error = e;
    }
    let svg: string | undefined;
    let figure: string | undefined;
    if (c.figureSpec) {
      try {
        svg = await renderFigure(c.figureSpec);
        figure = `${meta.id}.svg`;
      } catch (e) {
        error ??= new Error(`figure failed to render: ${(e as Error).message}`);
      }
    }
    const record: ClaimRecordInput = {
      id: meta.id,
      title: meta.title,
      paper: meta.paper,
      profile: config().profile,
      backend,
      dataset: c.dataset || config().dataName,
      scale: c.scaleInfo ?? { model: 'not reached', seeds: 1 },
      statistics: c.allStatistics(),
      assertions: c.assertions,
      ...(c.preconditions.length ? { preconditions: c.preconditions } : {}),
      verdict: error ? 'error' : verdictOf(c.assertions, c.preconditions),
      durationMs: performance.now() - t0,
      seed: config().seed,
      startedAt,
      ...(figure ? { figure } : {}),
      ...(error ? { error: (error as Error).stack ?? String(error) } : {}),
    };
    const valid = validateRecord(record);
    await attachEvidence(ctx, valid, svg);
    if (error) throw error;
    if (valid.verdict === 'inconclusive') {
      // not a pass and not a failure of the paper: the test is shown as skipped, with the reason
      const unmet = c.preconditions.filter((p) => !p.met);
      const why = `INCONCLUSIVE: ${unmet.map((p) => `${p.description}${p.detail ? ` (${p.detail})` : ''}`).join('; ')}`;
      c.log(why);
      ctx.skip(why);
      return;
    }
    expect(c.assertions.length, 'a claim must assert something').toBeGreaterThan(0);
    for (const a of c.assertions) expect.soft(a.passed, `${a.description}${a.detail ? ` (${a.detail})` : ''}`).toBe(true);
  });
}
