/**
 * tf.addN for any number of tensors, on every backend. tfjs-backend-webgpu's AddN binds one
 * storage buffer per input, and the device tfjs requests keeps WebGPU's default of 8 storage
 * buffers per shader stage (one is the output): with more inputs the kernel's pipeline fails
 * validation and the result is wrong, silently (measured on lavapipe: the gradient norm of a
 * ResNet-8's 26 parameters came out 1.55 against 2.97 on wasm). WebGPU's own limit, not the
 * adapter's: the same on a GPU. So on webgpu the sum is taken in chunks, left to right
 * (acc = addN([acc, next ones])); on every other backend it is one tf.addN, as before.
 */
import * as tf from '@tensorflow/tfjs';

/** Most inputs one AddN may take on the active backend (Infinity where there is no limit). */
export function maxAddNInputs(): number {
  const limits = (tf.backend() as { device?: { limits?: { maxStorageBuffersPerShaderStage?: number } } }).device?.limits;
  const buffers = limits?.maxStorageBuffersPerShaderStage;
  return buffers && buffers > 2 ? buffers - 1 : Infinity;
}

/** Σ ts (same shapes), in chunks of at most `max` inputs per AddN. */
export function addAll(ts: tf.Tensor[], max = maxAddNInputs()): tf.Tensor {
  if (ts.length <= max) return tf.addN(ts);
  if (max < 2) throw new Error(`addAll: a chunk must take at least 2 inputs, got ${max}`);
  return tf.tidy(() => {
    let acc = tf.addN(ts.slice(0, max));
    for (let i = max; i < ts.length; i += max - 1) acc = tf.addN([acc, ...ts.slice(i, i + max - 1)]);
    return acc;
  });
}
