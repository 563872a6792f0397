/**
 * Step-size scans along the first steps of training (the paper's Fig. 2): train with SGD on the
 * seeded batch order and, before the update of each probed mini-batch, scan one gradient step of
 * growing size on that batch (stepSizeScan) and record where the net stands (pooledFeatures).
 */
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../data/dataset';
import { batches } from '../data/batches';
import type { Net } from '../nets/types';
import type { Sgd } from '../train/sgd';
import { batchToTensors } from '../train/tensors';
import { trainStep } from '../train/train';
import { pooledFeatures, type PooledFeatures } from './moments';
import { stepSizeScan, type StepScan } from './step-scan';

export interface TrainingScan {
  /** the probed mini-batches, 1-based */
  probed: number[];
  scans: StepScan[];
  pooled: PooledFeatures[];
}

export async function scansAlongTraining(
  net: Net,
  opt: Sgd,
  data: Dataset,
  o: { batchSize: number; seed: number; probed: number[]; lr: number; alphas: number[] },
): Promise<TrainingScan> {
  const scans: StepScan[] = [];
  const pooled: PooledFeatures[] = [];
  const last = Math.max(...o.probed);
  let k = 0;
  for (const b of batches(data, o.batchSize, o.seed, { dropLast: true })) {
    k++;
    const { x, y } = batchToTensors(b, data);
    try {
      if (o.probed.includes(k)) {
        scans.push(await stepSizeScan(net, x, y, o.alphas));
        pooled.push(await pooledFeatures(net, x));
      }
      await trainStep(net, opt, x, y, o.lr);
    } finally {
      tf.dispose([x, y]);
    }
    if (k >= last) break;
  }
  if (k < last) throw new Error(`scansAlongTraining: ${data.n} images give ${k} batches of ${o.batchSize}, fewer than mini-batch ${last}`);
  return { probed: o.probed, scans, pooled };
}
