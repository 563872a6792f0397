/**
 * `npm run bench`: throughput of a full SGD training step (forward, backward, momentum update;
 * batch 128, or the training claims' own batch for their rows) on the active backend (BN_BACKEND),
 * for the networks the claims train (the init claims' ResNets at the paper's geometry, and the
 * training claims' ResNets, each arm, at the smoke and full profiles), and the same
 * step on the pure-JS cpu backend for the ratio (time-boxed: one step, or none if too slow).
 * Prints a table and writes reports/bench.json (with peak resident memory, and the CPU: its model
 * and widest vector extension, which a ratio against PyTorch depends on).
 *
 * WebGPU: when Dawn finds an adapter and the active backend is another, one more row times the
 * smallest case on it, labelled with the adapter's architecture (`webgpu (software)` for Mesa's
 * lavapipe: a CPU rasteriser, not a GPU; batch 16 and one step there, as it runs ~12× slower than
 * wasm). With BN_BACKEND=webgpu every case runs on it. Every backend times the claims' own
 * training step (src/train trainStep: it reads the loss and the count asynchronously, as webgpu
 * under Node requires); the device is destroyed at the end.
 *
 * PyTorch side by side: where a Python with torch is found (BN_BENCH_PYTHON, else `python3`, else
 * /usr/bin/python3: Debian's python3-torch), scripts/bench/torch-step.py times the same step of the
 * same nets (its docstring says how each layer maps) on one CPU thread, for the cases marked
 * `torch` below, and the bench prints and records project/PyTorch per case, with both parameter
 * counts (they must agree: the same architecture). Without torch it says so in one line.
 *
 *   BN_BENCH_STEPS=5     timed steps per case (after one warm-up step)
 *   BN_BENCH_CPU=0       skip the cpu comparison
 *   BN_BENCH_WEBGPU=0    skip the webgpu row
 *   BN_BENCH_TORCH=0     skip the PyTorch rows
 *   BN_BENCH_ONLY=torch  only the cases with a PyTorch row (and those rows)
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, releaseBackend, type BackendInfo } from '../backend';
import { probeWebGpu, type AdapterSummary } from '../backend/webgpu';
import { describeCpu } from './cpu';
import { config } from '../config';
import { forwardFlopsPerImage } from '../nets/flops';
import { buildResNet } from '../nets/resnet';
import { writeFileAtomic } from '../report/atomic';
import { Sgd } from '../train/sgd';
import { trainStep } from '../train/train';
import { TRAINING_SCALES } from '../runs';

interface Case {
  name: string;
  depth: number;
  width: number;
  hw: number;
  channels: number;
  bn: 'all' | 'none' | 'final';
  microBatch?: number;
  batch?: number;
  /** timed in PyTorch too (scripts/bench/torch-step.py), for the ratio */
  torch?: boolean;
}
/**
 * The training claims' own workloads (TRAINING_SCALES: net, width, batch, Fashion-MNIST at 14x14),
 * each arm they train, once per distinct scale (smoke and full train the same net at the same
 * batch: one row, labelled with both).
 */
function trainingCases(): Case[] {
  const byScale = new Map<string, { profiles: string[]; depth: number; width: number; batch: number }>();
  for (const p of ['smoke', 'full'] as const) {
    const S = TRAINING_SCALES[p];
    const key = `${S.depth}|${S.width}|${S.batch}`;
    const e = byScale.get(key) ?? { profiles: [], depth: S.depth, width: S.width, batch: S.batch };
    e.profiles.push(p);
    byScale.set(key, e);
  }
  return [...byScale.values()].flatMap((S) =>
    (['all', 'none', 'final'] as const).map((bn): Case => ({
      name: `${S.profiles.join(', ')}: ResNet-${S.depth} w${S.width} 14x14 bn=${bn}`,
      depth: S.depth,
      width: S.width,
      hw: 14,
      channels: 1,
      bn,
      batch: S.batch,
      torch: bn !== 'final',
    })),
  );
}
const CASES: Case[] = [
  { name: 'ResNet-20 32x32x3', depth: 20, width: 16, hw: 32, channels: 3, bn: 'all', torch: true },
  { name: 'ResNet-20 28x28x1', depth: 20, width: 16, hw: 28, channels: 1, bn: 'all' },
  // batch 128 of ResNet-56 needs ~6 GiB of activations, over the wasm heap's 4 GiB: 4 × 32 accumulated
  { name: 'ResNet-56 32x32x3', depth: 56, width: 16, hw: 32, channels: 3, bn: 'all', microBatch: 32 },
  ...trainingCases(),
  // the training claims' net at twice the width: the convolutions weigh more against BN
  ...(['all', 'none'] as const).map((bn): Case => ({
    name: `ResNet-56 w8 14x14 bn=${bn}`,
    depth: 56,
    width: 8,
    hw: 14,
    channels: 1,
    bn,
    batch: 64,
    torch: true,
  })),
];
const BATCH = 128;

interface Result {
  case: string;
  backend: string;
  batch: number;
  steps: number;
  secondsPerStep: number;
  imagesPerSecond: number;
  gflops: number;
  rowPeakRssMiB?: number;
  params?: number;
  adapter?: AdapterSummary;
}
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
/**
 * The pure-JS cpu backend takes ~18 minutes for one ResNet-20 28x28 step at batch 128: it is
 * timed at batch 16, where its images/s are the same (measured 2026-12-01: 1093.6 s at 128 and
 * 136.5 s at 16, 0.117 img/s both), so the comparison takes ~2 minutes.
 */
const CPU_BATCH = 16;

let peakRss = process.memoryUsage().rss;
// the largest resident size sampled during the current row (after its warm-up and each step)
let rowPeak = 0;
// maxRSS (KiB) is the true peak of the process, not just what the samples after each step saw
const truePeak = () => Math.max(peakRss, process.resourceUsage().maxRSS * 1024);
const sampleRss = () => {
  const rss = process.memoryUsage().rss;
  peakRss = Math.max(peakRss, rss);
  rowPeak = Math.max(rowPeak, rss);
};

/**
 * The claims' training step: forward, backward, the loss and count read back (which waits for a
 * GPU to finish the pass), the momentum update. Micro-batches only where the case asks for them
 * (they exist for the wasm heap's 4 GiB), so never on webgpu.
 */
async function step(
  net: ReturnType<typeof buildResNet>,
  opt: Sgd,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  microBatch: number | undefined,
): Promise<void> {
  await trainStep(net, opt, x, y, 0.01, { microBatch });
}

async function timeSteps(
  c: Case,
  steps: number,
  timeBoxSeconds: number,
  batch = BATCH,
  microBatch = c.microBatch,
): Promise<{ secondsPerStep: number; steps: number; flopsPerStep: number; batch: number; rowPeakRssMiB: number; params: number }> {
  rowPeak = 0;
  const net = buildResNet({ depth: c.depth, width: c.width, inChannels: c.channels, bn: c.bn, seed: 0 });
  const opt = new Sgd(net.params, net.decayed, { momentum: 0.9, weightDecay: 5e-4 });
  const x = tf.randomNormal([batch, c.hw, c.hw, c.channels], 0, 1, 'float32', 1) as tf.Tensor4D;
  const y = tf.tensor1d(
    Int32Array.from({ length: batch }, (_, i) => i % 10),
    'int32',
  );
  const flopsPerStep = 3 * batch * forwardFlopsPerImage(net, [c.hw, c.hw, c.channels]);
  const params = [...net.params.values()].reduce((a, v) => a + v.size, 0);
  const warm = performance.now();
  await step(net, opt, x, y, microBatch); // warm-up (kernel compilation, allocations)
  sampleRss();
  const warmSeconds = (performance.now() - warm) / 1000;
  const n = warmSeconds > timeBoxSeconds ? 0 : Math.max(1, Math.min(steps, Math.floor(timeBoxSeconds / warmSeconds)));
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    await step(net, opt, x, y, microBatch);
    sampleRss();
  }
  const secondsPerStep = n ? (performance.now() - t0) / 1000 / n : warmSeconds;
  x.dispose();
  y.dispose();
  opt.dispose();
  net.dispose();
  return { secondsPerStep, steps: n || 1, flopsPerStep, batch, rowPeakRssMiB: Math.round(rowPeak / 2 ** 20), params };
}

const TORCH_SCRIPT = fileURLToPath(new URL('../../scripts/bench/torch-step.py', import.meta.url));

/**
 * A Python that imports torch: BN_BENCH_PYTHON, else `python3`, else Debian's /usr/bin/python3
 * (where python3-torch installs; a pyenv or venv `python3` earlier on PATH may lack it).
 */
function torchPython(): { python: string } | { why: string } {
  const candidates = [...new Set([process.env.BN_BENCH_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p))];
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
interface SameNet {
  id: string;
  params: number;
  maxAbsDiff: number;
  scale: number;
  agree: boolean;
}

async function sameNetCheck(python: string): Promise<SameNet[] | { why: string }> {
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

/** `webgpu (software)`, `webgpu (ampere)`: the architecture says whether a figure is a GPU's. */
function webgpuLabel(a: AdapterSummary): string {
  return `webgpu (${a.architecture || a.vendor || 'unknown'}${a.hardware || a.architecture === 'software' ? '' : ', not a GPU'})`;
}

function label(info: BackendInfo): string {
  return info.adapter ? webgpuLabel(info.adapter) : info.name;
}

async function main() {
  const steps = Number(process.env.BN_BENCH_STEPS ?? 5);
  if (!Number.isInteger(steps) || steps < 1)
    throw new Error(`BN_BENCH_STEPS="${process.env.BN_BENCH_STEPS}" is not valid: expected a positive integer`);
  const info = await initBackend(config().backend);
  const only = process.env.BN_BENCH_ONLY;
  if (only !== undefined && only !== 'torch')
    throw new Error(`BN_BENCH_ONLY="${only}" is not valid: expected torch (only the cases with a PyTorch row)`);
  const cases = only === 'torch' ? CASES.filter((c) => c.torch) : CASES;
  const results: Result[] = [];
  const record = (
    c: Case,
    backend: string,
    r: Omit<Awaited<ReturnType<typeof timeSteps>>, 'rowPeakRssMiB'> & { rowPeakRssMiB?: number },
    adapter: AdapterSummary | undefined,
    microBatch: number | undefined,
  ) => {
    const res: Result = {
      case: microBatch ? `${c.name} (micro-batches of ${microBatch})` : c.name,
      backend,
      batch: r.batch,
      steps: r.steps,
      secondsPerStep: r.secondsPerStep,
      imagesPerSecond: r.batch / r.secondsPerStep,
      gflops: r.flopsPerStep / r.secondsPerStep / 1e9,
      params: r.params,
      ...(r.rowPeakRssMiB !== undefined ? { rowPeakRssMiB: r.rowPeakRssMiB } : {}),
      ...(adapter ? { adapter } : {}),
    };
    results.push(res);
    const rss = r.rowPeakRssMiB !== undefined ? `, RSS ≤ ${r.rowPeakRssMiB} MiB` : '';
    console.log(
      `${res.case.padEnd(40)} ${backend.padEnd(10)} ${res.imagesPerSecond.toFixed(1).padStart(8)} img/s ${res.gflops.toFixed(2).padStart(7)} GFLOP/s  (batch ${r.batch}, ${r.steps} steps, ${r.secondsPerStep.toFixed(3)} s/step${rss})`,
    );
    return res;
  };
  const projectRows = new Map<Case, Result>();
  const cpu = describeCpu();
  console.log(`CPU: ${cpu.model}, widest vector extension ${cpu.vector}, ${cpu.cores} cores (wasm SIMD is 128-bit on any CPU)`);
  console.log(`training step, batch ${BATCH}, SGD momentum 0.9, weight decay 5e-4, BN on every conv`);
  const onWebgpu = info.name === 'webgpu';
  const softwareAdapter = onWebgpu && !info.adapter?.hardware;
  // a software adapter runs ResNet-20 at a few img/s: only that case, at batch 16, one timed step
  // after the warm-up (its figure is for telling it apart from a GPU, not for comparing nets)
  if (softwareAdapter) console.log('software adapter (not a GPU): ResNet-20 32x32x3 only, batch 16');
  for (const c of softwareAdapter ? cases.slice(0, 1) : cases) {
    const r = await timeSteps(
      c,
      softwareAdapter ? 1 : steps,
      softwareAdapter ? 600 : 60,
      softwareAdapter ? CPU_BATCH : (c.batch ?? BATCH),
      onWebgpu ? undefined : c.microBatch,
    );
    const row = record(c, label(info), r, info.adapter, onWebgpu ? undefined : c.microBatch);
    if (!softwareAdapter) projectRows.set(c, row);
  }
  // PyTorch: found now, its nets checked against the project's on the active backend; timed at the end
  const torchRows = [...projectRows].filter(([c]) => c.torch);
  const py = process.env.BN_BENCH_TORCH === '0' || torchRows.length === 0 ? undefined : torchPython();
  const sameNet = py && 'python' in py ? await sameNetCheck(py.python) : undefined;
  const gpu = onWebgpu || process.env.BN_BENCH_WEBGPU === '0' ? undefined : await probeWebGpu();
  if (gpu?.ok) {
    const wg = await initBackend('webgpu');
    const c = CASES[0]!;
    const hw = gpu.adapter.hardware;
    record(c, label(wg), await timeSteps(c, hw ? steps : 1, hw ? 60 : 600, hw ? BATCH : CPU_BATCH, undefined), gpu.adapter, undefined);
    releaseBackend();
  } else if (gpu && !gpu.ok) console.log(`no webgpu row: ${gpu.why}`);
  if (process.env.BN_BENCH_CPU !== '0' && info.name !== 'cpu' && only === undefined) {
    await initBackend('cpu');
    // the pure-JS backend takes minutes per ResNet step: one step of the smallest case at CPU_BATCH
    const c = CASES[1]!;
    record(c, 'cpu', await timeSteps(c, 1, 0, CPU_BATCH, c.microBatch), undefined, undefined);
  }
  releaseBackend();
  const pytorch = py ? torchComparison(py, sameNet, torchRows, steps, label(info), results) : undefined;
  const ratio = results.filter((r) => r.case === CASES[1]!.name && (r.backend === label(info) || r.backend === 'cpu'));
  const summary = {
    date: new Date().toISOString(),
    backend: info,
    node: process.version,
    cpus: cpu.cores,
    cpu,
    batch: BATCH,
    results,
    speedupOverCpu: ratio.length === 2 ? ratio[0]!.imagesPerSecond / ratio[1]!.imagesPerSecond : null,
    ...(pytorch ? { pytorch } : {}),
    peakRssMiB: Math.round(truePeak() / 2 ** 20),
  };
  mkdirSync('reports', { recursive: true });
  writeFileAtomic('reports/bench.json', JSON.stringify(summary, null, 2) + '\n');
  console.log(
    `peak RSS ${summary.peakRssMiB} MiB; speed-up over cpu: ${summary.speedupOverCpu?.toFixed(1) ?? 'n/a'}×; written to reports/bench.json`,
  );
}

/**
 * Times the cases in PyTorch (one thread), adds their rows to `results`, prints project/PyTorch per
 * case with both parameter counts, and returns what bench.json records; says in one line why not
 * when there is no torch.
 */
function torchComparison(
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

main().catch((e) => {
  console.error(`bench failed: ${(e as Error).message}`);
  process.exit(1);
});
