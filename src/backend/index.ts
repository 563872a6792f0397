/**
 * Choose and start a TensorFlow.js backend.
 *
 *   auto       → tfjs-node-gpu if installed (GPU), else tfjs-node (native CPU), else WebGPU on a
 *                hardware adapter (never a software or fallback one; Dawn is loaded only where a
 *                GPU device node exists: webgpu.ts worthProbingForGpu), else wasm, else cpu
 *   tensorflow → tfjs-node-gpu or tfjs-node, or a clear error saying how to install them
 *   webgpu     → tfjs-backend-webgpu on Dawn (webgpu.ts), or one line naming what is missing
 *   wasm       → @tensorflow/tfjs-backend-wasm (ships inside the npm package: the default here)
 *   cpu        → the pure-JS reference backend (slow; used to check the fast paths)
 *
 * The native packages are optional peers, the WebGPU ones optional dependencies: imported
 * dynamically, never required. releaseBackend() ends a run (it destroys a WebGPU device).
 */
import * as tf from '@tensorflow/tfjs';
import { config, ConfigError, quiet, type BackendName } from '../config';
import { sliceOnWasm } from './slice';
import { strongMapsOnWasm } from './strong-maps';
import { cheapSavesOnWasm, shareIdentityOnWasm } from './wasm-identity';
import { initWasmKernels } from './wasm-module';
import { describeAdapter, probeWebGpu, releaseWebGpu, startWebGpuBackend, worthProbingForGpu, type AdapterSummary } from './webgpu';

export { tf };
export type { AdapterSummary } from './webgpu';

export interface BackendInfo {
  /** the tfjs backend name after start-up: 'tensorflow' | 'webgpu' | 'wasm' | 'cpu' */
  name: string;
  /** where it came from, for records and logs: e.g. 'tfjs-node-gpu', 'tfjs-backend-wasm' */
  source: string;
  /** webgpu only: the adapter Dawn gave (a `software` one is no GPU) */
  adapter?: AdapterSummary;
}

let started: Promise<BackendInfo> | undefined;
let startedWith: BackendName | undefined;

/** Dynamic import that hides the specifier from bundlers/type-checkers: the peers may be absent. */
async function tryImport(name: string): Promise<{ ok: true } | { ok: false; why: string }> {
  try {
    await import(/* @vite-ignore */ name);
    return { ok: true };
  } catch (e) {
    return { ok: false, why: (e as Error).message.split('\n')[0] ?? String(e) };
  }
}

async function startWasm(): Promise<BackendInfo> {
  await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend failed to initialise');
  await tf.ready();
  shareIdentityOnWasm();
  cheapSavesOnWasm();
  strongMapsOnWasm();
  sliceOnWasm();
  await initWasmKernels();
  return { name: 'wasm', source: 'tfjs-backend-wasm' };
}

async function startCpu(): Promise<BackendInfo> {
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend failed to initialise');
  await tf.ready();
  return { name: 'cpu', source: 'tfjs-backend-cpu' };
}

async function startTensorflow(): Promise<BackendInfo | { failed: string }> {
  const reasons: string[] = [];
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    const r = await tryImport(pkg);
    if (r.ok && (await tf.setBackend('tensorflow'))) {
      await tf.ready();
      return { name: 'tensorflow', source: pkg.replace('@tensorflow/', '') };
    }
    reasons.push(`${pkg}: ${r.ok ? 'loaded but the tensorflow backend did not start' : r.why}`);
  }
  return { failed: reasons.join('; ') };
}

async function startWebGpu(): Promise<BackendInfo> {
  const adapter = await startWebGpuBackend();
  return { name: 'webgpu', source: 'tfjs-backend-webgpu on Dawn', adapter };
}

async function start(which: BackendName): Promise<BackendInfo> {
  switch (which) {
    case 'webgpu':
      try {
        return await startWebGpu();
      } catch (e) {
        throw new ConfigError(`BN_BACKEND=webgpu cannot start: ${(e as Error).message}`);
      }
    case 'cpu':
      return startCpu();
    case 'wasm':
      return startWasm();
    case 'tensorflow': {
      const r = await startTensorflow();
      if ('failed' in r)
        throw new ConfigError(
          `BN_BACKEND=tensorflow but no native TensorFlow.js package could be loaded (${r.failed}). ` +
            'Install one: `npm install @tensorflow/tfjs-node-gpu` (NVIDIA GPU with the CUDA/cuDNN versions it needs) ' +
            'or `npm install @tensorflow/tfjs-node` (native CPU); both download a TensorFlow library at install time.',
        );
      return r;
    }
    case 'auto': {
      const r = await startTensorflow();
      if (!('failed' in r)) return r;
      // WebGPU only on a GPU: a software adapter (lavapipe) is ~12x slower than wasm. Dawn is not
      // even loaded where no GPU device exists (see worthProbingForGpu); where the optional
      // package is missing the probe says so and auto goes on to wasm
      const gpu = worthProbingForGpu() ? await probeWebGpu() : undefined;
      if (gpu?.ok && gpu.adapter.hardware) {
        try {
          return await startWebGpu();
        } catch (e) {
          console.warn(`[backend] webgpu on ${describeAdapter(gpu.adapter)} failed to start (${(e as Error).message}); using wasm`);
        }
      }
      try {
        return await startWasm();
      } catch (e) {
        console.warn(`[backend] wasm failed to start (${(e as Error).message}); falling back to cpu`);
        return startCpu();
      }
    }
  }
}

/**
 * Start the backend named by BN_BACKEND (or `which`), once per process; says once which one it took.
 * Calling again with a different name switches backend (used by tests that compare against cpu).
 */
export function initBackend(which: BackendName = config().backend): Promise<BackendInfo> {
  if (!started || startedWith !== which) {
    startedWith = which;
    started = start(which).then((info) => {
      const adapter = info.adapter ? `; adapter ${describeAdapter(info.adapter)}` : '';
      if (!quiet()) console.log(`[backend] using ${info.name} (${info.source}${adapter}; asked for ${which})`);
      return info;
    });
    started.catch(() => {
      started = undefined;
    });
  }
  return started;
}

/**
 * End of a run: destroys the WebGPU device, if one was started, so the process can exit (Dawn
 * holds a device until then). The next initBackend starts afresh.
 */
export function releaseBackend(): void {
  releaseWebGpu();
  started = undefined;
  startedWith = undefined;
}
