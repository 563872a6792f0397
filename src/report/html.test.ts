import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildIndexHtml, inlineSvg, writeIndexHtml } from './html';
import { CLAIMS } from '../../claims/catalogue';
import { serializeRecords } from './records';
import { Baseline } from './schema';
import { fakeRecord } from './testing/fake-records';

const sectionOf = (html: string, id: string) => {
  const m = new RegExp(`<section class="claim" id="claim-${id}" data-claim-id="${id}"[^>]*>([\\s\\S]*?)</section>`).exec(html);
  if (!m) throw new Error(`no section for ${id}`);
  return m[0];
};

const baseline: Baseline = {
  version: 1,
  profile: 'smoke',
  claims: {
    'heavy-tailed-gradients': { expected: 'holds' },
    'depth-limits-learning-rate': {
      expected: 'fails',
      reason: 'largest stable lr 0.1 at depth 20 and 0.1 at depth 56 (no difference at this scale)',
    },
    'low-lr-parity': { expected: 'fails', reason: 'needs 100 epochs' },
  },
};

describe('buildIndexHtml', () => {
  const svg =
    '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="100" height="50" viewBox="0 0 100 50"><defs><clipPath id="clip1"><rect width="10" height="10"/></clipPath></defs><g clip-path="url(#clip1)" onclick="alert(1)"><rect width="100" height="50"/></g><script>alert(1)</script></svg>';
  const records = [
    fakeRecord('heavy-tailed-gradients', { paper: 'Fig. 4', figure: 'heavy-tailed-gradients.svg' }),
    fakeRecord('depth-limits-learning-rate', { verdict: 'fails', title: 'Depth <limits> the learning rate' }),
    fakeRecord('low-lr-parity', { verdict: 'holds' }),
    fakeRecord('extra-claim', { verdict: 'error', error: 'TypeError: x is undefined' }),
  ];
  const html = buildIndexHtml(records, baseline, CLAIMS, { figures: { 'heavy-tailed-gradients': svg }, generatedAt: 'T0' });

  it('has one section per catalogue claim plus claims only in the records', () => {
    const ids = [...html.matchAll(/<section class="claim" id="claim-([^"]+)" data-claim-id="\1"/g)].map((m) => m[1]);
    expect(ids).toEqual([...CLAIMS.map((c) => c.id), 'extra-claim']);
    expect([...html.matchAll(/<tr data-summary-for="/g)]).toHaveLength(CLAIMS.length + 1);
  });

  it('shows verdicts, and claims without a record as "not run"', () => {
    expect(sectionOf(html, 'heavy-tailed-gradients')).toContain('data-verdict="holds"');
    expect(sectionOf(html, 'extra-claim')).toContain('data-verdict="error"');
    expect(sectionOf(html, 'extra-claim')).toContain('<pre class="error">TypeError: x is undefined</pre>');
    const notRun = sectionOf(html, 'gaussian-product-spectra');
    expect(notRun).toContain('data-verdict="not-run"');
    expect(notRun).toContain('Not run: no record for this claim');
    expect(notRun).toContain('Squared singular values follow the Fuss–Catalan law'); // the paper's numbers still shown
    expect(html).toContain(`data-badge="not-run">not run</span> ${CLAIMS.length - 3}<`); // three catalogue claims have records
  });

  it("puts measured numbers beside the paper's, with CIs, p-values and notes", () => {
    const s = sectionOf(html, 'heavy-tailed-gradients');
    expect(s).toContain(
      '<td>ratio</td><td class="num">102.5 ×</td><td class="num"></td><td class="num">0.004</td><td class="paper">~100×</td>',
    );
    expect(s).toContain('<td class="num">14.2</td><td class="num">[9.1, 20.3]</td>');
    expect(s).toContain('<span class="na">n/a</span>');
    expect(s).toContain('measured value was NaN (not finite)');
    expect(s).toContain('<b>The paper shows:</b> Gradients of layer 55 at init');
    expect(s).toContain('<dt>scale</dt><dd>resnet, depth 20, width 16, 256 images, batch 64, 3 seeds</dd>');
  });

  it('says plainly when the baseline records a claim as not replicating, or when it improved', () => {
    const s = sectionOf(html, 'depth-limits-learning-rate');
    expect(s).toContain(
      '<b>Does not replicate at this scale</b> (recorded in the baseline, smoke profile): largest stable lr 0.1 at depth 20',
    );
    expect(s).toContain('Depth &lt;limits&gt; the learning rate'); // escaped
    expect(sectionOf(html, 'low-lr-parity')).toContain('<b>Improved:</b>');
  });

  it('an inconclusive claim: its badge, the precondition not met, and what the baseline expects', () => {
    const b: Baseline = {
      version: 1,
      profile: 'smoke',
      claims: {
        'high-lr-benefit': { expected: 'inconclusive', reason: 'the plain net stays at chance' },
        'final-layer-bn-recovers-two-thirds': { expected: 'inconclusive', reason: 'idem' },
        'low-lr-parity': { expected: 'inconclusive', reason: 'idem' },
      },
    };
    const page = buildIndexHtml(
      [fakeRecord('high-lr-benefit', { verdict: 'inconclusive' }), fakeRecord('final-layer-bn-recovers-two-thirds')],
      b,
    );
    const inc = sectionOf(page, 'high-lr-benefit');
    expect(inc).toContain('data-verdict="inconclusive"');
    expect(inc).toContain('<b>Cannot be tested at this scale</b>');
    expect(inc).toMatch(
      /<li class="unmet" data-unmet>.*PRECONDITION NOT MET:.*the unnormalised net learned.*test accuracy 0\.11, chance 0\.10/,
    );
    expect(sectionOf(page, 'final-layer-bn-recovers-two-thirds')).toContain('<b>Changed:</b>');
    const notRun = sectionOf(page, 'low-lr-parity'); // expected inconclusive, not run: nothing changed
    expect(notRun).not.toContain('<b>Changed:</b>');
    expect(notRun).toContain('<b>Cannot be tested at this scale</b>');
    expect(page).toMatch(/data-badge="inconclusive">inconclusive<\/span> 1/);
  });

  it('inlines the figure, safely and with its own ids', () => {
    const s = sectionOf(html, 'heavy-tailed-gradients');
    expect(s).toContain('<figure data-figure-for="heavy-tailed-gradients"><svg');
    expect(s).toContain('id="fig-heavy-tailed-gradients-clip1"');
    expect(s).toContain('clip-path="url(#fig-heavy-tailed-gradients-clip1)"');
    expect(s).not.toMatch(/<script|onclick|<\?xml/);
    expect(html).not.toMatch(/<script|<link|@import|https?:\/\/(?!www\.w3\.org)/); // self-contained
  });

  it('inlineSvg leaves references to unknown ids alone', () => {
    expect(inlineSvg('<svg><use href="#other"/><g id="a" fill="url(#a)"/></svg>', 'p')).toBe(
      '<svg><use href="#other"/><g id="p-a" fill="url(#p-a)"/></svg>',
    );
  });

  it('renders with no records and no baseline', () => {
    const empty = buildIndexHtml([], undefined);
    expect([...empty.matchAll(/data-verdict="not-run"/g)]).toHaveLength(CLAIMS.length);
    expect(empty).toContain('no baseline');
  });
});

describe('writeIndexHtml', () => {
  const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'bn-html-'));

  it('builds reports/index.html from claims.json and the figures on disk', () => {
    const dir = tmp();
    fs.writeFileSync(
      path.join(dir, 'claims.json'),
      serializeRecords([
        fakeRecord('heavy-tailed-gradients', { figure: 'heavy-tailed-gradients.svg' }),
        fakeRecord('low-lr-parity', { figure: 'gone.svg' }),
      ]),
    );
    fs.writeFileSync(path.join(dir, 'heavy-tailed-gradients.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
    const { file, warnings } = writeIndexHtml(dir, path.join(dir, 'no-baseline.json'));
    expect(file).toBe(path.join(dir, 'index.html'));
    expect(warnings).toEqual([`low-lr-parity: figure ${path.join(dir, 'gone.svg')} not found`]);
    const html = fs.readFileSync(file, 'utf8');
    expect(html).toContain('<figure data-figure-for="heavy-tailed-gradients"><svg');
    expect(html).toContain('data-missing="true"');
  });

  it('does not throw on a missing or malformed claims.json or baseline: the page says what is wrong', () => {
    const dir = tmp();
    expect(() => writeIndexHtml(dir, path.join(dir, 'b.json'))).not.toThrow();
    fs.writeFileSync(path.join(dir, 'claims.json'), '[1,2');
    fs.writeFileSync(path.join(dir, 'b.json'), '{"version": 2}');
    const { warnings } = writeIndexHtml(dir, path.join(dir, 'b.json'));
    expect(warnings[0]).toContain('claims.json is not valid JSON');
    expect(warnings[1]).toContain('b.json does not match the baseline schema');
    const html = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
    expect(html).toContain('<div class="warnings" role="alert">');
    expect(html).toContain('claims.json is not valid JSON');
  });
});
