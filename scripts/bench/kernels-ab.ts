/**
 * `npm run bench:kernels`: the training step with the project's wasm kernels (src/backend/
 * wasm-module.ts and the kernels on it) against the same step without them (tfjs's kernels and
 * the routes of conv.ts, batchnorm.ts's JS loops: what BN_WASM_KERNELS=0 runs), interleaved in one
 * process (A, B, A, B, ...) on the same net and batch, so that a busy machine slows both alike.
 * Prints the median and the minimum of each, and their ratio.
 *
 *   npm run bench:kernels -- [pairs] [cases]     cases: comma-separated, e.g. w4all,w4none,w8all,r20all
 *
 * wNall / wNnone: the training claims' ResNet-56 at width N, 14x14x1, batch 64, BN on every conv
 * or none; r20all: ResNet-20 32x32x3, batch 128, BN.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend';
import { setWasmKernels } from '../../src/backend/wasm-module';
import { buildResNet } from '../../src/nets/resnet';
import { median } from '../../src/stats/moments';
import { PAPER_SGD } from '../../src/train/recipe';
import { Sgd } from '../../src/train/sgd';
import { trainStep } from '../../src/train/train';
import { setEnv } from '../../src/config';

const pairs = Number(process.argv[2] ?? 10);
const cases = (process.argv[3] ?? 'w4all,w4none,w8all,w8none,r20all').split(',');

async function main(): Promise<void> {
  if (!Number.isInteger(pairs) || pairs < 1) throw new Error(`pairs must be a positive integer, got ${process.argv[2]}`);
  setEnv({ BN_QUIET: '1' });
  await initBackend('wasm');
  console.log(`wasm training step, old (kernels off) and new (on) interleaved, ${pairs} pairs after 2 warm-up pairs; ms`);
  for (const c of cases) {
    const m = /^(?:w(\d+)|(r20))(all|none)$/.exec(c);
    if (!m) throw new Error(`unknown case ${c}: expected wNall, wNnone, r20all or r20none`);
    const r20 = m[2] !== undefined;
    const [depth, width, hw, ch, batch] = r20 ? [20, 16, 32, 3, 128] : [56, Number(m[1]), 14, 1, 64];
    const net = buildResNet({ depth, width, inChannels: ch, bn: m[3] as 'all' | 'none', seed: 0 });
    const opt = new Sgd(net.params, net.decayed, PAPER_SGD);
    const x = tf.randomNormal([batch, hw, hw, ch], 0, 1, 'float32', 1) as tf.Tensor4D;
    const y = tf.tensor1d(
      Int32Array.from({ length: batch }, (_, i) => i % 10),
      'int32',
    );
    const times = { old: [] as number[], new: [] as number[] };
    for (let r = -2; r < pairs; r++)
      for (const mode of ['old', 'new'] as const) {
        setWasmKernels(mode === 'new');
        const t0 = performance.now();
        await trainStep(net, opt, x, y, 0.01);
        if (r >= 0) times[mode].push(performance.now() - t0);
      }
    setWasmKernels(true);
    const [o, n] = [median(times.old), median(times.new)];
    console.log(
      `${`ResNet-${depth} w${width} ${hw}x${hw}x${ch} bs${batch} bn=${m[3]}`.padEnd(36)} old ${o.toFixed(1).padStart(7)} new ${n.toFixed(1).padStart(7)} (${(o / n).toFixed(2)}×); min old ${Math.min(...times.old).toFixed(1)} new ${Math.min(...times.new).toFixed(1)}`,
    );
    tf.dispose([x, y]);
    opt.dispose();
    net.dispose();
  }
}

main().catch((e) => {
  console.error(`bench:kernels failed: ${(e as Error).message}`);
  process.exit(1);
});
