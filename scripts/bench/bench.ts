/**
 * `npm run bench`: throughput of a full SGD training step (forward, backward, momentum update;
 * batch 128, or the training claims' own batch for their rows) on the active backend (BN_BACKEND),
 * for the networks the claims train (the init claims' ResNets at the paper's geometry, and the
 * training claims' ResNets, each arm, at the smoke and full profiles), and the same
 * step on the pure-JS cpu backend for the ratio (time-boxed: one step, or none if too slow).
 * Prints a table and writes bench.json to the reports folder (BN_REPORTS_DIR; with peak resident memory, and the CPU: its model
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
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend, releaseBackend, type BackendInfo } from '../../src/backend';
import { probeWebGpu, type AdapterSummary } from '../../src/backend/webgpu';
import { benchSettings, config, reportsDir } from '../../src/config';
import { writeFileAtomic } from '../../src/report/atomic';
import { PAPER_SGD } from '../../src/train/recipe';
import { BATCH, CASES, CPU_BATCH, timeSteps, truePeak, type Case, type Result } from './cases';
import { describeCpu } from './cpu';
import { sameNetCheck, torchComparison, torchPython } from './torch';

/** `webgpu (software)`, `webgpu (ampere)`: the architecture says whether a figure is a GPU's. */
function webgpuLabel(a: AdapterSummary): string {
  return `webgpu (${a.architecture || a.vendor || 'unknown'}${a.hardware || a.architecture === 'software' ? '' : ', not a GPU'})`;
}

function label(info: BackendInfo): string {
  return info.adapter ? webgpuLabel(info.adapter) : info.name;
}

async function main() {
  const settings = benchSettings();
  const { steps, only } = settings;
  const info = await initBackend(config().backend);
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
  console.log(`training step, batch ${BATCH}, SGD momentum ${PAPER_SGD.momentum}, weight decay ${PAPER_SGD.weightDecay}, BN on every conv`);
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
  const py = !settings.torch || torchRows.length === 0 ? undefined : torchPython(settings.python);
  const sameNet = py && 'python' in py ? await sameNetCheck(py.python) : undefined;
  const gpu = onWebgpu || !settings.webgpu ? undefined : await probeWebGpu();
  if (gpu?.ok) {
    const wg = await initBackend('webgpu');
    const c = CASES[0]!;
    const hw = gpu.adapter.hardware;
    record(c, label(wg), await timeSteps(c, hw ? steps : 1, hw ? 60 : 600, hw ? BATCH : CPU_BATCH, undefined), gpu.adapter, undefined);
    releaseBackend();
  } else if (gpu && !gpu.ok) console.log(`no webgpu row: ${gpu.why}`);
  if (settings.cpu && info.name !== 'cpu' && only === undefined) {
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
  const file = join(reportsDir(), 'bench.json');
  mkdirSync(reportsDir(), { recursive: true });
  writeFileAtomic(file, JSON.stringify(summary, null, 2) + '\n');
  console.log(`peak RSS ${summary.peakRssMiB} MiB; speed-up over cpu: ${summary.speedupOverCpu?.toFixed(1) ?? 'n/a'}×; written to ${file}`);
}

main().catch((e) => {
  console.error(`bench failed: ${(e as Error).message}`);
  process.exit(1);
});
