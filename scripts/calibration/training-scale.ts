/**
 * Calibration of the training claims' scale (issue 10) on seeds of their own (9000 and up, never a
 * claim seed): does the unnormalised net learn and converge at a low rate, does it fail at BN's
 * best rate, and what does a run cost? One line of JSON per run (final train / test / validation
 * accuracy, divergence, collapse, seconds per step, the per-epoch curve), then a table.
 *
 *   npx tsx scripts/calibration/training-scale.ts ARM RATES [key=value ...]
 *     ARM    none | all | final
 *     RATES  comma-separated learning rates, e.g. 1e-3,3e-3,1e-2
 *     keys   depth width batch trainImages validationImages curveTestImages evaluateEvery, and the
 *            plateau rule's maxSteps window threshold patience minAccuracy (default: the full
 *            profile's, TRAINING_SCALES.full) seed=9000 seeds=1 matchedLoss=0.6 (BN runs measure
 *            sharpness: at that loss and at the end)
 *
 * It runs the protocol of src/runs (computeRun) at the given scale, so what it
 * measures is what the claims would measure at that scale.
 */
import { initBackend } from '../../src/backend';
import { BnPlacement } from '../../src/nets/types';
import { computeRun, runSpec, TRAINING_SCALES, type TrainingScale } from '../../src/runs';

const [armArg, ratesArg, ...rest] = process.argv.slice(2);
if (!armArg || !BnPlacement.safeParse(armArg).success || !ratesArg)
  throw new Error('usage: training-scale.ts ARM(none|all|final) RATES(comma-separated) [key=value ...]');
const arm = armArg as BnPlacement;
const rates = ratesArg.split(',').map(Number);
if (rates.some((r) => !(r > 0))) throw new Error(`rates must be positive numbers, got ${ratesArg}`);
const kv = Object.fromEntries(
  rest.map((a) => {
    const [k, v] = a.split('=');
    if (!k || v === undefined || !Number.isFinite(Number(v))) throw new Error(`expected key=number, got ${a}`);
    return [k, Number(v)];
  }),
);
const scaleKeys = ['depth', 'width', 'batch', 'trainImages', 'validationImages', 'curveTestImages', 'evaluateEvery'] as const;
const ruleKeys = ['maxSteps', 'window', 'threshold', 'patience', 'minAccuracy'] as const;
const known = [...scaleKeys, ...ruleKeys, 'seed', 'seeds', 'matchedLoss'];
for (const k of Object.keys(kv)) if (!known.includes(k)) throw new Error(`unknown key ${k} (known: ${known.join(', ')})`);

await initBackend();
// the full profile's scale (TRAINING_SCALES.full), with the overrides given
const base = TRAINING_SCALES.full;
const S: TrainingScale = {
  ...base,
  ...Object.fromEntries(scaleKeys.filter((k) => kv[k] !== undefined).map((k) => [k, kv[k]])),
  schedule: { ...base.schedule, ...Object.fromEntries(ruleKeys.filter((k) => kv[k] !== undefined).map((k) => [k, kv[k]])) },
};
const first = kv.seed ?? 9000;
const nSeeds = kv.seeds ?? 1;
if (first < 9000) throw new Error('calibration seeds start at 9000: the claim seeds (BN_SEED + i) are never calibrated on');
const rows: string[] = [];
for (let seed = first; seed < first + nSeeds; seed++)
  for (const lr of rates) {
    const r = await computeRun({
      spec: runSpec(arm, lr, seed, { S }),
      ...(arm === 'all' ? { sharpness: { ...S.sharpness, matchedLoss: kv.matchedLoss ?? S.sharpness.matchedLoss } } : {}),
    });
    const line = {
      arm,
      lr,
      seed,
      // the training subset's seed (BN_SEED; runSpec's dataSeed): calibration across data subsets
      dataSeed: r.spec.dataSeed,
      depth: S.depth,
      width: S.width,
      trainImages: S.trainImages,
      schedule: S.schedule,
      steps: r.steps,
      end: r.end,
      cutAt: r.cutAt,
      diverged: r.diverged?.step ?? null,
      collapsed: r.collapsed,
      trainAcc: r.final.trainAcc,
      trainEvalAcc: r.final.trainEvalAcc,
      testAcc: r.final.testAcc,
      valAcc: r.final.valAcc,
      sharpness: r.sharpness ? { matched: r.sharpness.matched, final: r.sharpness.final.value } : null,
      msPerStep: Math.round((1000 * r.seconds) / Math.max(1, r.steps)),
      seconds: Math.round(r.seconds),
      curve: r.history.map((h) => [
        h.epoch,
        h.trainAcc === null ? null : +h.trainAcc.toFixed(3),
        h.testAcc === null ? null : +h.testAcc.toFixed(3),
      ]),
    };
    console.log(`CALIB ${JSON.stringify(line)}`);
    const f = (v: number | null) => (v === null ? '  —  ' : v.toFixed(3));
    rows.push(
      `| ${arm} | ${lr} | ${seed} | ${r.end} | ${r.steps} | ${r.cutAt ?? '—'} | ${f(r.final.trainEvalAcc)} | ${f(r.final.testAcc)} | ${f(r.final.valAcc)} | ${line.msPerStep} |`,
    );
  }
console.log(
  `\nResNet-${S.depth} w${S.width}, ${S.trainImages} images, cap ${S.schedule.maxSteps} steps, batch ${S.batch}\n| arm | lr | seed | end | steps | cut at | train (eval) | test | val | ms/step |\n|---|---|---|---|---|---|---|---|---|---|\n${rows.join('\n')}`,
);
