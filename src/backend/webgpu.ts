/**
 * The WebGPU route: @tensorflow/tfjs-backend-webgpu on Dawn's Node bindings (npm `webgpu`, a
 * prebuilt dawn.node inside the package). Both are optional dependencies, imported only here and
 * only when asked for (BN_BACKEND=webgpu, or `auto` probing for a hardware adapter where a GPU
 * device node exists: see worthProbingForGpu).
 *
 * - Node 20 has no `navigator`, and the backend registers itself only if `navigator.gpu` exists
 *   when it is imported: so `navigator = { gpu: create([]) }` (and Dawn's GPU* globals) first.
 * - On Linux Dawn runs on Vulkan: it needs the loader (libvulkan1) and a driver's ICD (NVIDIA's,
 *   or Mesa's). Debian 12's Mesa 22.3 lavapipe gives no adapter (Dawn requires
 *   shaderUniform*ArrayDynamicIndexing); bookworm-backports' Mesa 25 gives a `software` adapter
 *   (vendor mesa, llvmpipe): correct, ~12× slower than wasm, for tests only, never for `auto`.
 * - Dawn holds a device until it is destroyed: releaseWebGpu() destroys it at the end of a run.
 * - Reads must be asynchronous (`await t.data()`): tfjs-backend-webgpu 4.22 reads synchronously
 *   (dataSync, arraySync) through an OffscreenCanvas, which Node lacks, and Dawn's Node bindings
 *   offer no blocking buffer map. The probes, the training loop and the claims read
 *   asynchronously; a synchronous read of a value on the GPU fails with one line saying so (below).
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readdirSync } from 'node:fs';
import { vulkanDriverFiles } from '../config';

/** What Dawn says about its adapter; `hardware` is false for software rasterisers and fallback adapters. */
export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  fallback: boolean;
  hardware: boolean;
}

export type WebGpuProbe = { ok: true; adapter: AdapterSummary } | { ok: false; why: string };

/** One line for logs and records: `mesa / software / llvmpipe-… (fallback)`. */
export function describeAdapter(a: AdapterSummary): string {
  const parts = [a.vendor || 'unknown vendor', a.architecture || 'unknown architecture', a.device || a.description || 'unknown device'];
  return parts.join(' / ') + (a.fallback ? ' (fallback adapter)' : '') + (a.hardware ? '' : ' [software: correctness only, not a GPU]');
}

/** A software rasteriser (lavapipe/llvmpipe, SwiftShader, WARP) or a fallback adapter is not a GPU. */
export function isHardwareAdapter(a: Omit<AdapterSummary, 'hardware'>): boolean {
  if (a.fallback || a.architecture.toLowerCase() === 'software') return false;
  return !/llvmpipe|lavapipe|swiftshader|softpipe|microsoft basic render|warp/i.test(`${a.vendor} ${a.device} ${a.description}`);
}

interface GpuLike {
  requestAdapter(o?: object): Promise<AdapterLike | null>;
}
interface AdapterLike {
  info?: Record<string, unknown>;
  isFallbackAdapter?: boolean;
}

let gpu: GpuLike | undefined;
let installError: string | undefined;

/** Load `webgpu` and install navigator.gpu and Dawn's GPU* globals (once); an error string if it cannot. */
async function installNavigatorGpu(): Promise<string | undefined> {
  if (gpu || installError) return installError;
  try {
    const mod = (await import(/* @vite-ignore */ 'webgpu' as string)) as {
      create: (flags: string[]) => GpuLike;
      globals: Record<string, unknown>;
    };
    const g = globalThis as Record<string, unknown>;
    for (const [k, v] of Object.entries(mod.globals)) if (!(k in g)) g[k] = v;
    gpu = mod.create([]);
    // Node 20 has no navigator; Node ≥ 21 has one without `gpu` (a getter: define, do not assign)
    const nav = (g.navigator ?? {}) as Record<string, unknown>;
    Object.defineProperty(globalThis, 'navigator', { value: { ...nav, gpu }, configurable: true, writable: true });
  } catch (e) {
    installError = `the optional package \`webgpu\` (Dawn's Node bindings) could not be loaded: ${firstLine(e)}; reinstall with \`npm install\` (it is an optional dependency)`;
  }
  return installError;
}

const firstLine = (e: unknown) => ((e as Error)?.message ?? String(e)).split('\n')[0]!;

/** What Dawn needs on Linux and this machine lacks: the Vulkan loader, any Vulkan driver ICD (empty: both present). */
export function missingVulkanParts(): string[] {
  if (process.platform !== 'linux') return [];
  const libDirs = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib/x86_64-linux-gnu'];
  const loader = libDirs.some((d) => existsSync(`${d}/libvulkan.so.1`));
  const icdEnv = vulkanDriverFiles();
  const icds = icdEnv
    ? icdEnv.split(':').filter((f) => existsSync(f))
    : ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d'].flatMap((d) =>
        existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.json')) : [],
      );
  const missing: string[] = [];
  if (!loader) missing.push('the Vulkan loader (apt-get install libvulkan1)');
  if (icds.length === 0)
    missing.push(
      icdEnv
        ? `a Vulkan driver (VK_ICD_FILENAMES=${icdEnv} names no existing file)`
        : 'a Vulkan driver ICD (none in /usr/share/vulkan/icd.d or /etc/vulkan/icd.d)',
    );
  return missing;
}

/** The one-line reason when Dawn finds no adapter. */
function vulkanDiagnosis(): string {
  if (process.platform !== 'linux') return 'Dawn found no WebGPU adapter (it needs a Metal, D3D12 or Vulkan driver)';
  const missing = missingVulkanParts();
  const fix =
    'a GPU needs its driver\'s Vulkan ICD (NVIDIA: the driver\'s nvidia_icd.json; in a container NVIDIA_DRIVER_CAPABILITIES must include "graphics"); ' +
    "for tests without a GPU, Mesa ≥ 25 lavapipe: apt-get install -t bookworm-backports mesa-vulkan-drivers (Debian 12's own Mesa 22.3 is too old for Dawn)";
  return missing.length
    ? `Dawn found no WebGPU adapter: missing ${missing.join(' and ')}; ${fix}`
    : `Dawn found no WebGPU adapter although a Vulkan loader and driver are installed: the driver may be too old or lack what Dawn requires; ${fix}`;
}

/**
 * Whether `auto` should load Dawn at all to look for a GPU: not where no GPU can be reached. On
 * Linux that needs a Vulkan loader and driver, and a GPU device node (/dev/nvidia0 or a DRM render
 * node /dev/dri/renderD*): without one Dawn could find at most a software adapter (lavapipe),
 * which `auto` never takes, and loading it costs ~0.2–0.3 s and prints Dawn's warnings in every
 * process. Elsewhere (Metal, D3D12) the probe decides.
 */
export function worthProbingForGpu(): boolean {
  if (process.platform !== 'linux') return true;
  if (missingVulkanParts().length) return false;
  if (existsSync('/dev/nvidia0')) return true;
  try {
    return readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
  } catch {
    return false;
  }
}

let probed: Promise<WebGpuProbe> | undefined;

/** Whether Dawn finds an adapter here, and which (once per process; starts no device). */
export function probeWebGpu(): Promise<WebGpuProbe> {
  probed ??= (async (): Promise<WebGpuProbe> => {
    // Dawn on Linux uses Vulkan only: without a loader or driver, say so without loading it
    if (missingVulkanParts().length) return { ok: false, why: vulkanDiagnosis() };
    const err = await installNavigatorGpu();
    if (err) return { ok: false, why: err };
    let adapter: AdapterLike | null;
    try {
      adapter = await gpu!.requestAdapter({ powerPreference: 'high-performance' });
    } catch (e) {
      return { ok: false, why: `Dawn's requestAdapter failed: ${firstLine(e)}` };
    }
    if (!adapter) return { ok: false, why: vulkanDiagnosis() };
    const info = adapter.info ?? {};
    const s = (k: string) => (typeof info[k] === 'string' ? (info[k] as string) : '');
    const base = {
      vendor: s('vendor'),
      architecture: s('architecture'),
      device: s('device'),
      description: s('description'),
      fallback: info.isFallbackAdapter === true || adapter.isFallbackAdapter === true,
    };
    return { ok: true, adapter: { ...base, hardware: isHardwareAdapter(base) } };
  })();
  return probed;
}

/** Start tfjs's webgpu backend on Dawn's adapter; throws with one line when there is none. */
export async function startWebGpuBackend(): Promise<AdapterSummary> {
  const p = await probeWebGpu();
  if (!p.ok) throw new Error(p.why);
  if (!tf.findBackendFactory('webgpu')) {
    try {
      await import(/* @vite-ignore */ '@tensorflow/tfjs-backend-webgpu' as string);
    } catch (e) {
      throw new Error(
        `the optional package @tensorflow/tfjs-backend-webgpu could not be loaded: ${firstLine(e)}; reinstall with \`npm install\``,
        { cause: e },
      );
    }
    if (!tf.findBackendFactory('webgpu'))
      throw new Error('@tensorflow/tfjs-backend-webgpu loaded but did not register (navigator.gpu was missing at import)');
    factory ??= tf.findBackendFactory('webgpu')!;
  }
  if (!(await tf.setBackend('webgpu'))) throw new Error(`the webgpu backend failed to start on adapter ${describeAdapter(p.adapter)}`);
  guardSyncReads(tf.backend());
  await tf.ready();
  return p.adapter;
}

/** Whether tfjs-backend-webgpu can read synchronously here (it needs OffscreenCanvas: browsers, not Node). */
function webgpuReadsSynchronously(): boolean {
  return 'OffscreenCanvas' in globalThis;
}

/** Sync reads of a value still on the GPU throw this, instead of `OffscreenCanvas is not defined`. */
export const SYNC_READ_ERROR =
  'webgpu under Node cannot read a tensor synchronously (dataSync/arraySync: tfjs-backend-webgpu needs an OffscreenCanvas for that, and Node has none); the probes and the training loop read with `await tensor.data()`, and this code path must too (or run it on BN_BACKEND=wasm)';

/** Replace the backend class's readSync with one that fails clearly when it would need OffscreenCanvas. */
function guardSyncReads(backend: object): void {
  const proto = Object.getPrototypeOf(backend) as { readSync: (id: object) => unknown; __bnGuarded?: boolean };
  if (proto.__bnGuarded || webgpuReadsSynchronously()) return;
  const original = proto.readSync;
  proto.readSync = function (this: { tensorMap: { get(id: object): { values?: unknown; dtype: string } | undefined } }, dataId: object) {
    const d = this.tensorMap.get(dataId);
    if (d && d.values == null && d.dtype !== 'string') throw new Error(SYNC_READ_ERROR);
    return original.call(this, dataId);
  };
  proto.__bnGuarded = true;
}

let factory: ReturnType<typeof tf.findBackendFactory> | undefined;

/**
 * Destroy the webgpu backend's device (Dawn keeps a device and its queue alive until then) and
 * drop the backend instance; it can be started again later. A no-op when it never started.
 */
export function releaseWebGpu(): void {
  const engine = tf.engine();
  const instance = engine.registry.webgpu as unknown as { device?: { destroy(): void } } | undefined;
  if (!instance) return;
  const device = instance.device;
  tf.removeBackend('webgpu'); // disposes its buffers; also drops the factory, registered again below
  if (factory) tf.registerBackend('webgpu', factory, 3);
  device?.destroy();
}
