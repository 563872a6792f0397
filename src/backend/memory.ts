/**
 * Will a gradient fit in the wasm heap? tfjs-backend-wasm keeps every tensor in one WebAssembly
 * memory of at most 4 GiB; a gradient that needs more crashes deep inside the backend
 * (`RuntimeError: memory access out of bounds` in disposeData), minutes into a run. So the paper
 * profile's nets are checked before they run, and a net that cannot fit stops the claim at once
 * with one line saying why and what to use instead.
 *
 * The estimate is measured, not derived: the peak of live tensor bytes during a full parameter
 * gradient (tf.profile's peakBytes) divided by the bytes of all conv outputs of the forward pass
 * (every layer's H·W·C per image), over ResNet-20/56/110, widths 4–16, 14x14x1 and 32x32x3,
 * batches 8–64 on wasm, with the project's kernels (conv-wasm.ts, batchnorm.ts, relu.ts): the
 * largest factor without BN and with BN on every conv (memory.test.ts keeps one point of it).
 * The limit in bytes sits between the largest gradient that ran and the smallest that crashed.
 * The measurements behind both, and the larger factors before the kernels (which BN_WASM_KERNELS=0
 * would need): docs/measurements.md.
 */
import type { BnPlacement } from '../nets/types';

/** Largest estimated peak (bytes) a gradient may need on wasm: runs up to 3.45 GiB ran, one at 4.31 GiB crashed. */
const WASM_GRADIENT_LIMIT_BYTES = 3.75 * 2 ** 30;

/** Peak tensor bytes per byte of conv outputs during a parameter gradient (measured on wasm; see above). */
const PEAK_PER_ACTIVATION_BYTE: Record<BnPlacement, number> = { none: 6.1, final: 6.1, all: 7.6 };

export interface GradientShape {
  depth: number;
  width: number;
  bn: BnPlacement;
  /** images per gradient */
  batch: number;
  height: number;
  imageWidth: number;
  channels: number;
}

/** Floats of all conv outputs of one image through the CIFAR ResNet (6n+2): stem, then 2n convs per stage at w, 2w, 4w. */
export function resnetActivationFloats(depth: number, width: number, height: number, imageWidth: number): number {
  const n = (depth - 2) / 6;
  let h = height,
    w = imageWidth;
  let floats = h * w * width; // stem
  for (let s = 0; s < 3; s++) {
    if (s > 0) {
      h = Math.ceil(h / 2);
      w = Math.ceil(w / 2);
    }
    floats += 2 * n * h * w * width * 2 ** s;
  }
  return floats;
}

/** Estimated peak of live tensor bytes while one parameter gradient of this ResNet runs (wasm). */
export function gradientPeakBytes(g: GradientShape): number {
  return resnetActivationFloats(g.depth, g.width, g.height, g.imageWidth) * 4 * g.batch * PEAK_PER_ACTIVATION_BYTE[g.bn];
}

const gib = (b: number) => (b / 2 ** 30).toFixed(2);

/** The one line a claim stops with when its net cannot fit in the wasm heap; undefined when it fits. */
export function wasmHeapShortfall(g: GradientShape): string | undefined {
  const need = gradientPeakBytes(g);
  if (need <= WASM_GRADIENT_LIMIT_BYTES) return undefined;
  return (
    `a gradient of ResNet-${g.depth} (width ${g.width}, BN ${g.bn}) on ${g.batch} images ${g.height}x${g.imageWidth}x${g.channels} needs ≈ ${gib(need)} GiB of tensors, ` +
    `more than the wasm backend's 4 GiB heap holds (limit ${gib(WASM_GRADIENT_LIMIT_BYTES)} GiB: 3.45 GiB ran, 4.31 GiB crashed): ` +
    'run this profile on a backend without that limit (BN_BACKEND=tensorflow with @tensorflow/tfjs-node-gpu on a GPU, or @tensorflow/tfjs-node on a CPU), or use BN_PROFILE=smoke'
  );
}

export class MemoryLimitError extends Error {
  override name = 'MemoryLimitError';
}

/** Throw one clear line when the active backend is wasm and the gradient cannot fit its heap. */
export function assertFitsBackend(backend: string, g: GradientShape): void {
  if (backend !== 'wasm') return;
  const why = wasmHeapShortfall(g);
  if (why) throw new MemoryLimitError(why);
}
