/** What the training claims' preconditions, assertions and figures share. */
import type { Dataset } from '../data/dataset';
import type { LinesSpec } from '../report/figures';
import type { Judgement } from '../report/judgement';
import type { Scale } from '../report/schema';
import { dataName } from '../setup';
import { trainingData } from './compute';
import { config } from '../config';
import { trainingScale, trainingSeeds, type TrainingScale } from '../profile';
import { RunResult } from './protocol';
import { claimRates, isTrainingClaim, sweepStatistics, sweepSummary, type Rates, type Sweep } from './sweep';

// ---------------------------------------------------------------------------------------------
// What the training claims' assertions and figures share

/**
 * Per-epoch mean and min–max over seeds of one history field, against the step (runs end at
 * different steps under the plateau rule: an epoch's point averages the seeds still training).
 */
export function curve(runs: readonly RunResult[], field: 'trainAcc' | 'testAcc'): { x: number[]; y: number[]; lo: number[]; hi: number[] } {
  const epochs = Math.max(0, ...runs.map((r) => r.history.length));
  const out = { x: [] as number[], y: [] as number[], lo: [] as number[], hi: [] as number[] };
  for (let e = 1; e <= epochs; e++) {
    const at = runs.map((r) => r.history.find((h) => h.epoch === e)).filter((h) => h !== undefined);
    const vs = at.map((h) => h[field]).filter((v): v is number => typeof v === 'number');
    if (!vs.length) continue;
    out.x.push(Math.max(...at.map((h) => h.step)));
    out.y.push(vs.reduce((a, b) => a + b, 0) / vs.length);
    out.lo.push(Math.min(...vs));
    out.hi.push(Math.max(...vs));
  }
  return out;
}

/** Fig. 1: train and test accuracy against the step, one line per arm, the seeds' min–max shaded. */
export function accuracyCurves(o: { title: string; caption: string; arms: { name: string; runs: readonly RunResult[] }[] }): LinesSpec {
  const panel = (field: 'trainAcc' | 'testAcc', yLabel: string) => ({
    series: o.arms.map((a) => ({ name: a.name, ...curve(a.runs, field) })),
    xLabel: 'step',
    yLabel,
    legend: 'bottom-right' as const,
  });
  return {
    kind: 'lines',
    title: o.title,
    caption: o.caption,
    panels: [panel('trainAcc', 'train accuracy'), panel('testAcc', 'test accuracy')],
  };
}

/**
 * What a training claim's opening records into: the claim's context (src/vitest/harness.ts's
 * ClaimContext is one), no more of it than this file uses, so the runs layer knows nothing of vitest.
 */
export interface TrainingClaimContext {
  readonly meta: { readonly id: string };
  data(name: string): void;
  scale(s: Scale): void;
  log(message: string): void;
  supportingStat: Judgement['supportingStat'];
}

/**
 * How every training claim opens: its data and scale into the record (the claim's own `extra`
 * entries last), then the rates it trains at: the profile's, fixed in advance (recorded with their
 * source), or its own sweep's (read from the training phase's cache, logged, and recorded as
 * supporting statistics, after the claim's own, so a reader meets the claim's numbers first).
 */
export function openTrainingClaim(
  c: TrainingClaimContext,
  extra: (S: TrainingScale) => Record<string, string | number | boolean> = () => ({}),
): { S: TrainingScale; train: Dataset; rates: Rates & { sweep?: Sweep } } {
  const S = trainingScale();
  const { train } = trainingData();
  c.data(dataName(train));
  c.scale({
    model: `ResNet-${S.depth}`,
    depth: S.depth,
    width: S.width,
    images: S.trainImages,
    batch: S.batch,
    seeds: isTrainingClaim(c.meta.id) ? trainingSeeds(S, c.meta.id).length : S.seeds,
    extra: {
      // the images the runs train on: a seed base keeps them (BN_DATA_SEED), as the paper's one dataset
      'data seed (BN_DATA_SEED)': config().dataSeed,
      'step cap': S.schedule.maxSteps,
      'rate cut': `×${S.schedule.factor} when the training loss stalls (windows of ${S.schedule.window} steps, threshold ${S.schedule.threshold}, patience ${S.schedule.patience}; never below training accuracy ${S.schedule.minAccuracy})`,
      ...(S.rates
        ? { rates: `fixed in advance: low ${S.rates.low}, high ${S.rates.high}, final-layer BN ${S.rates.bestFinal} (${S.rates.source})` }
        : { 'sweep grid': S.sweep.grid.join(', '), 'sweep seeds': S.sweep.seeds }),
      ...extra(S),
    },
  });
  const rates = claimRates();
  if (rates.sweep) {
    c.log(`sweep: ${sweepSummary(rates.sweep)}`);
    for (const st of sweepStatistics(rates.sweep)) c.supportingStat(st.name, st.value, st); // listed after the claim's own
  } else c.log(`rates fixed in advance: low ${rates.low}, high ${rates.high}, final-layer BN ${rates.bestFinal}`);
  return { S, train, rates };
}
