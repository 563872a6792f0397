/**
 * Forward-pass FLOPs of a network per image (2 per multiply-add; convolutions and the classifier,
 * which dominate; BN, ReLU and additions are left out). A training step costs about three times
 * this: the forward pass, the input gradient and the weight gradient.
 */
import * as tf from '@tensorflow/tfjs';
import type { Net } from './types';

export function forwardFlopsPerImage(net: Net, inputShape: [number, number, number]): number {
  const shapes = new Map<string, number[]>();
  tf.tidy(() => {
    const x = tf.zeros([1, ...inputShape]);
    net.forward(x, { training: false, capture: (p, a) => shapes.set(p, a.shape) });
  });
  let flops = 0;
  for (const l of net.layers) {
    const out = shapes.get(l.output)!;
    const w = net.params.get(l.weight)!.shape;
    const macsPerOutput = w.slice(0, -1).reduce((a, b) => a * b, 1);
    const outputs = out.slice(1).reduce((a, b) => a * b, 1);
    flops += 2 * macsPerOutput * outputs;
  }
  return flops;
}
