/**
 * Calibration of the init claims' measurements on seeds of their own (never the claim seeds,
 * which are BN_SEED, BN_SEED+1, …; the claims' seed bases are 0, 1000 and 2000): how far the
 * smoke-scale statistics spread between seeds, so that a threshold fixed in advance from the
 * paper or theory can be judged against the measurement's own noise.
 *
 *   npx tsx scripts/calibration/init-thresholds.ts [first-seed=9000] [seeds=12]
 *
 * Prints, per seed: layer 55's kernel-gradient excess kurtosis with and without BN (Fig. 4) and
 * the kernel-gradient concordance |Σd|/Σ|d| with and without BN (Table 1).
 */
import { initBackend } from '../../src/backend';
import { parameterGradients } from '../../src/probes/gradients';
import { inputDependence } from '../../src/probes/output-gradients';
import { claimData, makeResNet, probeBatch, scale } from '../../src/setup';
import { excessKurtosis, median } from '../../src/stats/moments';

const first = Number(process.argv[2] ?? 9000);
const n = Number(process.argv[3] ?? 12);
await initBackend();
const S = scale();
const { train } = claimData({ trainLimit: 2000 });
const rows: Record<string, number>[] = [];
for (let seed = first; seed < first + n; seed++) {
  const { x, y } = probeBatch(train, S.batch, seed);
  const row: Record<string, number> = { seed };
  for (const bn of ['none', 'all'] as const) {
    const net = makeResNet({ bn, seed, data: train });
    const layer = net.layers.find((l) => l.depth === 55)!;
    const g = (await parameterGradients(net, x, y, [layer.weight]))[layer.weight]!;
    row[`kurt_${bn}`] = excessKurtosis(g);
    const conc = (await inputDependence(net, x, y, layer.name)).concordance;
    row[`conc_${bn}`] = conc.medianRatio;
    row[`pe_conc_${bn}`] = conc.perExampleMedianRatio;
    net.dispose();
  }
  row.ratio = row.conc_none! / row.conc_all!;
  row.pe_ratio = row.pe_conc_none! / row.pe_conc_all!;
  x.dispose();
  y.dispose();
  rows.push(row);
  console.log(JSON.stringify(row));
}
for (const k of ['kurt_none', 'kurt_all', 'conc_none', 'conc_all', 'ratio', 'pe_conc_none', 'pe_conc_all', 'pe_ratio']) {
  const v = rows.map((r) => r[k]!).sort((a, b) => a - b);
  console.log(`${k}: median ${median(v).toFixed(3)}, range ${v[0]!.toFixed(3)} … ${v.at(-1)!.toFixed(3)}`);
}
