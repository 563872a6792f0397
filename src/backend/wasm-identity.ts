/**
 * Identity on wasm without a copy. tfjs-backend-wasm's Identity kernel (what tf.clone runs, and
 * tfjs's customGrad on every tensor it saves for the backward pass: each conv's input and kernel,
 * each BN layer's input) allocates and copies; the cpu backend's Identity, and wasm's own Reshape,
 * share the data under a reference count instead. Tensors are immutable (no kernel writes into
 * its inputs; a Variable's assign swaps its data rather than writing into it), so sharing gives
 * the same values: it drops ~240 allocations and copies from a ResNet-56 training step.
 * Strings keep the original kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { wrapWasmKernel } from './wasm-module';

interface RefCounting {
  incRef(dataId: object): void;
}

/** A second reference to x's data (the backend counts it): what both shares below hand out. */
function shareData(backend: tf.KernelBackend, x: tf.TensorInfo): tf.TensorInfo {
  (backend as unknown as RefCounting).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export function shareIdentityOnWasm(): void {
  wrapWasmKernel('Identity', (args, original) => {
    const x = (args.inputs as { x: tf.TensorInfo }).x;
    if (x.dtype === 'string') return original(args);
    return shareData(args.backend as tf.KernelBackend, x);
  });
}

interface EngineInternals {
  clone(x: tf.Tensor): tf.Tensor;
  makeTensorFromTensorInfo(info: tf.TensorInfo, backend?: tf.KernelBackend): tf.Tensor;
}

let cheapSaves = false;

/**
 * The tensors a kernel saves for its gradient, on wasm, as new handles on the same data without
 * a kernel call or a tape node. tfjs's engine saves each one (each conv's input and kernel, each
 * BN layer's input and moments: ~430 per ResNet-56 step with BN) through its private `clone`:
 * a full Identity dispatch plus a tape node of its own, which autodiff then has to filter out
 * again (the saved tensor is no op's input, so no gradient ever flows through that node). Here a
 * save is a reference count and a tensor handle, what wasm's Identity above does, minus the
 * dispatch and the node. What the tape loses: gradients *through* a saved tensor, i.e. a gradient
 * of a gradient, which nothing in this project takes (and tfjs's wasm kernels mostly lack).
 * Other backends keep tfjs's clone.
 */
export function cheapSavesOnWasm(): void {
  if (cheapSaves) return;
  const engine = tf.engine() as unknown as EngineInternals;
  const original = engine.clone.bind(engine);
  engine.clone = (x: tf.Tensor): tf.Tensor => {
    if (tf.getBackend() !== 'wasm' || x.dtype === 'string') return original(x);
    const backend = tf.backend();
    return engine.makeTensorFromTensorInfo(shareData(backend, x), backend);
  };
  cheapSaves = true;
}
