/**
 * The rate cut "when progress stalls" (the paper's protocol), as a rule fixed in advance instead of
 * a cut at a fixed fraction of training, which freezes a net still sitting on its plateau at
 * chance (an unnormalised deep ResNet can stay there for hundreds of steps, seed by seed).
 *
 * Training is read in windows of `window` steps: a window's mean training loss and training
 * accuracy (as SGD saw them: augmented batches, batch statistics). A window *stalls* when its mean
 * loss is not below the best earlier window's mean by at least `threshold` nats (PyTorch's
 * ReduceLROnPlateau with threshold_mode 'abs', on windows instead of epochs, patience `patience`
 * windows in a row). Absolute, not relative: a net that memorises a small training set drives its
 * loss towards 0 geometrically, so a relative threshold sees progress to the end and never cuts
 * (measured: a BN ResNet-56 on 512 images still improved by > 1 % a window after 3,000 steps).
 *   - before the cut: the rate is cut once by `factor` at a stall, but never while the window's
 *     training accuracy is below `minAccuracy` (a net at chance has not started to make progress,
 *     so there is nothing to have stalled; at `full` the gate is higher, 0.9: an unnormalised net
 *     still climbing slowly and noisily stalls by this test well before it fits its training set,
 *     and cut there it froze short of converging: docs/full-profile.md, version 3);
 *   - after the cut: training ends at the next stall (the curve has flattened at the lower rate),
 *     after at least `patience` windows;
 *   - at `maxSteps` training ends whatever the phase (the cap: a net that never leaves chance
 *     ends there uncut).
 * Plain state, no TensorFlow: tested on known loss curves.
 */
import { z } from 'zod';

/** The rule's settings as a run's spec and a profile state them (src/runs/protocol.ts): PlateauRule less the rate. */
export const PlateauSpec = z
  .object({
    factor: z.number().positive().lt(1),
    window: z.number().int().positive(),
    threshold: z.number().nonnegative(),
    patience: z.number().int().positive(),
    minAccuracy: z.number().min(0).max(1),
    maxSteps: z.number().int().positive(),
  })
  .strict();
export type PlateauSpec = z.infer<typeof PlateauSpec>;

export interface PlateauRule {
  kind: 'plateau';
  /** the rate before the cut */
  lr: number;
  /** the cut: lr × factor */
  factor: number;
  /** steps per window */
  window: number;
  /** a window must improve on the best earlier one by this many nats, else it stalls */
  threshold: number;
  /** stalled windows in a row that make a stall */
  patience: number;
  /** no cut while the window's training accuracy is below this */
  minAccuracy: number;
  /** the step cap */
  maxSteps: number;
}

export type PlateauEnd = 'stalled after the cut' | 'step cap';

export interface WindowRecord {
  /** the step that ended the window */
  step: number;
  loss: number;
  accuracy: number;
  lr: number;
  stalled: boolean;
}

export class Plateau {
  private lossSum = 0;
  private correct = 0;
  private seen = 0;
  private steps = 0;
  private inWindow = 0;
  private best = Infinity;
  private stalledInRow = 0;
  private windowsSinceCut = 0;
  /** the step after which the rate was cut (null: not cut) */
  cutAt: number | null = null;
  ended: PlateauEnd | null = null;
  readonly windows: WindowRecord[] = [];

  constructor(readonly rule: PlateauRule) {
    if (!(rule.window >= 1 && rule.patience >= 1 && rule.maxSteps >= 1 && rule.threshold >= 0 && rule.factor > 0 && rule.factor < 1))
      throw new Error(`plateau rule is not valid: ${JSON.stringify(rule)}`);
  }

  /** The rate of the next step. */
  lr(): number {
    return this.cutAt === null ? this.rule.lr : this.rule.lr * this.rule.factor;
  }

  /** After each step: its mean loss, its number correct and its batch size. Returns why training ends here, if it does. */
  observe(loss: number, correct: number, n: number): PlateauEnd | null {
    if (this.ended) return this.ended;
    const lr = this.lr();
    this.steps++;
    this.lossSum += loss * n;
    this.correct += correct;
    this.seen += n;
    if (++this.inWindow === this.rule.window) this.closeWindow(lr);
    if (!this.ended && this.steps >= this.rule.maxSteps) this.ended = 'step cap';
    return this.ended;
  }

  private closeWindow(lr: number): void {
    const loss = this.lossSum / this.seen;
    const accuracy = this.correct / this.seen;
    this.lossSum = this.correct = this.seen = this.inWindow = 0;
    const stalled = !(loss < this.best - this.rule.threshold);
    this.windows.push({ step: this.steps, loss, accuracy, lr, stalled });
    this.best = Math.min(this.best, loss);
    this.stalledInRow = stalled ? this.stalledInRow + 1 : 0;
    if (this.cutAt === null) {
      if (this.stalledInRow >= this.rule.patience && accuracy >= this.rule.minAccuracy) {
        this.cutAt = this.steps;
        this.stalledInRow = 0;
      }
    } else if (++this.windowsSinceCut >= this.rule.patience && this.stalledInRow >= this.rule.patience) {
      this.ended = 'stalled after the cut';
    }
  }
}
