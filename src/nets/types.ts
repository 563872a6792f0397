/**
 * What every network in src/nets offers: named parameters, a functional forward pass that can
 * (a) run on other parameter values θ' without rebuilding (θ + t·d for step interpolation),
 * (b) hand any probe point's activations to a callback, and (c) add a perturbation at any probe
 * point, so the gradient with respect to that perturbation is the gradient with respect to the
 * layer's activations.
 */
import type * as tf from '@tensorflow/tfjs';
import { z } from 'zod';

/** Where batch normalisation goes. `final`: see FINAL_BN below. The one definition: types and checks derive from it. */
export const BnPlacement = z.enum(['none', 'all', 'final']);
export type BnPlacement = z.infer<typeof BnPlacement>;

/** How records, logs and figures name each placement: the one label set. */
export const BN_LABEL: Record<BnPlacement, string> = { none: 'without BN', all: 'with BN', final: 'BN on the final layer only' };

/** The two arms of a with/without-BN comparison (the probe claims compare these). */
export type BnOnOff = Extract<BnPlacement, 'none' | 'all'>;
export const BN_ON_OFF: readonly BnOnOff[] = ['none', 'all'];

/**
 * `final` = one BN layer (learnable γ, β) on the output of the last residual block (ResNet) or the
 * last hidden layer (MLP): on the features fed to global pooling and the classifier. Every layer
 * before it is unnormalised. This is our reading of the paper's "BN on the final layer only".
 */
export const FINAL_BN =
  'BN on the features entering the classifier (output of the last residual block / last hidden layer); all earlier layers unnormalised';

/** Weight initialisation. Glorot is the default: see paper/CLAIMS.md for why. */
export type Init = 'glorot' | 'he-fan-in' | 'he-fan-out';

/**
 * How a BN layer normalises. `batch` is batch normalisation. `no-normalise` keeps γ, β and the
 * running averages but skips the normalisation: a deliberately broken BN used to prove that the
 * claims and the gate detect a regression (issue: gate honesty). Selected by BN_FAULT.
 */
export type BnMode = 'batch' | 'no-normalise';

export interface LayerInfo {
  /** 1-based position along the depth of the network (convs and the classifier, as the paper counts) */
  depth: number;
  name: string;
  kind: 'conv' | 'dense';
  /** parameter name of the layer's weight */
  weight: string;
  /** whether a BN layer follows this layer */
  bn: boolean;
  outChannels: number;
  /** the probe point whose activations this layer consumes ('input' for the first layer) */
  input: string;
  /** the probe point of this layer's raw output (gradients w.r.t. it are the layer's dy) */
  output: string;
  /** convolution stride (1 for dense layers) */
  stride: 1 | 2;
}

export interface ForwardOptions {
  /** training mode: BN uses batch statistics; eval mode: running averages */
  training: boolean;
  /** update BN running averages (training mode only). Default false. */
  updateStats?: boolean;
  /** parameter values to use instead of the net's own (any subset, by name) */
  params?: Record<string, tf.Tensor>;
  /** called at each probe point with its activations (inside the caller's tidy: keep what you need) */
  capture?: (point: string, activations: tf.Tensor) => void;
  /** added to the activations at these probe points before they flow on */
  perturb?: Record<string, tf.Tensor>;
}

export interface Net {
  kind: 'resnet' | 'mlp';
  /** e.g. 'ResNet-110 (width 16, bn=none, glorot)' */
  description: string;
  depth: number;
  bn: BnPlacement;
  /** trainable parameters, in a stable order */
  params: Map<string, tf.Variable>;
  /** non-trainable state: BN running means/variances */
  state: Map<string, tf.Variable>;
  /** layers along the depth, in order */
  layers: LayerInfo[];
  /**
   * Probe points, in depth order, with the depth they sit at. Names:
   *   `input`         the network's input
   *   `conv:<layer>`  a layer's raw output (before BN / ReLU)
   *   `act:<layer>`   a layer's output after its [BN] and ReLU (first layer of each residual branch and the stem)
   *   `block:<name>`  a residual block's output (after the addition and ReLU)
   *   `logits`
   */
  probePoints: { name: string; depth: number }[];
  /** logits [B, classes] */
  forward(x: tf.Tensor, opts: ForwardOptions): tf.Tensor2D;
  /** weights that get weight decay (kernels, not biases or BN's γ/β) */
  decayed: Set<string>;
  dispose(): void;
}
