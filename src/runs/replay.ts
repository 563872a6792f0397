/**
 * When a stored run is, provably, the run another schedule would compute: so that a change to the
 * plateau rule's cut gate (`minAccuracy`, made stricter) or its step cap retrains only the runs
 * whose course it changes, and reuses the others as they are (the protocol's version 3 raised both
 * after the confirmatory runs: docs/full-profile.md).
 *
 * Training is deterministic given its spec, and the schedule enters it only through the plateau
 * rule's decisions: where the rate is cut and where training ends. Replaying those decisions on
 * the stored run's own record decides whether they would have been the same:
 *  - the windows' losses, hence their stalls, are the same up to the first decision that differs;
 *  - with a stricter gate (want.minAccuracy ≥ the stored one), the first window that could cut
 *    under the new rule could cut under the old, so the new cut is the old one exactly when the old
 *    cut's window had training accuracy ≥ the new gate (a run never cut stays uncut);
 *  - the end is the same when the stored run ended before its cap (by its own rule: stalled after
 *    the cut, collapsed, diverged) and before the new cap, or when the cap did not change.
 * The cut window's accuracy is recomputed from the per-epoch record (each epoch's correct count
 * is trainAcc × images seen, an integer): the same integers the rule divided, so the same float.
 * Anything that cannot be shown from the record (a window not made of whole epochs, a count that is
 * not an integer, another factor / window / threshold / patience, a looser gate) is "not the same",
 * and the run is trained again.
 */
import type { PlateauSpec } from '../train/plateau';
import type { RunResult } from './protocol';

export interface Replay {
  same: boolean;
  /** why not, or what was checked */
  why: string;
}

export function sameUnderSchedule(r: RunResult, want: PlateauSpec): Replay {
  const old = r.spec.schedule;
  for (const k of ['factor', 'window', 'threshold', 'patience'] as const)
    if (old[k] !== want[k]) return { same: false, why: `the rule's ${k} differs (${old[k]} → ${want[k]})` };
  if (want.minAccuracy < old.minAccuracy)
    return { same: false, why: `a looser cut gate (${old.minAccuracy} → ${want.minAccuracy}) could cut earlier` };
  const endedBeforeCap = r.steps < old.maxSteps;
  if (!(want.maxSteps === old.maxSteps || (endedBeforeCap && r.steps < want.maxSteps)))
    return {
      same: false,
      why: endedBeforeCap
        ? `it ran ${r.steps} steps, past the new cap ${want.maxSteps}`
        : `it ended at its cap (${old.maxSteps} steps); the new cap is ${want.maxSteps}`,
    };
  if (r.cutAt === null || want.minAccuracy === old.minAccuracy)
    return { same: true, why: r.cutAt === null ? 'never cut, ended by its own rule or at an unchanged cap' : 'the same gate' };
  const acc = windowAccuracy(r, r.cutAt, want.window);
  if (acc === undefined) return { same: false, why: `the cut window (to step ${r.cutAt}) cannot be read from the per-epoch record` };
  return acc >= want.minAccuracy
    ? { same: true, why: `cut at step ${r.cutAt} with training accuracy ${acc.toFixed(4)} ≥ ${want.minAccuracy}` }
    : {
        same: false,
        why: `cut at step ${r.cutAt} with training accuracy ${acc.toFixed(4)} < ${want.minAccuracy}: the new gate cuts later`,
      };
}

/** Training accuracy (as SGD saw it) over the window of `window` steps ending at step `end`, from whole epochs of the record; undefined when it is not made of them. */
export function windowAccuracy(r: RunResult, end: number, window: number): number | undefined {
  const stepsPerEpoch = Math.floor(r.spec.trainImages / r.spec.batch);
  const seenPerEpoch = stepsPerEpoch * r.spec.batch;
  if (stepsPerEpoch < 1 || window % stepsPerEpoch !== 0 || end % stepsPerEpoch !== 0) return undefined;
  let correct = 0;
  let seen = 0;
  for (let step = end - window + stepsPerEpoch; step <= end; step += stepsPerEpoch) {
    const e = r.history.find((h) => h.step === step);
    if (!e || e.trainAcc === null || e.epoch * stepsPerEpoch !== step) return undefined;
    const c = e.trainAcc * seenPerEpoch;
    if (Math.abs(c - Math.round(c)) > 1e-6) return undefined;
    correct += Math.round(c);
    seen += seenPerEpoch;
  }
  return correct / seen;
}
