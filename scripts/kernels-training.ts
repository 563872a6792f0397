/**
 * A training run's numbers with the project's wasm kernels off (main's paths) and on, from the
 * same seed: ResNet-56 width 4 on the claims' data (the active BN_DATA: 2048 training images, at
 * the active profile's resolution), `steps` steps at batch 64, the loss per step side by side. A control measures
 * how much the trajectory itself amplifies a float32 rounding: the old path with the stem's
 * weights scaled by (1 + 1e-7). docs/kernels.md has a run of it.
 *
 *   npx tsx scripts/kernels-training.ts [steps] [arms]     arms: e.g. all:0.1,all:0.01,none:0.01 (BN placement:lr)
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend';
import { setWasmKernels } from '../src/backend/wasm-module';
import { claimData, makeResNet } from '../src/setup';
import { train } from '../src/train';
import { setEnv } from '../src/config';

const steps = Number(process.argv[2] ?? 30);
const arms = (process.argv[3] ?? 'all:0.1,all:0.01,none:0.01').split(',');

async function run(bn: 'all' | 'none', lr: number, mode: 'old' | 'new' | 'control'): Promise<{ losses: number[]; testAcc: number | null }> {
  setWasmKernels(mode === 'new');
  const data = claimData({ trainLimit: 2048, testLimit: 1000 });
  const net = makeResNet({ depth: 56, width: 4, bn, seed: 0, data: data.train });
  try {
    if (mode === 'control') {
      const stem = net.params.get('stem')!;
      stem.assign(tf.tidy(() => stem.mul(1 + 1e-7)));
    }
    const r = await train(
      net,
      { train: data.train, test: data.test },
      {
        epochs: 1,
        batchSize: 64,
        schedule: { kind: 'step', lr, factor: 0.1, at: [0.5] },
        seed: 0,
        maxSteps: steps,
        evaluateEachEpoch: false,
        progress: false,
      },
    );
    return { losses: r.losses, testAcc: r.final.testAcc };
  } finally {
    net.dispose();
    setWasmKernels(true);
  }
}

async function main(): Promise<void> {
  setEnv({ BN_QUIET: '1' });
  await initBackend('wasm');
  const rel = (a: number[], b: number[]) => a.map((v, i) => Math.abs(v - b[i]!) / Math.abs(v));
  const fmt = (d: number[]) => d.map((v) => v.toExponential(0)).join(' ');
  for (const arm of arms) {
    const [bn, lr] = [arm.split(':')[0] as 'all' | 'none', Number(arm.split(':')[1])];
    const [old, neu, control] = [await run(bn, lr, 'old'), await run(bn, lr, 'new'), await run(bn, lr, 'control')];
    const [dn, dc] = [rel(old.losses, neu.losses), rel(old.losses, control.losses)];
    console.log(
      `bn=${bn} lr=${lr}: loss at step 1 old ${old.losses[0]} new ${neu.losses[0]}; at step ${steps} old ${old.losses.at(-1)} new ${neu.losses.at(-1)} control ${control.losses.at(-1)}`,
    );
    console.log(
      `  max relative |Δloss| new-old ${Math.max(...dn).toExponential(2)}, control-old ${Math.max(...dc).toExponential(2)}; test accuracy old ${old.testAcc} new ${neu.testAcc} control ${control.testAcc}`,
    );
    console.log(`  per step, new-old:     ${fmt(dn)}`);
    console.log(`  per step, control-old: ${fmt(dc)}`);
  }
}

main().catch((e) => {
  console.error(`kernels-training failed: ${(e as Error).message}`);
  process.exit(1);
});
