/**
 * Render one sample figure of every kind to reports/gallery/<name>.svg (and an index.html
 * showing them all), to look at the figures' style without running a claim:
 *   npx tsx scripts/figure-gallery.ts [DIR]
 */
import path from 'node:path';
import { renderFigure } from '../src/report/figures';
import { writeFileAtomic } from '../src/report/atomic';
import { sampleFigures } from '../src/report/testing/sample-figures';

const dir = process.argv[2] ?? 'reports/gallery';
const items: string[] = [];
for (const [name, spec] of Object.entries(sampleFigures())) {
  const t0 = Date.now();
  const svg = await renderFigure(spec);
  writeFileAtomic(path.join(dir, `${name}.svg`), svg);
  items.push(`<h2>${name} (${spec.kind})</h2>\n${svg}`);
  console.log(`${name}: ${svg.length} bytes, ${Date.now() - t0} ms`);
}
writeFileAtomic(
  path.join(dir, 'index.html'),
  `<!doctype html><meta charset="utf-8"><title>figure gallery</title><body style="font-family:sans-serif">${items.join('\n')}</body>`,
);
console.log(`wrote ${dir}/index.html`);
