/**
 * Learning-rate schedules. The paper cuts the rate when progress stalls; its Fig. 1 curves drop
 * once, at 50 % of training, so the default step schedule is one cut by `factor` at `at`.
 */
export type Schedule =
  | { kind: 'constant'; lr: number }
  | { kind: 'step'; lr: number; factor: number; at: number[] } // `at`: fractions of training in (0,1)
  | { kind: 'warmup-step'; lr: number; warmup: number; factor: number; at: number[] };

/** Learning rate at `progress` ∈ [0, 1) of training. */
export function lrAt(s: Schedule, progress: number): number {
  switch (s.kind) {
    case 'constant':
      return s.lr;
    case 'step': {
      let lr = s.lr;
      for (const a of s.at) if (progress >= a) lr *= s.factor;
      return lr;
    }
    case 'warmup-step': {
      let lr = s.lr;
      for (const a of s.at) if (progress >= a) lr *= s.factor;
      return progress < s.warmup ? lr * Math.max(progress / s.warmup, 0.01) : lr;
    }
  }
}

export const constant = (lr: number): Schedule => ({ kind: 'constant', lr });
/** One cut by `factor` (default 0.1) at half of training, as the paper's Fig. 1. */
export const stepHalf = (lr: number, factor = 0.1): Schedule => ({ kind: 'step', lr, factor, at: [0.5] });
