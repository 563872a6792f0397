/**
 * The machinery the project's own wasm SIMD kernels share: modules generated as WAT per shape,
 * compiled in process with npm `wabt` (pure JS), that import tfjs-backend-wasm's own
 * WebAssembly.Memory and so read their inputs where the backend keeps them and write into outputs
 * it allocated (backend.makeOutput): no copies in or out.
 *
 * Why here: a kernel of tfjs-backend-wasm is C++ compiled once for every shape, and the shapes the
 * claims train (3x3 convolutions at 4–64 channels, BN over 16k–50k elements) are small enough that
 * loops unrolled for the exact shape, with accumulators in SIMD registers, beat it (docs/kernels.md).
 *
 * The generated modules declare no data segments and no memory of their own: they only read and
 * write the addresses they are handed. Scratch space (padded copies, accumulators) is one block
 * taken from the backend's own allocator and kept for the process.
 *
 * wabt loads asynchronously, so the kernels exist only after initWasmKernels() has run (the
 * backend start-up does it); until then, and on every other backend, wasmKernelsReady() is false
 * and callers take their tfjs path.
 */
import * as tf from '@tensorflow/tfjs';
import wabtInit from 'wabt';
import { wasmKernelsOn } from '../config';

type Wabt = Awaited<ReturnType<typeof wabtInit>>;

/** What the kernels use of tfjs-backend-wasm's backend object. */
export interface WasmBackend {
  wasm: { asm: { memory: WebAssembly.Memory }; _malloc(bytes: number): number; _free(ptr: number): void };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

let wabt: Wabt | undefined;
let disabled = !wasmKernelsOn();
const modules = new Map<string, WebAssembly.Exports>();

/** Load wabt once; afterwards the kernels serve the wasm backend. */
export async function initWasmKernels(): Promise<void> {
  wabt ??= await wabtInit();
}

/** Turn the project's wasm kernels off or on (for comparisons and tests); the tfjs paths are used when off. */
export function setWasmKernels(on: boolean): void {
  disabled = !on;
}

/** Whether the project's wasm kernels serve the active backend right now. */
export function wasmKernelsReady(): boolean {
  return !disabled && wabt !== undefined && tf.getBackend() === 'wasm';
}

export function wasmBackend(): WasmBackend {
  return tf.backend() as unknown as WasmBackend;
}

/** Byte offset of a tensor's data in the wasm memory. */
export function offsetOf(t: tf.TensorInfo): number {
  const d = wasmBackend().dataIdMap.get(t.dataId);
  if (!d) throw new Error('wasm kernel: a tensor without data on the wasm backend');
  return d.memoryOffset;
}

/**
 * The module for `key`, compiled from `wat()` on first use and instantiated against the active
 * backend's memory. Keyed by the memory too: a test that starts a second wasm backend gets
 * modules of its own.
 */
export function wasmModule(key: string, wat: () => string): WebAssembly.Exports {
  const memory = wasmBackend().wasm.asm.memory;
  const full = `${key}@${memoryId(memory)}`;
  let m = modules.get(full);
  if (!m) {
    if (!wabt) throw new Error('wasm kernels used before initWasmKernels()');
    const text = wat();
    const parsed = wabt.parseWat(`${key}.wat`, text, { simd: true, bulk_memory: true });
    try {
      parsed.validate();
      const { buffer } = parsed.toBinary({});
      m = new WebAssembly.Instance(new WebAssembly.Module(buffer as Uint8Array<ArrayBuffer>), { env: { memory } }).exports;
    } finally {
      parsed.destroy();
    }
    modules.set(full, m);
  }
  return m;
}

const kernels = new WeakMap<WebAssembly.Memory, Map<string, unknown>>();

/**
 * What `make()` builds for a kernel shape (its module's functions and sizes), once per shape and
 * wasm memory: a kernel call then costs a map lookup, not the generator's bookkeeping.
 */
export function kernelOnce<T>(key: string, make: () => T): T {
  const memory = wasmBackend().wasm.asm.memory;
  let m = kernels.get(memory);
  if (!m) kernels.set(memory, (m = new Map()));
  let k = m.get(key) as T | undefined;
  if (k === undefined) m.set(key, (k = make()));
  return k;
}

const wrapped = new Set<string>();

/**
 * Replace tfjs-backend-wasm's kernel `name` with `kernelFunc`, which gets tfjs's own to fall back
 * on for the cases it does not take. Once per process (the kernel registry is global); a no-op
 * until the wasm backend's kernels are registered.
 */
export function wrapWasmKernel(
  name: string,
  kernelFunc: (args: Parameters<tf.KernelFunc>[0], original: tf.KernelFunc) => ReturnType<tf.KernelFunc>,
): void {
  if (wrapped.has(name)) return;
  const original = tf.getKernel(name, 'wasm');
  if (!original) return;
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: (args) => kernelFunc(args, original.kernelFunc) });
  wrapped.add(name);
}

const memoryIds = new WeakMap<WebAssembly.Memory, number>();
let memories = 0;
function memoryId(m: WebAssembly.Memory): number {
  let id = memoryIds.get(m);
  if (id === undefined) memoryIds.set(m, (id = ++memories));
  return id;
}

const scratchBlocks = new WeakMap<WebAssembly.Memory, { raw: number; ptr: number; bytes: number }>();

/**
 * A scratch block of at least `bytes` in the wasm memory (16-byte aligned), reused by every
 * kernel: its contents are undefined on entry and dead after the kernel returns.
 */
export function scratch(bytes: number): number {
  const be = wasmBackend();
  const memory = be.wasm.asm.memory;
  const s = scratchBlocks.get(memory);
  if (s && s.bytes >= bytes) return s.ptr;
  if (s) be.wasm._free(s.raw);
  const size = Math.max(bytes, 2 * (s?.bytes ?? 0), 1 << 16);
  const raw = be.wasm._malloc(size + 16);
  if (!raw) throw new Error(`wasm kernel: could not allocate ${size} bytes of scratch`);
  const ptr = (raw + 15) & ~15;
  scratchBlocks.set(memory, { raw, ptr, bytes: size });
  return ptr;
}

// ---------------------------------------------------------------------------------------------
// WAT helpers for the generators.

/** A module of these functions (each `(func $name ...)`, all exported) on the imported memory. */
export function moduleText(...funcs: string[]): string {
  const exports = funcs.map((f) => /^\(func \$(\w+)/.exec(f)![1]!).map((n) => `(export "${n}" (func $${n}))`);
  return `(module (import "env" "memory" (memory 0))\n${funcs.join('\n')}\n${exports.join('\n')})`;
}

/** `for (v = 0; v < count; v++) body` as a do-while (count ≥ 1: an i32 expression). */
export function forLoop(v: string, count: string, body: string): string {
  return `(local.set $${v} (i32.const 0))
(loop $L_${v}
${body}
(local.set $${v} (i32.add (local.get $${v}) (i32.const 1)))
(br_if $L_${v} (i32.lt_u (local.get $${v}) ${count})))`;
}

/** `$v += n` for an i32 local. */
export const bump = (v: string, n: number | string): string =>
  `(local.set $${v} (i32.add (local.get $${v}) ${typeof n === 'number' ? `(i32.const ${n})` : n}))`;

export const i32 = (n: number): string => `(i32.const ${n})`;
export const get = (v: string): string => `(local.get $${v})`;
/** `acc += a·b` for f32x4 locals/expressions. */
export const madd = (acc: string, a: string, b: string): string =>
  `(local.set $${acc} (f32x4.add (local.get $${acc}) (f32x4.mul ${a} ${b})))`;
export const locals = (type: 'i32' | 'v128', names: string[]): string => names.map((n) => `(local $${n} ${type})`).join(' ');

/**
 * `pad(src, dst)`: one image [H,W,C] → [Hp,Wp,C] with the image at rows top.., columns left.. and
 * zeros around it (a kernel pads image by image into one scratch block, which stays in cache).
 */
export function padFunction(H: number, W: number, C: number, Hp: number, Wp: number, top: number, left: number): string {
  const row = W * C * 4;
  return `(func $pad (param $src i32) (param $dst i32) (local $i i32)
(memory.fill ${get('dst')} (i32.const 0) ${i32(Hp * Wp * C * 4)})
(local.set $dst (i32.add ${get('dst')} ${i32((top * Wp + left) * C * 4)}))
${forLoop('i', i32(H), `(memory.copy ${get('dst')} ${get('src')} ${i32(row)})\n${bump('src', row)}\n${bump('dst', Wp * C * 4)}`)})`;
}

/**
 * The address `$ptr + off` for a load or store. Not wasm's offset immediate: V8 (TurboFan) turns
 * `offset=N` into a base `memory start + N`, which is loop-invariant, hoists every such base out
 * of the loops and, with hundreds of distinct offsets in an unrolled kernel, spills them to the
 * stack (a load from the stack before every load). `$ptr + N` varies with the pointer and stays
 * in place.
 */
export const at = (ptr: string, off: number): string => (off === 0 ? get(ptr) : `(i32.add ${get(ptr)} ${i32(off)})`);

/** `for ($v = count; $v > 0; $v--) body` (count ≥ 1, a constant): the cheapest loop. */
export function countdown(v: string, count: number, body: string): string {
  return `(local.set $${v} ${i32(count)})
(loop $L_${v}
${body}
(local.set $${v} (i32.sub (local.get $${v}) (i32.const 1)))
(br_if $L_${v} (local.get $${v})))`;
}
