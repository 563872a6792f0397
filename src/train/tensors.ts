import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../data/dataset';

/** An image dataset as src/data produces it (NHWC float32, labels 0..K−1). */
export type ImageSet = Dataset;

/** Examples [start, start+count) of a set as tensors: x [B,H,W,C], y [B] int32. */
export function sliceToTensors(ds: ImageSet, start: number, count: number): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const per = ds.height * ds.width * ds.channels;
  const x = tf.tensor4d(ds.images.subarray(start * per, (start + count) * per), [count, ds.height, ds.width, ds.channels]);
  const y = tf.tensor1d(Int32Array.from(ds.labels.subarray(start, start + count)), 'int32');
  return { x, y };
}

/** A batch (flat arrays) as tensors. */
export function batchToTensors(
  b: { images: Float32Array; labels: Uint8Array; n: number },
  shape: { height: number; width: number; channels: number },
): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const x = tf.tensor4d(b.images, [b.n, shape.height, shape.width, shape.channels]);
  const y = tf.tensor1d(Int32Array.from(b.labels), 'int32');
  return { x, y };
}
