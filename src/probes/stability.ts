/**
 * Largest stable learning rate: from the same initialisation, train K steps at each rate of a
 * log grid; a rate is stable when the run neither diverges (src/train's detection) nor collapses
 * (see hasCollapsed). The rates
 * are searched by bisection over the grid (stability taken as monotone in the rate), and the
 * boundary between the largest stable and the smallest unstable rate optionally refined further
 * in log space. Each trial starts from a snapshot of the initial parameters, so the rates are
 * compared on the same network and the same batches.
 */
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../data/dataset';
import type { Net } from '../nets/types';
import { constant } from '../train/schedule';
import { sliceToTensors } from '../train/tensors';
import { train } from '../train/train';
import { readScalar, snapshot } from './common';

export interface StabilityTrial {
  lr: number;
  diverged: boolean;
  divergedAt: number | null;
  /** the run did not diverge but left a network whose output no longer depends on its input */
  collapsed: boolean;
  finalLoss: number;
}

/**
 * Whether a network has collapsed: its logits are (numerically) the same for every input, as
 * when a large step has killed every ReLU feeding the classifier. Such a run ends with a loss
 * near ln K, set by the classifier's bias alone, and can never learn again: for the question
 * "which rates can this network be trained at" it failed as surely as one that diverged.
 */
export async function hasCollapsed(net: Net, x: tf.Tensor, tol = 1e-4): Promise<boolean> {
  const spread = await readScalar(() =>
    tf
      .moments(net.forward(x, { training: true }), 0)
      .variance.sqrt()
      .max(),
  );
  return !(spread > tol);
}

export interface StabilityResult {
  /** largest lr found stable (null: even the smallest grid rate diverged) */
  largestStable: number | null;
  /** smallest lr found unstable (null: no grid rate diverged) */
  smallestUnstable: number | null;
  trials: StabilityTrial[];
}

export async function largestStableLr(
  net: Net,
  data: Dataset,
  opts: {
    grid: number[];
    steps: number;
    batchSize: number;
    seed: number;
    bisections?: number;
    momentum?: number;
    weightDecay?: number;
    divergenceFactor?: number;
  },
): Promise<StabilityResult> {
  const snap = snapshot(net);
  const probe = sliceToTensors(data, 0, Math.min(data.n, 64));
  const trials: StabilityTrial[] = [];
  const run = async (lr: number): Promise<boolean> => {
    snap.restore();
    const r = await train(
      net,
      { train: data },
      {
        epochs: Math.ceil((opts.steps * opts.batchSize) / data.n) + 1,
        maxSteps: opts.steps,
        batchSize: opts.batchSize,
        schedule: constant(lr),
        seed: opts.seed,
        momentum: opts.momentum ?? 0.9,
        weightDecay: opts.weightDecay ?? 0,
        divergenceFactor: opts.divergenceFactor,
        evaluateEachEpoch: false,
        progress: false,
      },
    );
    const collapsed = !r.diverged && (await hasCollapsed(net, probe.x));
    trials.push({
      lr,
      diverged: !!r.diverged,
      divergedAt: r.diverged?.step ?? null,
      collapsed,
      finalLoss: r.losses[r.losses.length - 1] ?? NaN,
    });
    return !r.diverged && !collapsed;
  };
  try {
    // Stability is taken to be monotone in the rate, so the boundary is found by binary search
    // over the sorted grid (log2 of its length trials), then refined by bisection in log space.
    const grid = [...opts.grid].sort((a, b) => a - b);
    let lo = -1; // largest index known stable
    let hi = grid.length; // smallest index known unstable
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (await run(grid[mid]!)) lo = mid;
      else hi = mid;
    }
    let stable: number | null = lo >= 0 ? grid[lo]! : null;
    let unstable: number | null = hi < grid.length ? grid[hi]! : null;
    if (stable !== null && unstable !== null) {
      for (let i = 0; i < (opts.bisections ?? 0); i++) {
        const mid = Math.sqrt(stable * unstable);
        if (await run(mid)) stable = mid;
        else unstable = mid;
      }
    }
    return { largestStable: stable, smallestUnstable: unstable, trials };
  } finally {
    snap.restore();
    snap.dispose();
    tf.dispose([probe.x, probe.y]);
  }
}
