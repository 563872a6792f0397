/**
 * src/runs: the training runs behind the training claims (paper Fig. 1 and §4): one protocol, one
 * learning-rate sweep that picks the rates, and a cache on disk so that a run several claims need
 * is trained once per suite run.
 *
 * Protocol (the paper's): SGD with momentum 0.9 and weight decay 5e-4, one cut of the rate by ×0.1
 * at half of training, the dataset's default augmentation (Fashion-MNIST: pad + crop, no flip),
 * Glorot initialisation, seeds BN_SEED, BN_SEED+1, ... A run trains on `trainImages` images
 * (a balanced subset drawn with BN_SEED), is evaluated on the test split at the end of every epoch,
 * and once at the end on a validation split held out from the training images (used only to pick
 * rates).
 *
 * Arms: `none` (no BN), `all` (BN after every conv), `final` (BN on the features entering the
 * classifier only: see FINAL_BN in src/nets/types.ts).
 *
 * Sweep: for each arm, one run per rate of a log grid, at a seed of its own (BN_SEED + 100, never
 * one of the claims' seeds, so the rates are not picked on the runs that then test them), on the
 * protocol shortened to `sweep.epochs` (the cut still at half). From it (see `pickRates`):
 *   - a run survives when it neither diverged (train()'s detection) nor collapsed (its trained
 *     net computes a constant function: hasCollapsed in src/probes/stability); a rate has a
 *     margin when the arm survived it and the next grid rate up;
 *   - best(arm) = the rate with a margin of highest final validation accuracy;
 *   - low  = best(none): the unnormalised net's best rate, one it survives with a grid step to spare;
 *   - high = best(all): BN's best rate on validation, the paper's "high" rate (0.1 in Fig. 1 is the
 *            BN net's best). Whether the unnormalised net can use it is then measured on the claim
 *            seeds (high-lr-benefit), not built into the choice: an earlier rule picked the best BN
 *            rate among those the unnormalised net fails at, which at smoke came out as 0.3, a rate
 *            where BN itself trains badly (issue 10).
 *   The margins make the low rate one the unnormalised net survives in other seeds too: a rate at
 *   the edge goes either way from seed to seed (measured at smoke scale: 0.03 collapsed the
 *   sweep's seed and 1 of the 3 claim seeds; the other 2 survived).
 *
 * Training phase and cache: before any claim file starts, phase.ts trains the sweep and the runs
 * of the selected training claims (CLAIM_RUNS) into reports/.runs/<suite-run>/<key>.json (cache.ts:
 * key = a hash of the run's whole spec); the specs only read them.
 */
export * from './scale';
export * from './protocol';
export * from './compute';
export * from './cache';
export * from './sweep';
export * from './claims';
