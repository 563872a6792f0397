/**
 * Slice on wasm for float32 tensors of rank 2–4 whose slice is not one contiguous block, as a
 * module of ours: nested loops over the outer axes around one `memory.copy` of the slice's
 * contiguous inner run. tfjs-backend-wasm runs that case as a JS loop over every element
 * (slice4d): in a ResNet-56 training step the option-A shortcut's slices (the gradient of its
 * zero-padded channels, and the crop after a strided gradient on odd sizes) cost ~0.6–0.8 ms of JS
 * a step that way (node --cpu-prof, 2026-12-08). A slice is a copy, so the values are the same bit
 * for bit (slice.test.ts checks every case against tfjs's kernel). Contiguous slices, other dtypes
 * and other ranks keep tfjs's kernel, as does everything before the project's kernels are ready.
 */
import * as tf from '@tensorflow/tfjs';
import {
  countdown,
  get,
  i32,
  kernelOnce,
  moduleText,
  offsetOf,
  wasmKernelsReady,
  wasmModule,
  wrapWasmKernel,
  type WasmBackend,
} from './wasm-module';

/**
 * `slice(src, dst)`: the block `size` at `begin` of a [shape] tensor at src, packed into dst.
 * The innermost axes that the slice takes whole, plus the first one it does not, make one
 * contiguous run; the loops go over the axes before them.
 */
export function sliceFunction(shape: readonly number[], begin: readonly number[], size: readonly number[]): string {
  const rank = shape.length;
  const strides = shape.map((_, j) => shape.slice(j + 1).reduce((p, d) => p * d, 1) * 4);
  let k = rank - 1; // the run: axis k's slice and every axis after it whole
  while (k > 0 && size[k] === shape[k]) k--;
  const runBytes = size[k]! * strides[k]!;
  const start = begin.reduce((s, b, j) => s + b * strides[j]!, 0);
  const loops = Array.from({ length: k }, (_, j) => j);
  const ptrs = loops.map((j) => `p${j}`);
  let body = `(memory.copy ${get('dst')} ${k === 0 ? get('src') : get(`p${k - 1}`)} ${i32(runBytes)})
(local.set $dst (i32.add ${get('dst')} ${i32(runBytes)}))`;
  for (let j = k - 1; j >= 0; j--) {
    const inner = j + 1 < k ? `(local.set $p${j + 1} ${get(`p${j}`)})\n${body}` : body;
    body = countdown(`i${j}`, size[j]!, `${inner}\n(local.set $p${j} (i32.add ${get(`p${j}`)} ${i32(strides[j]!)}))`);
  }
  const locals = [...loops.map((j) => `(local $i${j} i32)`), ...ptrs.map((p) => `(local $${p} i32)`)].join(' ');
  return `(func $slice (param $src i32) (param $dst i32) ${locals}
(local.set $src (i32.add ${get('src')} ${i32(start)}))
${k > 0 ? `(local.set $p0 ${get('src')})\n` : ''}${body})`;
}

/** Register the kernel on wasm (once, after the wasm backend has started: it wraps tfjs's own). */
export function sliceOnWasm(): void {
  wrapWasmKernel('Slice', (args, original) => {
    const x = (args.inputs as { x: tf.TensorInfo }).x;
    const rank = x.shape.length;
    if (!wasmKernelsReady() || x.dtype !== 'float32' || rank < 2 || rank > 4) return original(args);
    const { begin, size } = args.attrs as { begin: number | number[]; size: number | number[] };
    const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size) as [number[], number[]];
    if (s.some((d) => d === 0) || tf.slice_util.isSliceContinous(x.shape, b, s)) return original(args);
    const key = `slice:${x.shape.join('x')}:${b.join(',')}:${s.join('x')}`;
    const run = kernelOnce(
      key,
      () => wasmModule(key, () => moduleText(sliceFunction(x.shape, b, s))).slice as (src: number, dst: number) => void,
    );
    const out = (args.backend as unknown as WasmBackend).makeOutput(s, 'float32');
    run(offsetOf(x), offsetOf(out));
    return out;
  });
}
