/**
 * The paper's optimiser recipe, stated once (He et al.'s CIFAR ResNet recipe, which the paper
 * follows): SGD with momentum 0.9 and weight decay 5e-4; and when a run has diverged: its loss is
 * not finite or exceeds DIVERGENCE_FACTOR × its first batch's. Plain data, no TensorFlow: the
 * training runs' protocol (src/runs/protocol.ts), which plans runs in vitest's main process,
 * train()'s defaults and the bench take them from here.
 */
export const PAPER_SGD = { momentum: 0.9, weightDecay: 5e-4 } as const;

export const DIVERGENCE_FACTOR = 100;
