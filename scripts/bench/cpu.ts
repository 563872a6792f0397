/**
 * The CPU a bench ran on, for its record: the model and the widest vector extension it has. A
 * ratio against PyTorch depends on it: PyTorch's oneDNN uses AVX-512 where the CPU has it, four
 * times the 128 bits of wasm's SIMD, which is the same on every CPU.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

export interface CpuSummary {
  model: string;
  /** the widest of AVX-512 (avx512f), AVX2, AVX, SSE4.2 (x86), SVE, NEON (asimd; ARM); 'unknown' without /proc/cpuinfo */
  vector: string;
  cores: number;
}

const WIDEST: [flag: string, name: string][] = [
  ['avx512f', 'AVX-512'],
  ['avx2', 'AVX2'],
  ['avx', 'AVX'],
  ['sse4_2', 'SSE4.2'],
  ['sve', 'SVE'],
  ['asimd', 'NEON'],
];

/** Model and widest vector extension from the text of /proc/cpuinfo (its first processor). */
export function parseCpuinfo(text: string): Pick<CpuSummary, 'model' | 'vector'> {
  const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim();
  const flags = new Set((field('flags') ?? field('Features') ?? '').split(/\s+/));
  return {
    model: field('model name') ?? field('Model') ?? field('CPU part') ?? 'unknown',
    vector: WIDEST.find(([flag]) => flags.has(flag))?.[1] ?? 'unknown',
  };
}

export function describeCpu(): CpuSummary {
  let parsed: Pick<CpuSummary, 'model' | 'vector'> = { model: cpus()[0]?.model ?? 'unknown', vector: 'unknown' };
  try {
    const fromFile = parseCpuinfo(readFileSync('/proc/cpuinfo', 'utf8'));
    parsed = { model: fromFile.model === 'unknown' ? parsed.model : fromFile.model, vector: fromFile.vector };
  } catch {
    // no /proc/cpuinfo (not Linux): the model from Node, the vector width unknown
  }
  return { ...parsed, cores: cpus().length };
}
