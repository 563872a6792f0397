/** The pieces networks are built from: initialisers, a conv/dense layer, batch normalisation. */
import * as tf from '@tensorflow/tfjs';
import { batchNormTrain, channelAffine } from '../backend/batchnorm';
import { conv2d } from '../backend/conv';
import { matMul } from '../backend/matmul';
import { relu } from '../backend/relu';
import { deriveSeed, Rng } from '../rng';
import type { BnMode, ForwardOptions, Init, Net } from './types';

/** Std of the weight distribution: Glorot normal, He normal (fan-in or fan-out). */
export function initStd(init: Init, fanIn: number, fanOut: number): number {
  switch (init) {
    case 'glorot':
      return Math.sqrt(2 / (fanIn + fanOut));
    case 'he-fan-in':
      return Math.sqrt(2 / fanIn);
    case 'he-fan-out':
      return Math.sqrt(2 / fanOut);
  }
}

/**
 * Seeded normal weights (not truncated), drawn by the project's generator (src/rng.ts) in JS: the
 * same seed gives the same weights on every backend (tfjs's seeded tf.randomNormal is only
 * deterministic per backend).
 */
function normalWeights(shape: number[], std: number, seed: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from(new Rng(seed).normals(n, 0, std)), shape, 'float32');
}

/** A parameter store shared by the builders: named variables plus which ones get weight decay. */
export class ParamStore {
  readonly params = new Map<string, tf.Variable>();
  readonly state = new Map<string, tf.Variable>();
  readonly decayed = new Set<string>();
  /** How many seeded initialisers were drawn: the k-th draws from the stream deriveSeed(seed, k). */
  private draws = 0;
  constructor(readonly seed: number) {}
  nextSeed(): number {
    return deriveSeed(this.seed, ++this.draws);
  }
  add(name: string, init: tf.Tensor, decay: boolean): void {
    if (this.params.has(name)) throw new Error(`duplicate parameter name ${name}`);
    this.params.set(name, tf.variable(init, true));
    init.dispose();
    if (decay) this.decayed.add(name);
  }
  addState(name: string, init: tf.Tensor): void {
    this.state.set(name, tf.variable(init, false));
    init.dispose();
  }
  convKernel(name: string, k: number, cin: number, cout: number, init: Init): void {
    this.add(name, normalWeights([k, k, cin, cout], initStd(init, k * k * cin, k * k * cout), this.nextSeed()), true);
  }
  dense(name: string, nin: number, nout: number, init: Init): void {
    this.add(`${name}.w`, normalWeights([nin, nout], initStd(init, nin, nout), this.nextSeed()), true);
    this.add(`${name}.b`, tf.zeros([nout]), false);
  }
  batchNorm(name: string, channels: number): void {
    this.add(`${name}.gamma`, tf.ones([channels]), false);
    this.add(`${name}.beta`, tf.zeros([channels]), false);
    this.addState(`${name}.mean`, tf.zeros([channels]));
    this.addState(`${name}.var`, tf.ones([channels]));
  }
}

export const BN_EPS = 1e-5;
/** PyTorch's convention: running = (1 − m)·running + m·batch, m = 0.1. */
export const BN_MOMENTUM = 0.1;

/** Resolve a parameter: an override from opts.params, else the net's own variable. */
export type Resolve = (name: string) => tf.Tensor;

/** The resolver and the probe-point tap a forward pass uses, from its options. */
export function forwardHelpers(store: ParamStore, opts: ForwardOptions): { p: Resolve; tap: (point: string, t: tf.Tensor) => tf.Tensor } {
  const p: Resolve = (name) => {
    const t = opts.params?.[name] ?? store.params.get(name);
    if (!t) throw new Error(`unknown parameter ${name}`);
    return t;
  };
  const tap = (point: string, t: tf.Tensor): tf.Tensor => {
    const pert = opts.perturb?.[point];
    if (pert) t = t.add(pert);
    opts.capture?.(point, t);
    return t;
  };
  return { p, tap };
}

/** The Net object both builders return around their forward pass. */
export function assembleNet(
  store: ParamStore,
  parts: Pick<Net, 'kind' | 'description' | 'depth' | 'bn' | 'layers' | 'probePoints' | 'forward'>,
): Net {
  return {
    ...parts,
    params: store.params,
    state: store.state,
    decayed: store.decayed,
    dispose() {
      for (const v of store.params.values()) v.dispose();
      for (const v of store.state.values()) v.dispose();
    },
  };
}

/**
 * Batch normalisation over all axes but the last (channels). Training mode: batch statistics
 * (biased variance, as BN does), optionally folding them into the running averages; eval mode:
 * running averages. With `relu`, ReLU after it (in BN's own kernels where they serve).
 */
export function batchNorm(
  x: tf.Tensor,
  name: string,
  p: Resolve,
  state: Map<string, tf.Variable>,
  training: boolean,
  updateStats: boolean,
  mode: BnMode,
  withRelu = false,
): tf.Tensor {
  const gamma = p(`${name}.gamma`);
  const beta = p(`${name}.beta`);
  const act = (t: tf.Tensor) => (withRelu ? relu(t) : t);
  if (mode === 'no-normalise') return act(x.mul(gamma).add(beta));
  if (training) {
    if (!updateStats) return batchNormTrain(x, gamma, beta, BN_EPS, undefined, withRelu);
    // the batch moments the op normalises with are folded into the running averages
    const running = { mean: state.get(`${name}.mean`)!, variance: state.get(`${name}.var`)!, momentum: BN_MOMENTUM };
    return batchNormTrain(x, gamma, beta, BN_EPS, running, withRelu);
  }
  // eval mode: y = x·s + (β − μ·s), s = γ/√(σ²_running + ε), as one per-channel affine map
  const mean = state.get(`${name}.mean`)!;
  const variance = state.get(`${name}.var`)!;
  return tf.tidy(() => {
    const s = tf.rsqrt(variance.add(BN_EPS)).mul(gamma);
    return act(channelAffine(x, s, beta.sub(mean.mul(s))));
  });
}

export function conv(x: tf.Tensor, kernel: tf.Tensor, stride: 1 | 2): tf.Tensor4D {
  return conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, stride, 'same');
}

export function dense(x: tf.Tensor, name: string, p: Resolve): tf.Tensor2D {
  return matMul(x as tf.Tensor2D, p(`${name}.w`) as tf.Tensor2D).add(p(`${name}.b`)) as tf.Tensor2D;
}
