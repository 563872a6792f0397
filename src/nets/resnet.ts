/**
 * The CIFAR ResNet of He et al. (2016), depth 6n+2: a 3x3 stem conv, three stages of n basic
 * blocks (two 3x3 convs each) at widths w, 2w, 4w with stride 2 at the start of stages 2 and 3,
 * global average pooling and a linear classifier. Shortcuts are identities; where a stage halves
 * the resolution and doubles the width, the shortcut subsamples by 2 and zero-pads the new
 * channels (He et al.'s option A, parameter-free, as in their CIFAR experiments).
 *
 * Layers are counted along the depth as the paper does: stem = 1, block k's convs = 2k, 2k+1,
 * classifier = 6n+2.
 */
import * as tf from '@tensorflow/tfjs';
import { strideSubsample } from '../backend/conv';
import { relu } from '../backend/relu';
import { batchNorm, conv, dense, ParamStore, forwardHelpers, assembleNet } from './layers';
import type { BnMode, BnPlacement, ForwardOptions, Init, LayerInfo, Net } from './types';

export interface ResNetConfig {
  /** 6n+2: 8, 20, 32, 56, 110, ... */
  depth: number;
  /** width of the first stage (paper: 16) */
  width?: number;
  inChannels: number;
  numClasses?: number;
  bn: BnPlacement;
  init?: Init;
  seed: number;
  bnMode?: BnMode;
}

export function resnetBlocksPerStage(depth: number): number {
  if (!Number.isInteger(depth) || depth < 8 || (depth - 2) % 6 !== 0)
    throw new Error(`ResNet depth must be 6n+2 with n ≥ 1 (8, 20, 32, 56, 110, ...), got ${depth}`);
  return (depth - 2) / 6;
}

/**
 * He et al.'s option-A shortcut: subsample by `stride` (the top-left pixel of each cell) and
 * zero-pad the channels from cin to cout (half the new ones before, half after). No arithmetic:
 * an overflow (Infinity) in the residual stream stays an Infinity.
 */
function shortcutA(x: tf.Tensor4D, cout: number, stride: 1 | 2): tf.Tensor4D {
  const extra = cout - x.shape[3];
  const sub = strideSubsample(x, stride);
  return extra > 0
    ? tf.pad(sub, [
        [0, 0],
        [0, 0],
        [0, 0],
        [Math.floor(extra / 2), Math.ceil(extra / 2)],
      ])
    : sub;
}

export function buildResNet(cfg: ResNetConfig): Net {
  const n = resnetBlocksPerStage(cfg.depth);
  const width = cfg.width ?? 16;
  const classes = cfg.numClasses ?? 10;
  const init = cfg.init ?? 'glorot';
  const bnMode = cfg.bnMode ?? 'batch';
  const store = new ParamStore(cfg.seed);
  const layers: LayerInfo[] = [];
  const probePoints: { name: string; depth: number }[] = [];
  const bnAll = cfg.bn === 'all';

  // --- parameters, in depth order
  store.convKernel('stem', 3, cfg.inChannels, width, init);
  if (bnAll) store.batchNorm('stem.bn', width);
  layers.push({
    depth: 1,
    name: 'stem',
    kind: 'conv',
    weight: 'stem',
    bn: bnAll,
    outChannels: width,
    input: 'input',
    output: 'conv:stem',
    stride: 1,
  });
  probePoints.push({ name: 'input', depth: 0 }, { name: 'conv:stem', depth: 1 }, { name: 'act:stem', depth: 1 });

  interface Block {
    name: string;
    cin: number;
    cout: number;
    stride: 1 | 2;
    d1: number;
    d2: number;
  }
  const blocks: Block[] = [];
  let cin = width;
  let d = 1;
  let prevOut = 'act:stem';
  for (let s = 0; s < 3; s++) {
    const cout = width * 2 ** s;
    for (let b = 0; b < n; b++) {
      const name = `s${s + 1}b${b + 1}`;
      const stride: 1 | 2 = s > 0 && b === 0 ? 2 : 1;
      const blk = { name, cin, cout, stride, d1: ++d, d2: ++d };
      blocks.push(blk);
      store.convKernel(`${name}.c1`, 3, cin, cout, init);
      if (bnAll) store.batchNorm(`${name}.c1.bn`, cout);
      store.convKernel(`${name}.c2`, 3, cout, cout, init);
      if (bnAll) store.batchNorm(`${name}.c2.bn`, cout);
      layers.push(
        {
          depth: blk.d1,
          name: `${name}.c1`,
          kind: 'conv',
          weight: `${name}.c1`,
          bn: bnAll,
          outChannels: cout,
          input: prevOut,
          output: `conv:${name}.c1`,
          stride,
        },
        {
          depth: blk.d2,
          name: `${name}.c2`,
          kind: 'conv',
          weight: `${name}.c2`,
          bn: bnAll,
          outChannels: cout,
          input: `act:${name}.c1`,
          output: `conv:${name}.c2`,
          stride: 1,
        },
      );
      probePoints.push(
        { name: `conv:${name}.c1`, depth: blk.d1 },
        { name: `act:${name}.c1`, depth: blk.d1 },
        { name: `conv:${name}.c2`, depth: blk.d2 },
        { name: `block:${name}`, depth: blk.d2 },
      );
      cin = cout;
      prevOut = `block:${name}`;
    }
  }
  const featC = cin;
  if (cfg.bn === 'final') store.batchNorm('final.bn', featC);
  store.dense('fc', featC, classes, init);
  layers.push({
    depth: cfg.depth,
    name: 'fc',
    kind: 'dense',
    weight: 'fc.w',
    bn: false,
    outChannels: classes,
    input: 'pooled',
    output: 'logits',
    stride: 1,
  });
  probePoints.push({ name: 'pooled', depth: cfg.depth - 1 }, { name: 'logits', depth: cfg.depth });

  const forward = (x: tf.Tensor, opts: ForwardOptions): tf.Tensor2D => {
    const { p, tap } = forwardHelpers(store, opts);
    const training = opts.training;
    const update = training && (opts.updateStats ?? false);
    const norm = (t: tf.Tensor, name: string, withRelu = false) => batchNorm(t, name, p, store.state, training, update, bnMode, withRelu);

    if (x.rank !== 4) throw new Error(`ResNet input must be [B,H,W,C], got shape [${x.shape}]`);
    if (x.shape[3] !== cfg.inChannels) throw new Error(`ResNet built for ${cfg.inChannels} input channels, got ${x.shape[3]}`);
    x = tap('input', x);
    let h = tap('conv:stem', conv(x, p('stem'), 1));
    h = tap('act:stem', bnAll ? norm(h, 'stem.bn', true) : relu(h));
    for (const blk of blocks) {
      let r = tap(`conv:${blk.name}.c1`, conv(h, p(`${blk.name}.c1`), blk.stride));
      r = tap(`act:${blk.name}.c1`, bnAll ? norm(r, `${blk.name}.c1.bn`, true) : relu(r));
      r = tap(`conv:${blk.name}.c2`, conv(r, p(`${blk.name}.c2`), 1));
      if (bnAll) r = norm(r, `${blk.name}.c2.bn`);
      const sc = shortcutA(h as tf.Tensor4D, blk.cout, blk.stride); // the identity where nothing changes
      h = tap(`block:${blk.name}`, relu(sc, r));
    }
    if (cfg.bn === 'final') h = norm(h, 'final.bn');
    const pooled = tap('pooled', h.mean([1, 2]));
    return tap('logits', dense(pooled, 'fc', p)) as tf.Tensor2D;
  };

  return assembleNet(store, {
    kind: 'resnet',
    description: `ResNet-${cfg.depth} (width ${width}, bn=${cfg.bn}${bnMode !== 'batch' ? `/${bnMode}` : ''}, ${init})`,
    depth: cfg.depth,
    bn: cfg.bn,
    layers,
    probePoints,
    forward,
  });
}
