/**
 * What became of a training run, one definition for the sweep and the claims:
 *   - diverged:  its loss became non-finite or exceeded 100× the first batch's (src/train);
 *   - collapsed: its net computes a constant function (hasCollapsed in src/probes/stability), how
 *                a too-large step usually ends an unnormalised ResNet here: every ReLU feeding the
 *                classifier dead, the loss at ln 10, invisible to the loss-watching detection;
 *   - did not learn: neither, but its validation accuracy (eval mode, images held out from
 *                training, never the test split) is below LEARNED, as a net still on its plateau
 *                at chance when the step cap ends it;
 *   - learned:   validation accuracy ≥ LEARNED.
 * LEARNED = 0.5: five times chance on the 10-class data sets (Fashion-MNIST, CIFAR-10) and well
 * under the paper's ~81–93 %: far enough from chance that a ratio or a difference against it
 * means something. CONVERGED = 0.95: "trained to the end" as Fig. 1 shows it (the paper's train
 * curves reach ~100 %), on the un-augmented training images in eval mode.
 */
import type { RunResult } from './protocol';

export const LEARNED = 0.5;
export const CONVERGED = 0.95;

export type Outcome = 'learned' | 'did not learn' | 'collapsed' | 'diverged';

export function outcome(r: Pick<RunResult, 'diverged' | 'collapsed' | 'final'>): Outcome {
  if (r.diverged) return 'diverged';
  if (r.collapsed) return 'collapsed';
  return (r.final.valAcc ?? 0) >= LEARNED ? 'learned' : 'did not learn';
}

export const learned = (r: Pick<RunResult, 'diverged' | 'collapsed' | 'final'>): boolean => outcome(r) === 'learned';

/** "learned", "collapsed at step 384", "diverged at step 12", "did not learn (validation 0.11)": one run, for records. */
export function describeOutcome(r: RunResult): string {
  const o = outcome(r);
  if (o === 'diverged') return `diverged at step ${r.diverged!.step}`;
  if (o === 'collapsed') return `collapsed (${r.steps} steps)`;
  return `${o} (validation ${r.final.valAcc?.toFixed(3) ?? 'n/a'}, test ${r.final.testAcc?.toFixed(3) ?? 'n/a'})`;
}

/** "seed 3: collapsed (128 steps)": a run named by its seed, as the judges name a seed they leave out. */
export const seedOutcome = (r: RunResult): string => `seed ${r.spec.seed}: ${describeOutcome(r)}`;
