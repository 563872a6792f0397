/**
 * A RunResult with the numbers a judging test chooses (test, validation and training accuracy,
 * divergence, collapse, sharpness), for the claims' pure judging functions (claims/*.judge.ts):
 * no training, any outcome.
 */
import { TRAINING_SCALES } from '../../profile';
import { runKey, runSpec, type RunResult } from '../protocol';
import type { BnPlacement } from '../../nets/types';

export interface SyntheticRun {
  arm?: BnPlacement;
  lr?: number;
  seed?: number;
  test?: number | null;
  val?: number | null;
  trainEval?: number | null;
  diverged?: boolean;
  collapsed?: boolean;
  /** sharpness at the matched loss (null: never reached it) and at the end */
  sharpness?: { matched: number | null; final: number };
}

export function syntheticRun(o: SyntheticRun): RunResult {
  const spec = runSpec(o.arm ?? 'all', o.lr ?? 0.01, o.seed ?? 0, { S: TRAINING_SCALES.smoke });
  const diverged = !!o.diverged;
  const test = diverged ? null : (o.test ?? 0.8);
  const sp = TRAINING_SCALES.smoke.sharpness;
  return {
    key: runKey(spec),
    spec,
    end: diverged ? 'diverged' : o.collapsed ? 'collapsed' : 'stalled after the cut',
    diverged: diverged ? { step: 5, loss: null, reason: 'non-finite' } : null,
    collapsed: !!o.collapsed,
    cutAt: diverged ? null : 100,
    steps: diverged ? 5 : 150,
    firstLoss: 2.3,
    history: [],
    final: {
      trainAcc: test,
      trainLoss: 0.1,
      trainEvalAcc: diverged ? null : (o.trainEval ?? 0.99),
      valAcc: diverged ? null : (o.val ?? test),
      valLoss: 0.5,
      testAcc: test,
      testLoss: 0.5,
    },
    ...(o.sharpness
      ? {
          sharpness: {
            matched:
              o.sharpness.matched === null
                ? null
                : { epoch: 3, step: 60, trainLoss: sp.matchedLoss, value: o.sharpness.matched, probeLoss: 0.9 },
            final: { value: o.sharpness.final, probeLoss: 0.5 },
            ...sp,
          },
        }
      : {}),
    seconds: 1,
    computedBy: { pid: 1, host: 'synthetic', at: '2026-12-07T00:00:00.000Z' },
  };
}

/** One run per value, seeds 0, 1, …: `n` runs of an arm at a rate. */
export const runsOf = (values: readonly SyntheticRun[], arm: BnPlacement, lr: number): RunResult[] =>
  values.map((v, seed) => syntheticRun({ arm, lr, seed, ...v }));
