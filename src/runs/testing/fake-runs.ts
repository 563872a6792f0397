/**
 * computeRun's stand-in in the tests: instant, deterministic. No BN diverges from lr 0.1, BN on the
 * final layer from 0.3, BN everywhere at 1; accuracy grows with the rate, BN everywhere's peaking
 * at 0.1: on the smoke grid, low 0.01, high 0.1, best none / final / all 0.01 / 0.03 / 0.1.
 */
import { runKey, type RunRequest, type RunResult } from '../protocol';

const DIVERGES_AT = { none: 0.1, final: 0.3, all: 1 } as const;

export function fakeRun({ spec, sharpness }: RunRequest): RunResult {
  const diverged = spec.lr >= DIVERGES_AT[spec.arm];
  const acc = diverged ? null : spec.arm === 'all' ? 0.9 - 0.1 * Math.abs(Math.log10(spec.lr) + 1) : 0.5 + spec.lr;
  const loss = diverged ? null : 1;
  const measured =
    sharpness && !diverged
      ? { matched: { epoch: 1, step: 10, trainLoss: 1, value: 7, probeLoss: 1 }, final: { value: 7, probeLoss: 1 } }
      : undefined;
  return {
    ...{ key: runKey(spec), spec, collapsed: false, steps: diverged ? 3 : 10, firstLoss: 2.3, seconds: 0 },
    diverged: diverged ? { step: 3, loss: null, reason: 'non-finite' } : null,
    history: diverged ? [] : [{ epoch: spec.epochs, step: 10, lr: spec.lr, trainLoss: 1, trainAcc: acc, testAcc: acc, testLoss: 1 }],
    final: { trainAcc: acc, trainLoss: loss, valAcc: acc, valLoss: loss, testAcc: acc, testLoss: loss },
    ...(measured ? { sharpness: { ...measured, ...sharpness! } } : {}),
    computedBy: { pid: process.pid, host: 'fake', at: new Date().toISOString() },
  };
}
