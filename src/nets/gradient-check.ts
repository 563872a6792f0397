/**
 * The whole-ResNet gradient check that the fast-kernel backends are held to: a small ResNet-8 on
 * odd-sized images (9x9: the stride-2 geometry of convs and shortcuts), loss and every parameter
 * gradient, compared with the same computation on the pure-JS cpu backend. Used by
 * nets.test.ts (wasm) and backend/webgpu.test.ts (webgpu).
 */
import * as tf from '@tensorflow/tfjs';
import { crossEntropy } from '../train/loss';
import { buildResNet } from './resnet';
import type { BnPlacement } from './types';

export interface LossAndGradients {
  loss: number;
  grads: Record<string, number[]>;
}

/**
 * Loss and every parameter gradient of the check's ResNet-8 (width 4, 3 images 9x9x3) on the
 * active backend. Reads asynchronously: webgpu under Node has no synchronous read.
 */
export async function resnetLossAndGradients(bn: BnPlacement): Promise<LossAndGradients> {
  const net = buildResNet({ depth: 8, width: 4, inChannels: 3, bn, seed: 5 });
  const names = [...net.params.keys()];
  const [value, ...grads] = tf.tidy(() => {
    const x = tf.randomNormal([3, 9, 9, 3], 0, 1, 'float32', 2);
    const y = tf.tensor1d([1, 7, 3], 'int32');
    const f = (...ps: tf.Tensor[]) =>
      crossEntropy(net.forward(x, { training: true, params: Object.fromEntries(names.map((n, i) => [n, ps[i]!])) }), y);
    const r = tf.valueAndGrads(f)(names.map((n) => net.params.get(n)!));
    return [r.value, ...r.grads];
  });
  const out: LossAndGradients = { loss: (await value.data())[0]!, grads: {} };
  for (let i = 0; i < names.length; i++) out.grads[names[i]!] = Array.from(await grads[i]!.data());
  tf.dispose([value, ...grads]);
  net.dispose();
  return out;
}

/** Relative errors against a reference: the loss's, and per parameter max|got − ref| / max(|ref|, 1e-6). */
export function gradientErrors(got: LossAndGradients, ref: LossAndGradients): { loss: number; params: Record<string, number> } {
  const params: Record<string, number> = {};
  for (const [k, r] of Object.entries(ref.grads)) {
    const g = got.grads[k];
    if (!g || g.length !== r.length) {
      params[k] = Infinity;
      continue;
    }
    const scale = Math.max(1e-6, ...r.map(Math.abs));
    params[k] = Math.max(...g.map((v, i) => Math.abs(v - r[i]!))) / scale;
  }
  return { loss: Math.abs(got.loss - ref.loss) / Math.abs(ref.loss), params };
}
