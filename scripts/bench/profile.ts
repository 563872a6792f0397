/**
 * `npm run bench:profile`: where one training step's time goes, per kernel, for the training
 * claims' nets (TRAINING_SCALES: ResNet-56 width 4 at 14x14, batch 64; and width 8, issue 14's
 * case), with and without BN, on the active backend.
 *
 * tf.profile runs the step once and lists every kernel it dispatched with its time (on wasm the
 * kernels run synchronously, so a kernel's time is its wall time), the bytes it allocated and its
 * input/output shapes; composite ops it also lists (whose time includes their kernels') are left
 * out. Per kernel name: count, total ms, share of the step, MB allocated. The step's
 * wall time (median of timed steps outside the profiler) against the sum of the kernel times
 * splits it into kernels and the rest: op dispatch in JS (tfjs's engine bookkeeping, autodiff's
 * tape, tensor creation and disposal) and the optimiser's JS. Writes profile.json to the reports
 * folder (BN_REPORTS_DIR).
 *
 *   BN_PROFILE_STEPS=5   timed steps per case for the wall time (after two warm-up steps)
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '../../src/backend';
import { config, profileSteps, reportsDir } from '../../src/config';
import { buildResNet } from '../../src/nets/resnet';
import type { BnOnOff } from '../../src/nets/types';
import { TRAINING_SCALES } from '../../src/profile';
import { PAPER_SGD } from '../../src/train/recipe';
import { median } from '../../src/stats/moments';
import { Sgd } from '../../src/train/sgd';
import { trainStep } from '../../src/train/train';

interface Row {
  kernel: string;
  count: number;
  ms: number;
  share: number;
  mbAllocated: number;
}
interface CaseProfile {
  case: string;
  batch: number;
  wallMs: number;
  kernelMs: number;
  kernelShare: number;
  kernels: number;
  rows: Row[];
}

async function profileCase(name: string, depth: number, width: number, bn: BnOnOff, batch: number, steps: number): Promise<CaseProfile> {
  const net = buildResNet({ depth, width, inChannels: 1, bn, seed: 0 });
  const opt = new Sgd(net.params, net.decayed, PAPER_SGD);
  const x = tf.randomNormal([batch, 14, 14, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
  const y = tf.tensor1d(
    Int32Array.from({ length: batch }, (_, i) => i % 10),
    'int32',
  );
  try {
    for (let i = 0; i < 2; i++) await trainStep(net, opt, x, y, 0.01); // warm-up
    const walls: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      await trainStep(net, opt, x, y, 0.01);
      walls.push(performance.now() - t0);
    }
    const info = await tf.profile(async () => {
      await trainStep(net, opt, x, y, 0.01);
      return [];
    });
    const by = new Map<string, Row>();
    let kernelMs = 0;
    const backend = tf.getBackend();
    for (const k of info.kernels) {
      // the profiler also lists composite ops (customGrad's `forward`, `…__op` wrappers) whose time
      // includes the kernels they call: only the backend's registered kernels are summed
      const composite = tf.getKernel(k.name, backend) === undefined;
      const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      if (composite) continue;
      kernelMs += ms;
      const r = by.get(k.name) ?? { kernel: k.name, count: 0, ms: 0, share: 0, mbAllocated: 0 };
      r.count++;
      r.ms += ms;
      r.mbAllocated += k.bytesAdded / 2 ** 20;
      by.set(k.name, r);
    }
    const calls = [...by.values()].reduce((a, r) => a + r.count, 0);
    const wallMs = median(walls);
    const rows = [...by.values()].sort((a, b) => b.ms - a.ms);
    for (const r of rows) r.share = r.ms / wallMs;
    return { case: name, batch, wallMs, kernelMs, kernelShare: kernelMs / wallMs, kernels: calls, rows };
  } finally {
    tf.dispose([x, y]);
    opt.dispose();
    net.dispose();
  }
}

async function main() {
  const steps = profileSteps();
  const info = await initBackend(config().backend);
  const S = TRAINING_SCALES.full;
  const cases: CaseProfile[] = [];
  for (const width of [S.width, 8])
    for (const bn of ['all', 'none'] as const satisfies readonly BnOnOff[]) {
      const p = await profileCase(`ResNet-${S.depth} w${width} 14x14 bn=${bn}`, S.depth, width, bn, S.batch, steps);
      cases.push(p);
      console.log(
        `\n${p.case}, batch ${p.batch}, ${info.name}: step ${p.wallMs.toFixed(1)} ms (median of ${steps}); ${p.kernels} kernel calls, ${p.kernelMs.toFixed(1)} ms in kernels (${(100 * p.kernelShare).toFixed(0)} %), ${(p.wallMs - p.kernelMs).toFixed(1)} ms outside them (dispatch, autodiff, allocation, optimiser JS)`,
      );
      console.log('kernel'.padEnd(28) + 'calls'.padStart(7) + 'ms'.padStart(9) + '% step'.padStart(8) + 'MB alloc'.padStart(10));
      for (const r of p.rows.slice(0, 14))
        console.log(
          r.kernel.padEnd(28) +
            String(r.count).padStart(7) +
            r.ms.toFixed(1).padStart(9) +
            (100 * r.share).toFixed(1).padStart(8) +
            r.mbAllocated.toFixed(1).padStart(10),
        );
    }
  const file = join(reportsDir(), 'profile.json');
  mkdirSync(reportsDir(), { recursive: true });
  writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), backend: info, node: process.version, cases }, null, 2) + '\n');
  console.log(`\nwritten to ${file}`);
}

main().catch((e) => {
  console.error(`profile failed: ${(e as Error).message}`);
  process.exit(1);
});
