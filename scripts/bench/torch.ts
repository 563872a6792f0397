/**
 * PyTorch side by side: a Python with torch (BN_BENCH_PYTHON, else `python3`, else
 * /usr/bin/python3: Debian's python3-torch), scripts/bench/torch-step.py timing the same step of
 * the same nets on one CPU thread, the check that its net is the project's (the project's
 * parameters loaded into it give the same training-mode logits), and the comparison rows.
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildResNet } from '../../src/nets/resnet';
import { BATCH, type Case, type Result } from './cases';

/** One workload in the project and in PyTorch: images/s of each, their ratio, both parameter counts. */
interface TorchComparison {
  case: string;
  batch: number;
  project: number;
  pytorch: number;
  ratio: number;
  projectParams: number;
  pytorchParams: number;
  paramsAgree: boolean;
}
const TORCH_SCRIPT = fileURLToPath(new URL('./torch-step.py', import.meta.url));

/**
 * A Python that imports torch: BN_BENCH_PYTHON, else `python3`, else Debian's /usr/bin/python3
 * (where python3-torch installs; a pyenv or venv `python3` earlier on PATH may lack it).
 */
export function torchPython(first: string | undefined): { python: string } | { why: string } {
  const candidates = [...new Set([first, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p))];
  for (const python of candidates) if (spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) return { python };
  return { why: `no Python with torch found (tried ${candidates.join(', ')}; on Debian: apt-get install python3-torch)` };
}

interface TorchRun {
  torch: string;
  threads: number;
  /** the vector instructions PyTorch's kernels use here ("CPU capability usage" in torch.__config__.show()) */
  cpuCapability?: string;
  results: { id: string; params: number; secondsPerStep: number; steps: number; imagesPerSecond: number }[];
}

/** The same cases' step in PyTorch, on one thread, with the same step count and time box. */
function runTorch(python: string, cases: Case[], steps: number, timeBox: number): TorchRun | { why: string } {
  const spec = {
    steps,
    timeBox,
    cases: cases.map((c) => ({
      id: c.name,
      depth: c.depth,
      width: c.width,
      hw: c.hw,
      channels: c.channels,
      bn: c.bn,
      batch: c.batch ?? BATCH,
    })),
  };
  const r = spawnSync(python, [TORCH_SCRIPT, JSON.stringify(spec)], { encoding: 'utf8', timeout: 30 * 60_000, maxBuffer: 2 ** 24 });
  if (r.status !== 0)
    return { why: `${python} ${TORCH_SCRIPT} failed: ${(r.error?.message ?? r.stderr.trim().split('\n').pop()) || `exit ${r.status}`}` };
  return JSON.parse(r.stdout) as TorchRun;
}

/**
 * The check that the PyTorch script builds the project's net: small ResNets of both BN arms, at a
 * side where the stride-2 'same' padding is asymmetric (14) and an odd one (9). Their parameters,
 * an input and the project's training-mode logits go to the script (--check), which loads the
 * parameters into its own net and compares the logits.
 */
const SAME_NET_CASES = [
  { id: 'ResNet-20 w4 14x14x1 bn=all', depth: 20, width: 4, hw: 14, channels: 1, bn: 'all' as const },
  { id: 'ResNet-20 w4 9x9x3 bn=none', depth: 20, width: 4, hw: 9, channels: 3, bn: 'none' as const },
];
export interface SameNet {
  id: string;
  params: number;
  maxAbsDiff: number;
  scale: number;
  agree: boolean;
}

export async function sameNetCheck(python: string): Promise<SameNet[] | { why: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'bn-bench-'));
  try {
    const cases = [];
    for (const c of SAME_NET_CASES) {
      const net = buildResNet({ depth: c.depth, width: c.width, inChannels: c.channels, bn: c.bn, seed: 3 });
      const x = tf.randomNormal([4, c.hw, c.hw, c.channels], 0, 1, 'float32', 7);
      const logits = tf.tidy(() => net.forward(x, { training: true }));
      const params: Record<string, { shape: number[]; values: number[] }> = {};
      for (const [k, v] of net.params) params[k] = { shape: v.shape, values: Array.from(await v.data()) };
      cases.push({ ...c, x: Array.from(await x.data()), logits: Array.from(await logits.data()), params });
      tf.dispose([x, logits]);
      net.dispose();
    }
    const file = join(dir, 'nets.json');
    writeFileSync(file, JSON.stringify({ cases }));
    const r = spawnSync(python, [TORCH_SCRIPT, '--check', file], { encoding: 'utf8', timeout: 5 * 60_000 });
    if (r.status !== 0)
      return {
        why: `${python} ${TORCH_SCRIPT} --check failed: ${(r.error?.message ?? r.stderr.trim().split('\n').pop()) || `exit ${r.status}`}`,
      };
    const out = JSON.parse(r.stdout) as { cases: Omit<SameNet, 'agree'>[] };
    return out.cases.map((k) => ({ ...k, agree: k.maxAbsDiff <= 1e-4 * Math.max(1, k.scale) }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Times the cases in PyTorch (one thread), adds their rows to `results`, prints project/PyTorch per
 * case with both parameter counts, and returns what bench.json records; says in one line why not
 * when there is no torch.
 */
export function torchComparison(
  py: ReturnType<typeof torchPython>,
  sameNet: SameNet[] | { why: string } | undefined,
  rows: [Case, Result][],
  steps: number,
  projectLabel: string,
  results: Result[],
):
  | {
      python: string;
      torch: string;
      threads: number;
      cpuCapability?: string;
      sameNet: SameNet[] | { why: string } | undefined;
      comparisons: TorchComparison[];
    }
  | { skipped: string } {
  if ('why' in py) {
    console.log(`no PyTorch rows: ${py.why}`);
    return { skipped: py.why };
  }
  const run = runTorch(
    py.python,
    rows.map(([c]) => c),
    steps,
    60,
  );
  if ('why' in run) {
    console.log(`no PyTorch rows: ${run.why}`);
    return { skipped: run.why };
  }
  const backend = `pytorch (${run.threads} thread${run.threads === 1 ? '' : 's'})`;
  console.log(
    `\nPyTorch ${run.torch} on the CPU, ${run.threads} thread${run.threads === 1 ? '' : 's'}${run.cpuCapability ? `, its kernels using ${run.cpuCapability}` : ''} (${py.python} ${TORCH_SCRIPT.replace(process.cwd() + '/', '')}): the same nets and step`,
  );
  if (sameNet && 'why' in sameNet) console.log(`same net? not checked: ${sameNet.why}`);
  else if (sameNet)
    for (const k of sameNet)
      console.log(
        `same net? ${k.id}, the project's parameters in PyTorch: logits ${k.agree ? 'agree' : 'DIFFER'} (max |difference| ${k.maxAbsDiff.toExponential(1)}, largest logit ${k.scale.toFixed(2)}; ${k.params} parameters)`,
      );
  const comparisons: TorchComparison[] = [];
  for (const [c, ours] of rows) {
    const t = run.results.find((r) => r.id === c.name);
    if (!t) continue;
    const flopsPerStep = ours.gflops * 1e9 * ours.secondsPerStep;
    results.push({
      case: c.name,
      backend,
      batch: ours.batch,
      steps: t.steps,
      secondsPerStep: t.secondsPerStep,
      imagesPerSecond: t.imagesPerSecond,
      gflops: flopsPerStep / t.secondsPerStep / 1e9,
      params: t.params,
    });
    comparisons.push({
      case: c.name,
      batch: ours.batch,
      project: ours.imagesPerSecond,
      pytorch: t.imagesPerSecond,
      ratio: ours.imagesPerSecond / t.imagesPerSecond,
      projectParams: ours.params!,
      pytorchParams: t.params,
      paramsAgree: ours.params === t.params,
    });
  }
  console.log(
    `${'case'.padEnd(40)} ${projectLabel.padStart(10)} ${'pytorch'.padStart(9)}  ${'ratio'.padStart(6)}  parameters (project, pytorch)`,
  );
  for (const k of comparisons)
    console.log(
      `${k.case.padEnd(40)} ${k.project.toFixed(1).padStart(10)} ${k.pytorch.toFixed(1).padStart(9)}  ${k.ratio.toFixed(2).padStart(5)}×  ${k.projectParams}, ${k.pytorchParams}${k.paramsAgree ? ' (agree)' : ' DIFFER: not the same net'}`,
    );
  console.log('(img/s; ratio = project / PyTorch)');
  return { python: py.python, torch: run.torch, threads: run.threads, cpuCapability: run.cpuCapability, sameNet, comparisons };
}
