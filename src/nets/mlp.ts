/**
 * A deep MLP: `depth` dense layers (depth−1 hidden layers of `width` units with ReLU, then the
 * classifier), BN placement none | all (after every hidden layer, before ReLU) | final (on the
 * last hidden layer's output, entering the classifier).
 */
import * as tf from '@tensorflow/tfjs';
import { batchNorm, dense, ParamStore, forwardHelpers, assembleNet } from './layers';
import type { BnMode, BnPlacement, ForwardOptions, Init, LayerInfo, Net } from './types';

export interface MlpConfig {
  depth: number;
  width: number;
  inputs: number;
  numClasses?: number;
  bn: BnPlacement;
  init?: Init;
  seed: number;
  bnMode?: BnMode;
}

export function buildMlp(cfg: MlpConfig): Net {
  if (!Number.isInteger(cfg.depth) || cfg.depth < 2) throw new Error(`MLP depth must be an integer ≥ 2, got ${cfg.depth}`);
  const classes = cfg.numClasses ?? 10;
  const init = cfg.init ?? 'glorot';
  const bnMode = cfg.bnMode ?? 'batch';
  const store = new ParamStore(cfg.seed);
  const layers: LayerInfo[] = [];
  const probePoints: { name: string; depth: number }[] = [{ name: 'input', depth: 0 }];
  let nin = cfg.inputs;
  for (let l = 1; l < cfg.depth; l++) {
    const name = `h${l}`;
    store.dense(name, nin, cfg.width, init);
    if (cfg.bn === 'all') store.batchNorm(`${name}.bn`, cfg.width);
    layers.push({
      depth: l,
      name,
      kind: 'dense',
      weight: `${name}.w`,
      bn: cfg.bn === 'all',
      outChannels: cfg.width,
      input: l === 1 ? 'input' : `act:h${l - 1}`,
      output: `conv:${name}`,
      stride: 1,
    });
    probePoints.push({ name: `conv:${name}`, depth: l }, { name: `act:${name}`, depth: l });
    nin = cfg.width;
  }
  if (cfg.bn === 'final') store.batchNorm('final.bn', nin);
  store.dense('fc', nin, classes, init);
  layers.push({
    depth: cfg.depth,
    name: 'fc',
    kind: 'dense',
    weight: 'fc.w',
    bn: false,
    outChannels: classes,
    input: cfg.depth > 1 ? `act:h${cfg.depth - 1}` : 'input',
    output: 'logits',
    stride: 1,
  });
  probePoints.push({ name: 'logits', depth: cfg.depth });

  const forward = (x: tf.Tensor, opts: ForwardOptions): tf.Tensor2D => {
    const { p, tap } = forwardHelpers(store, opts);
    const update = opts.training && (opts.updateStats ?? false);
    let h: tf.Tensor = tap('input', x.reshape([x.shape[0], -1]));
    if (h.shape[1] !== cfg.inputs) throw new Error(`MLP built for ${cfg.inputs} inputs, got ${h.shape[1]}`);
    for (let l = 1; l < cfg.depth; l++) {
      const name = `h${l}`;
      h = tap(`conv:${name}`, dense(h, name, p));
      if (cfg.bn === 'all') h = batchNorm(h, `${name}.bn`, p, store.state, opts.training, update, bnMode);
      h = tap(`act:${name}`, tf.relu(h));
    }
    if (cfg.bn === 'final') h = batchNorm(h, 'final.bn', p, store.state, opts.training, update, bnMode);
    return tap('logits', dense(h, 'fc', p)) as tf.Tensor2D;
  };

  return assembleNet(store, {
    kind: 'mlp',
    description: `MLP-${cfg.depth} (width ${cfg.width}, bn=${cfg.bn}${bnMode !== 'batch' ? `/${bnMode}` : ''}, ${init})`,
    depth: cfg.depth,
    bn: cfg.bn,
    layers,
    probePoints,
    forward,
  });
}
