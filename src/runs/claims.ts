/** What the training claims' preconditions, assertions and figures share. */
import type { Dataset } from '../data/dataset';
import type { LinesSpec } from '../report/figures';
import { mean } from '../stats/moments';
import type { ClaimContext } from '../vitest/harness';
import { dataName } from '../setup';
import { trainingData } from './compute';
import { TrainingScale, trainingScale, trainingSeeds } from './scale';
import { RunResult } from './protocol';
import { Sweep, readSweep, sweepStatistics, sweepSummary } from './sweep';

// ---------------------------------------------------------------------------------------------
// What the training claims' assertions and figures share

/**
 * The training claims' preconditions (c.require): without them an assertion compares nets that
 * did not train, so it does not test the paper, and the verdict is 'inconclusive'.
 *  - LEARNED: a net "learned" when its mean test accuracy over seeds is ≥ 0.5, five times chance
 *    on the 10-class data sets (Fashion-MNIST, CIFAR-10) and well under the paper's ~81–93 %:
 *    far enough from chance that a ratio or a difference against it means something.
 *  - CONVERGED: "trained to the end" as Fig. 1 shows it: last-epoch train accuracy ≥ 0.95 (the
 *    paper's train curves reach ~100 %).
 */
export const LEARNED = 0.5;
export const CONVERGED = 0.95;

/** "mean 0.113 (0.131, 0.106, 0.104)": what a precondition on accuracies was judged on. */
export function describeAccuracies(accs: readonly number[]): string {
  return `mean ${mean(accs).toFixed(3)} (${accs.map((a) => a.toFixed(3)).join(', ')})`;
}

/** Neither diverged nor collapsed, and finished with a test accuracy. */
export function survived(r: RunResult): boolean {
  return !r.diverged && !r.collapsed && r.final.testAcc !== null;
}

/**
 * Final test accuracies over seeds. A diverged run has none (its weights are not finite): it counts
 * as `chance`, which is what a net that failed to train is worth.
 */
export function testAccuracies(runs: readonly RunResult[], chance = 0.1): number[] {
  return runs.map((r) => r.final.testAcc ?? chance);
}

/** Per-epoch mean and min–max over seeds of one history field (epochs a run did not finish are left out). */
export function curve(runs: readonly RunResult[], field: 'trainAcc' | 'testAcc'): { x: number[]; y: number[]; lo: number[]; hi: number[] } {
  const epochs = Math.max(0, ...runs.map((r) => r.spec.epochs));
  const out = { x: [] as number[], y: [] as number[], lo: [] as number[], hi: [] as number[] };
  for (let e = 1; e <= epochs; e++) {
    const vs = runs.map((r) => r.history.find((h) => h.epoch === e)?.[field]).filter((v): v is number => typeof v === 'number');
    if (!vs.length) continue;
    out.x.push((100 * e) / epochs);
    out.y.push(vs.reduce((a, b) => a + b, 0) / vs.length);
    out.lo.push(Math.min(...vs));
    out.hi.push(Math.max(...vs));
  }
  return out;
}

/** Fig. 1: train and test accuracy against % of training, one line per arm, the seeds' min–max shaded. */
export function accuracyCurves(o: { title: string; caption: string; arms: { name: string; runs: readonly RunResult[] }[] }): LinesSpec {
  const panel = (field: 'trainAcc' | 'testAcc', yLabel: string) => ({
    series: o.arms.map((a) => ({ name: a.name, ...curve(a.runs, field) })),
    xLabel: '% of training',
    yLabel,
    xDomain: [0, 100] as [number, number],
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
 * How every training claim opens: its data and scale into the record (the claim's own `extra`
 * entries after the epochs), then the shared sweep (read from the training phase's cache), logged
 * and recorded as supporting statistics (after the claim's own, so a reader meets the claim's
 * numbers first).
 */
export function openTrainingClaim(
  c: ClaimContext,
  extra: (S: TrainingScale) => Record<string, string | number | boolean> = () => ({}),
): { S: TrainingScale; train: Dataset; sweep: Sweep } {
  const S = trainingScale();
  const { train } = trainingData();
  c.data(dataName(train));
  c.scale({
    model: `ResNet-${S.depth}`,
    depth: S.depth,
    width: S.width,
    images: S.trainImages,
    batch: S.batch,
    seeds: trainingSeeds().length,
    extra: { epochs: S.epochs, ...extra(S) },
  });
  const sweep = readSweep();
  c.log(`sweep: ${sweepSummary(sweep)}`);
  for (const st of sweepStatistics(sweep)) c.supportingStat(st.name, st.value, st); // listed after the claim's own
  return { S, train, sweep };
}
