/**
 * computeRun's stand-in in the tests: instant, deterministic. No BN diverges from lr 0.03, BN on
 * the final layer from 0.3, BN everywhere at 1; validation and test accuracy 0.5 + lr without BN
 * and on the final layer, BN everywhere's peaking at 0.1: on the smoke grid the sweep picks low
 * 3e-3 (no BN learns there and at 0.01, fails from 0.03), high 0.1 (no BN fails there and at 0.03;
 * BN's best) and 0.03 for final-layer BN (the best it learns at with a grid step to spare: 0.1 is not, 0.3 diverges).
 */
import { runKey, type RunRequest, type RunResult } from '../protocol';

export const FAKE_RATES = { low: 3e-3, high: 0.1, bestFinal: 0.03 } as const;
const DIVERGES_AT = { none: 0.03, final: 0.3, all: 1 } as const;

export function fakeRun({ spec, sharpness }: RunRequest): RunResult {
  const diverged = spec.lr >= DIVERGES_AT[spec.arm];
  const acc = diverged ? null : spec.arm === 'all' ? 0.9 - 0.1 * Math.abs(Math.log10(spec.lr) + 1) : 0.5 + spec.lr;
  const loss = diverged ? null : 1;
  const measured =
    sharpness && !diverged
      ? { matched: { epoch: 1, step: 10, trainLoss: 1, value: 7, probeLoss: 1 }, final: { value: 7, probeLoss: 1 } }
      : undefined;
  return {
    ...{ key: runKey(spec), spec, collapsed: false, cutAt: diverged ? null : 6, steps: diverged ? 3 : 10, firstLoss: 2.3, seconds: 0 },
    end: diverged ? 'diverged' : 'stalled after the cut',
    diverged: diverged ? { step: 3, loss: null, reason: 'non-finite' } : null,
    history: diverged ? [] : [{ epoch: 1, step: 10, lr: spec.lr / 10, trainLoss: 1, trainAcc: acc, testAcc: acc, testLoss: 1 }],
    final: { trainAcc: acc, trainLoss: loss, trainEvalAcc: acc, valAcc: acc, valLoss: loss, testAcc: acc, testLoss: loss },
    ...(measured ? { sharpness: { ...measured, ...sharpness! } } : {}),
    computedBy: { pid: process.pid, host: 'fake', at: new Date().toISOString() },
  };
}
