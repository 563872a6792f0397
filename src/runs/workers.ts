/**
 * How many processes a claims run computes in at once: the training phase's workers (phase.ts),
 * then the claims project's vitest workers (vitest.config.ts). Each is single-threaded (wasm under
 * Node), so by default one per core the machine gives this process (os.availableParallelism),
 * capped by memory: as many as fit in the memory that is free now (os.freemem: on Linux the
 * kernel's MemAvailable, which counts reclaimable cache), within the process's cgroup limit where
 * one is set (process.constrainedMemory), less a reserve for vitest's main process, at
 * WORKER_MEMORY each. BN_WORKERS overrides it (src/config.ts).
 */
import os from 'node:os';
// `.js`: vitest.config.ts imports this file, and vite's config loader warns on extensionless imports
import { config } from '../config.js';

const GiB = 2 ** 30;

/**
 * A worker's memory, with room to spare: peak RSS (docs/scaling.md) 437 MiB
 * for the full profile's heaviest training run (ResNet-56 w4, BN everywhere, the sharpness probe)
 * and 541 MiB for the largest process of a smoke run of the ResNet-110 w8 probe claims
 * (heavy-tailed-gradients, divergence-vs-step-size); the wasm heap grows in steps and never shrinks.
 * At the paper profile, or on a GPU, set BN_WORKERS instead.
 */
export const WORKER_MEMORY = 1 * GiB;
/** vitest's main process (the claims reporter, the figures) and the rest of the machine. */
export const MAIN_MEMORY = 0.5 * GiB;

export interface Machine {
  cores: number;
  /** bytes free now */
  free: number;
  /** the cgroup's memory limit in bytes, 0 or absurdly large when there is none */
  limit: number;
}

function thisMachine(): Machine {
  const constrained = (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.() ?? 0;
  return { cores: os.availableParallelism(), free: os.freemem(), limit: constrained };
}

/** The default number of workers on `m`, and why (for the training phase's first line). */
export function defaultWorkers(m: Machine = thisMachine()): { workers: number; why: string } {
  const limited = m.limit > 0 && m.limit < Number.MAX_SAFE_INTEGER;
  const memory = limited ? Math.min(m.free, m.limit) : m.free;
  const fit = Math.max(1, Math.floor((memory - MAIN_MEMORY) / WORKER_MEMORY));
  const workers = Math.min(m.cores, fit);
  const gib = (b: number) => `${(b / GiB).toFixed(1)} GiB`;
  const mem = `${gib(memory)} ${limited && m.limit < m.free ? 'memory limit' : 'free'}`;
  return {
    workers,
    why: fit < m.cores ? `${m.cores} cores, but ${mem} fits ${fit} at ${gib(WORKER_MEMORY)} each` : `${m.cores} cores, ${mem}`,
  };
}

/** BN_WORKERS, else the default; with the reason, for the log. */
export function claimsWorkers(m?: Machine): { workers: number; why: string } {
  const set = config().workers;
  return set !== undefined ? { workers: set, why: 'BN_WORKERS' } : defaultWorkers(m);
}
