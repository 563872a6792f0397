/**
 * A stand-in for computeRun in the tests of the training phase and the run cache: instant and
 * deterministic, with outcomes that make the sweep pick rates every training claim can use.
 * At the smoke grid: no BN diverges from lr 0.1, BN on the final layer only from 0.3, BN
 * everywhere at 1; validation accuracy grows with the rate, BN everywhere's peaking at 0.1. So
 * pickRates gives low 0.01, high 0.1, best none / final / all 0.01 / 0.03 / 0.1.
 */
import os from 'node:os';
import { runKey, type RunRequest, type RunResult } from '../protocol';

const DIVERGES_AT = { none: 0.1, final: 0.3, all: 1 } as const;

export function fakeRun(req: RunRequest): RunResult {
  const { spec } = req;
  const diverged = spec.lr >= DIVERGES_AT[spec.arm];
  const acc = diverged ? null : spec.arm === 'all' ? 0.9 - 0.1 * Math.abs(Math.log10(spec.lr) + 1) : 0.5 + spec.lr;
  return {
    key: runKey(spec),
    spec,
    diverged: diverged ? { step: 3, loss: null, reason: 'non-finite' } : null,
    collapsed: false,
    steps: diverged ? 3 : 10,
    firstLoss: 2.3,
    history: diverged ? [] : [{ epoch: spec.epochs, step: 10, lr: spec.lr, trainLoss: 1, trainAcc: acc, testAcc: acc, testLoss: 1 }],
    final: {
      trainAcc: acc,
      trainLoss: diverged ? null : 1,
      valAcc: acc,
      valLoss: diverged ? null : 1,
      testAcc: acc,
      testLoss: diverged ? null : 1,
    },
    ...(req.sharpness && !diverged
      ? {
          sharpness: {
            matched: { epoch: 1, step: 10, trainLoss: 1, value: 7, probeLoss: 1 },
            final: { value: 7, probeLoss: 1 },
            ...req.sharpness,
          },
        }
      : {}),
    seconds: 0,
    computedBy: { pid: process.pid, host: os.hostname(), at: new Date().toISOString() },
  };
}
