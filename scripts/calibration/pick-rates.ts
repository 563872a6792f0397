/**
 * The rates a calibration sweep picks, by the sweep's own rules (pickRates in src/runs/sweep.ts),
 * from the CALIB lines of scripts/calibration/training-scale.ts runs (seeds 9000 and up, never
 * claim seeds): every arm at every grid rate and calibration seed. Prints each cell's outcomes
 * and validation accuracies, BN's noise band and the rates; the full profile fixes the rates it
 * prints in TRAINING_SCALES.full.rates before the confirmatory runs (docs/full-profile.md).
 *
 *   npx tsx scripts/calibration/pick-rates.ts [--seeds FIRST-LAST] LOG [LOG ...]
 *
 * --seeds keeps the sweep's own seeds (the full profile's sweep: 9000-9002); runs at other
 * calibration seeds (for the power calculations) are left out of the picking.
 */
import fs from 'node:fs';
import { BnPlacement } from '../../src/nets/types';
import { outcome, pickRates, type SweepPoint } from '../../src/runs';

const args = process.argv.slice(2);
const range = args[0] === '--seeds' ? args[1]?.match(/^(\d+)-(\d+)$/) : null;
if (args[0] === '--seeds' && !range) throw new Error('--seeds expects FIRST-LAST, e.g. --seeds 9000-9002');
const files = range ? args.slice(2) : args;
const inRange = (seed: number) => !range || (seed >= Number(range[1]) && seed <= Number(range[2]));
// one point per (arm, rate, seed): a run repeated (e.g. after a change of kernels) counts once, the last given
if (!files.length) throw new Error('usage: pick-rates.ts LOG [LOG ...] (the output of scripts/calibration/training-scale.ts)');
const points: SweepPoint[] = [];
for (const f of files)
  for (const line of fs.readFileSync(f, 'utf8').split('\n')) {
    if (!line.startsWith('CALIB ')) continue;
    const r = JSON.parse(line.slice(6)) as {
      arm: string;
      lr: number;
      seed: number;
      steps: number;
      diverged: number | null;
      collapsed: boolean;
      valAcc: number | null;
    };
    if (!inRange(r.seed)) continue;
    const arm = BnPlacement.parse(r.arm);
    const o = outcome({
      diverged: r.diverged === null ? null : { step: r.diverged, loss: null, reason: 'exceeded' },
      collapsed: r.collapsed,
      final: { valAcc: r.valAcc } as never,
    });
    const i = points.findIndex((p) => p.arm === arm && p.lr === r.lr && p.seed === r.seed);
    if (i >= 0) points.splice(i, 1);
    points.push({ arm, lr: r.lr, seed: r.seed, outcome: o, valAcc: r.valAcc, steps: r.steps });
  }
const grid = [...new Set(points.map((p) => p.lr))].sort((a, b) => a - b);
const rates = pickRates(grid, points);
for (const arm of BnPlacement.options) {
  console.log(`\n${arm}`);
  for (const lr of grid) {
    const ps = points.filter((p) => p.arm === arm && p.lr === lr).sort((a, b) => a.seed - b.seed);
    if (!ps.length) continue;
    const cell = ps.map((p) => (p.outcome === 'learned' ? p.valAcc!.toFixed(3) : p.outcome)).join(', ');
    console.log(`  ${String(lr).padEnd(6)} ${cell}`);
  }
}
console.log(`\nBN's noise band: ${JSON.stringify(rates.bnBand)}`);
console.log(
  `low ${rates.low}, high ${rates.high}, final-layer BN ${rates.bestFinal}${Object.keys(rates.why).length ? ` (${JSON.stringify(rates.why)})` : ''}`,
);
