/**
 * Calibration of the probe claims re-judged in issue 23, on seeds of their own (9000 and up; the
 * claim seeds are BN_SEED + i at the bases 0, 1000, 2000): the same measurements as the specs,
 * through the same probes, and the spread that the power calculations need. The thresholds are
 * not calibrated: they were fixed beforehand (docs/probe-claims.md, section 1).
 *
 *   npx tsx scripts/calibration/probe-claims.ts explode    [first-seed=9000] [seeds=10]
 *   npx tsx scripts/calibration/probe-claims.ts divergence [first-seed=9000] [seeds=5]
 *   npx tsx scripts/calibration/probe-claims.ts noise      [first-seed=9000] [seeds=5]
 *   npx tsx scripts/calibration/probe-claims.ts spectra    [first-seed=9000] [seeds=20]
 *
 * Prints one JSON line per seed, then per asserted quantity its mean and sd over the seeds and the
 * seed count a one-sided t-test needs for power 0.8 at α = 0.05 (src/stats/power.ts).
 */
import { initBackend } from '../../src/backend';
import { explosionAlongStep } from '../../src/probes/divergent-step';
import { noiseScaling } from '../../src/probes/noise';
import { scansAlongTraining } from '../../src/probes/training-scan';
import { spectrumSummary, finiteNMoments } from '../../src/rmt';
import { claimData, disposing, makeResNet, probeBatch, scale } from '../../src/setup';
import { mean, std } from '../../src/stats/moments';
import { halfWidthSize, oneSampleTestSize } from '../../src/stats/power';
import { Sgd } from '../../src/train/sgd';
import * as explode from '../../claims/moments-explode-in-divergent-step.judge';
import * as divergence from '../../claims/divergence-vs-step-size.judge';
import * as noise from '../../claims/sgd-noise-bound.judge';
import * as spectra from '../../claims/gaussian-product-spectra.judge';

const [mode = '', firstArg, nArg] = process.argv.slice(2);
const defaults: Record<string, number> = { explode: 10, divergence: 5, noise: 5, spectra: 20 };
if (!(mode in defaults)) {
  console.error(`usage: probe-claims.ts explode|divergence|noise|spectra [first-seed=9000] [seeds]`);
  process.exit(2);
}
const first = Number(firstArg ?? 9000);
const n = Number(nArg ?? defaults[mode]);
const seedList = Array.from({ length: n }, (_, i) => first + i);
await initBackend();
const S = scale();

/** mean, sd and the seeds for power 0.8 of a one-sided test that the mean is beyond `threshold` */
function power(name: string, values: number[], threshold: number, side: 'above' | 'below') {
  const m = mean(values);
  const sd = values.length > 1 ? std(values) : NaN;
  const delta = side === 'above' ? m - threshold : threshold - m;
  const needed = delta > 0 && sd > 0 ? oneSampleTestSize({ delta, sd }) : delta > 0 ? 2 : Infinity;
  console.log(
    `${name}: mean ${m.toFixed(3)}, sd ${sd.toFixed(3)}, range ${Math.min(...values).toFixed(3)} … ${Math.max(...values).toFixed(3)}; ` +
      `${side} ${threshold}: effect ${delta.toFixed(3)}, n for power 0.8 = ${needed}`,
  );
}

if (mode === 'explode') {
  const { train } = claimData({ trainLimit: 2000 });
  const rows: explode.ExplodeSeed[] = [];
  for (const seed of seedList) {
    const t0 = Date.now();
    const r = await disposing(async (own) => {
      const { x, y } = own(probeBatch(train, S.batch, seed));
      const none = own(makeResNet({ bn: 'none', seed, data: train }));
      const bn = own(makeResNet({ bn: 'all', seed, data: train }));
      return explosionAlongStep(none, bn, x, y, {
        grid: explode.STEP_GRID,
        minRelativeLoss: explode.MIN_RELATIVE_LOSS,
        ts: explode.TS,
        depths: explode.LAYERS,
      });
    });
    const row: explode.ExplodeSeed = { seed, alpha: r.alpha, relativeLoss: r.relativeLoss, none: r.none, bn: r.bn, blocks: r.blocks };
    rows.push(row);
    const g = (d: number) => (r.alpha === null ? NaN : explode.decades(r.none.find((t) => t.depth === d)!.variance));
    console.log(
      JSON.stringify({
        seed,
        alpha: r.alpha,
        relativeLoss: r.relativeLoss,
        g8: g(8),
        g44: g(44),
        g80: g(80),
        h: r.none.map((t) => explode.decades(t.absMean)),
        var0: r.none.map((t) => t.variance[0]),
        bnMove: r.alpha === null ? null : explode.largestMove(r.bn),
        seconds: (Date.now() - t0) / 1000,
      }),
    );
  }
  const ok = rows.filter((r) => r.alpha !== null);
  console.log(`a step above ${explode.MIN_RELATIVE_LOSS} in ${ok.length} of ${rows.length} seeds`);
  const g = (r: explode.ExplodeSeed, d: number) => explode.decades(r.none.find((t) => t.depth === d)!.variance);
  for (const d of explode.LATE)
    power(
      `g${d}`,
      ok.map((r) => g(r, d)),
      explode.BLOW_UP_DECADES,
      'above',
    );
  for (const d of explode.LATE)
    power(
      `g${d} − g8`,
      ok.map((r) => g(r, d) - g(r, 8)),
      explode.BLOW_UP_DECADES,
      'above',
    );
  power(
    'BN largest move',
    ok.map((r) => explode.largestMove(r.bn)),
    explode.BN_DECADES,
    'below',
  );
  const j = explode.judgeMomentsExplode(rows);
  for (const k of j.checks) console.log(`${k.passed ? 'PASS' : 'FAIL'} ${k.description} (${k.detail})`);
}

if (mode === 'divergence') {
  const { train } = claimData({ trainLimit: 2000 });
  const rows: divergence.DivergenceSeed[] = [];
  for (const seed of seedList) {
    const t0 = Date.now();
    const arms = {} as divergence.DivergenceSeed['arms'];
    for (const arm of divergence.ARMS) {
      arms[arm] = await disposing(async (own) => {
        const net = own(
          makeResNet({ bn: arm === 'all' ? 'all' : 'none', seed, data: train, classifier: arm === 'zero' ? 'zero' : 'init' }),
        );
        const opt = own(new Sgd(net.params, net.decayed, divergence.SGD));
        const r = await scansAlongTraining(net, opt, train, {
          batchSize: S.scanBatch,
          seed,
          probed: divergence.PROBED_BATCHES,
          lr: divergence.TRAIN_LR,
          alphas: divergence.ALPHAS,
        });
        return divergence.cellsOf(r);
      });
    }
    rows.push({ seed, arms });
    console.log(
      JSON.stringify({
        seed,
        ...Object.fromEntries(divergence.ARMS.map((a) => [a, arms[a]!.map((c) => c.alphaStar)])),
        seconds: (Date.now() - t0) / 1000,
      }),
    );
  }
  const j = divergence.judgeDivergence(rows);
  divergence.PROBED_BATCHES.forEach((k, i) => {
    const r = rows.map((row) => divergence.logRatio(row.arms.all[i]!.alphaStar, row.arms.none[i]!.alphaStar));
    power(`mini-batch ${k}: log10(α*_BN / α*_noBN)`, r, divergence.RATIO_DECADES, 'above');
  });
  for (const s of j.statistics) console.log(`${s.name}: ${s.value}${s.note ? ` (${s.note})` : ''}`);
  for (const k of j.checks) console.log(`${k.passed ? 'PASS' : 'FAIL'} ${k.description} (${k.detail})`);
}

if (mode === 'noise') {
  const { train } = claimData({ trainLimit: 2000 });
  const slopes: Record<string, number[]> = {};
  let passes = 0;
  for (const seed of seedList) {
    const t0 = Date.now();
    const arms = {} as noise.NoiseInput['arms'];
    for (const arm of ['none', 'all'] as const) {
      arms[arm] = await disposing(async (own) => {
        const { x, y } = own(probeBatch(train, noise.POOL, seed));
        const net = own(makeResNet({ depth: 20, width: 4, bn: arm, seed, data: train }));
        return noiseScaling(net, x, y, { ...noise.GRIDS, seed, arm: arm === 'none' ? 0 : 1 });
      });
    }
    const j = noise.judgeNoise({ pool: noise.POOL, arms });
    const fits = noise.fitsOf({ pool: noise.POOL, arms });
    for (const [k, f] of Object.entries(fits)) (slopes[k] ??= []).push(f.slope);
    if (j.checks.every((c) => c.passed)) passes++;
    console.log(
      JSON.stringify({
        seed,
        ...Object.fromEntries(Object.entries(fits).map(([k, f]) => [k, { slope: f.slope, ci90: f.slopeCi }])),
        failed: j.checks.filter((c) => !c.passed).map((c) => c.description),
        seconds: (Date.now() - t0) / 1000,
      }),
    );
  }
  for (const [k, v] of Object.entries(slopes)) console.log(`${k}: mean ${mean(v).toFixed(4)}, sd ${std(v).toFixed(4)}`);
  console.log(`every check passed in ${passes} of ${seedList.length} seeds`);
}

if (mode === 'spectra') {
  const N = spectra.matrixSize('smoke');
  const rows = spectra.MS.map((M) => ({ M, runs: seedList.map((seed) => spectrumSummary(M, N, seed * 1000 + M, spectra.EPS)) }));
  for (const { M, runs } of rows) {
    for (const k of [1, 2, 3]) {
      const rel = runs.map((s) => s.moments[k - 1]!.empirical / s.moments[k - 1]!.theory);
      const bias = Math.abs(mean(rel) - 1);
      const sd = std(rel);
      const room = spectra.MOMENT_TOLERANCE - bias;
      console.log(
        `M=${M} k=${k}: m_k/FC_k mean ${mean(rel).toFixed(4)}, sd ${sd.toFixed(4)}; |bias| ${bias.toFixed(4)}; ` +
          `n for a 90 % half-width below ${room.toFixed(4)} = ${room > 0 ? halfWidthSize({ halfWidth: room, sd }) : Infinity}`,
      );
    }
    console.log(`M=${M}: exact finite-N sd of m1 ${finiteNMoments(M, N).m1Sd.toExponential(2)}`);
  }
}
