/**
 * The training claims' seed counts from calibration seeds (9000 and up, never claim seeds): the
 * spreads the power calculations in the specs' headers need, at the rates the calibration sweep
 * picked (scripts/calibration/pick-rates.ts), from the CALIB lines of
 * scripts/calibration/training-scale.ts. Pairs are formed by seed (same seed, same initial
 * kernels, batch order and augmentation), as the claims pair them.
 *
 *   npx tsx scripts/calibration/power.ts LOW HIGH FINAL LOG [LOG ...]
 */
import fs from 'node:fs';
import { binomialCriticalCount } from '../../src/stats/binomial';
import { mean, std } from '../../src/stats/moments';
import { oneSampleTestSize, tostPairedPower, tostPairedSize } from '../../src/stats/power';
import { minGain, seedsFor } from '../../claims/final-layer-bn-recovers-two-thirds.judge';
import { MARGIN } from '../../claims/low-lr-parity.judge';

const [lowArg, highArg, finalArg, ...files] = process.argv.slice(2);
const [low, high, bestFinal] = [lowArg, highArg, finalArg].map(Number);
if (!(low! > 0 && high! > 0 && bestFinal! > 0) || !files.length) throw new Error('usage: power.ts LOW HIGH FINAL LOG [LOG ...]');

interface Calib {
  arm: string;
  lr: number;
  seed: number;
  testAcc: number | null;
  valAcc: number | null;
  sharpness: { matched: { value: number | null } | null } | null;
}
const runs = new Map<string, Calib>(); // the last run of each (arm, rate, seed)
for (const f of files)
  for (const line of fs.readFileSync(f, 'utf8').split('\n'))
    if (line.startsWith('CALIB ')) {
      const r = JSON.parse(line.slice(6)) as Calib;
      runs.set(`${r.arm}|${r.lr}|${r.seed}`, r);
    }
const at = (arm: string, lr: number) => [...runs.values()].filter((r) => r.arm === arm && r.lr === lr);
/** x − y per seed both have */
const paired = (x: Calib[], y: Calib[], f: (r: Calib) => number) =>
  x.flatMap((a) => {
    const b = y.find((r) => r.seed === a.seed);
    return b ? [f(a) - f(b)] : [];
  });
const acc = (r: Calib) => r.testAcc ?? 0.1;
/** a run that learned (the judges' "learned" reads validation accuracy ≥ 0.5) */
const trained = (r: Calib) => (r.valAcc ?? 0) >= 0.5;
const show = (xs: number[]) =>
  `${xs.map((x) => x.toFixed(4)).join(', ')} (n ${xs.length}, mean ${mean(xs).toFixed(4)}, sd ${xs.length > 1 ? std(xs).toFixed(4) : 'n/a'})`;

const parity = paired(at('all', low!), at('none', low!), acc);
const benefit = paired(at('all', high!), at('all', low!), acc);
const benefitTrained = paired(at('all', high!).filter(trained), at('all', low!).filter(trained), acc);
const logS = (r: Calib) => Math.log(r.sharpness?.matched?.value ?? NaN);
const sharp = paired(at('all', low!), at('all', high!), logS).filter(Number.isFinite);
// the recovery judges each arm over the seeds it learned in
const arms = {
  none: at('none', low!).filter(trained).map(acc),
  final: at('final', bestFinal!).filter(trained).map(acc),
  all: at('all', high!).filter(trained).map(acc),
};
const failedHigh = at('all', high!).filter((r) => !trained(r)).length;
// the per-arm spread pooled over the three arms (each arm's variance, weighted by its df)
let ss = 0;
let df = 0;
for (const xs of Object.values(arms))
  if (xs.length > 1) {
    const m = mean(xs);
    ss += xs.reduce((a, x) => a + (x - m) ** 2, 0);
    df += xs.length - 1;
  }
const armSd = Math.sqrt(ss / df);
const gain = mean(arms.all) - mean(arms.none);

console.log(`rates: low ${low}, high ${high}, final-layer BN ${bestFinal}`);
console.log(`\nlow-lr-parity: BN − no BN at the low rate, per seed: ${show(parity)}`);
const sdP = std(parity);
console.log(
  `  TOST within ±${MARGIN}: n = ${tostPairedSize({ delta: MARGIN, sd: sdP })} for power 0.8 at a true difference 0 (tostPairedPower); power at n = 12, 16, 20: ${[12, 16, 20].map((n) => tostPairedPower({ n, delta: MARGIN, sd: sdP }).toFixed(2)).join(', ')} (at the calibration's mean difference ${mean(parity).toFixed(4)}: ${[12, 16, 20].map((n) => tostPairedPower({ n, delta: MARGIN, sd: sdP, trueDiff: mean(parity) }).toFixed(2)).join(', ')})`,
);
console.log(`\nhigh-lr-benefit: BN high − low, per seed: ${show(benefit)}`);
console.log(`  BN at the high rate failed in ${failedHigh} of ${at('all', high!).length} calibration seeds`);
console.log(`  seeds where BN trained at both rates: ${show(benefitTrained)}`);
console.log(
  `  one-sided paired t at Δ = 0.025 (the paper's smaller step), power 0.8, on the seeds that trained: n = ${oneSampleTestSize({ delta: 0.025, sd: std(benefitTrained) })}`,
);
console.log(
  `  without BN the high rate fails: all of 5 (${binomialCriticalCount(5, 0.5)}), 8 (${binomialCriticalCount(8, 0.5)}), 10 (${binomialCriticalCount(10, 0.5)}), 12 (${binomialCriticalCount(12, 0.5)}) needed`,
);
console.log(
  `  no BN at the high rate, calibration: ${at('none', high!)
    .map((r) => (r.testAcc !== null && r.testAcc > 0.2 ? `learned ${r.testAcc}` : 'failed'))
    .join(', ')}`,
);
console.log(`\nsmall-lr-sharper-minima: log sharpness small − large rate, per seed: ${show(sharp)}`);
console.log(`  one-sided paired t at log 2, power 0.8: n = ${oneSampleTestSize({ delta: Math.log(2), sd: std(sharp) })}`);
console.log(
  `\nfinal-layer-bn-recovers-two-thirds: per arm ${Object.entries(arms)
    .map(([k, v]) => `${k} ${show(v)}`)
    .join('; ')}`,
);
console.log(
  `  per-arm sd pooled ${armSd.toFixed(4)} (${df} df), gain all − none ${gain.toFixed(4)}: seeds to resolve the ratio ${seedsFor(gain, armSd)}; minGain at n = 10, 20: ${minGain(10, armSd).toFixed(4)}, ${minGain(20, armSd).toFixed(4)}`,
);
