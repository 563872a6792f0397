/**
 * src/runs: the training runs behind the training claims (paper Fig. 1 and §4): one protocol, one
 * learning-rate sweep that picks the rates, and a cache on disk so that a run several claims need
 * is trained once per suite run.
 *
 * Protocol (protocol.ts, the paper's): SGD with momentum 0.9 and weight decay 5e-4, the rate cut
 * ×0.1 when the training loss stalls (src/train/plateau.ts: never while the net is at chance;
 * training ends at the next stall or at the step cap), the dataset's default augmentation
 * (Fashion-MNIST: pad + crop, no flip), Glorot initialisation, seeds BN_SEED, BN_SEED+1, ... A run
 * trains on `trainImages` images (a balanced subset drawn with BN_SEED); its accuracy curve is
 * evaluated on a subset of the test split every `evaluateEvery` epochs; at the end, in eval mode,
 * its accuracy on the un-augmented training images, on validation images held out from training
 * (rates are picked and "learned" judged on them: outcome.ts) and on the whole test split.
 *
 * Arms: `none` (no BN), `all` (BN after every conv), `final` (BN on the features entering the
 * classifier only: see FINAL_BN in src/nets/types.ts).
 *
 * Sweep (sweep.ts): every arm at every grid rate at seeds of their own, under the same protocol;
 * the rules that pick the low and the high rate from it are in its header.
 *
 * Training phase and cache: before any claim file starts, phase.ts trains the sweep and the runs
 * of the selected training claims (CLAIM_RUNS) into reports/.runs/<suite-run>/<key>.json (cache.ts:
 * key = a hash of the run's whole spec, protocol version included); the specs only read them and
 * judge them with pure functions (claims/<id>.judge.ts, on judging.ts).
 */
export { TRAINING_SCALES, trainingScale, trainingSeeds, sweepSeeds, type TrainingScale, type SharpnessSpec } from '../profile';
export * from './protocol';
export * from './compute';
export * from './cache';
export * from './replay';
export * from './sweep';
export * from './claims';
export * from './outcome';
export * from './judging';
