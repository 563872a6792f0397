/**
 * Milliseconds per forward / input gradient (dx) / filter gradient (dw) on the wasm backend for
 * the CIFAR ResNet's conv shapes: tfjs's own kernels, conv.ts's routes (forward convs of
 * transposed tensors) and the project's wasm SIMD kernels (conv-wasm.ts), in src/backend.
 *
 *   npx tsx scripts/conv-timing.ts [reps]
 *
 * tf's dx is tf.conv2dTranspose (the Conv2DBackpropInput kernel its autodiff uses); tf has no
 * dw on wasm (no Conv2DBackpropFilter kernel: tf.grad through tf.conv2d throws). Each number is
 * the minimum and the median over `reps` runs (default 7) after one warm-up: the minimum is the
 * op's own cost, the median shows how much a busy machine (other processes sharing the two
 * cores and memory bandwidth) adds. Inputs are fresh tensors per run where the op would see
 * fresh ones in training (dy, and so the conv kernel built from it, changes every step).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { axisGeometry, conv2d, convFilterGrad, convInputGrad } from '../src/backend/conv';
import { convFilterGradient, convForward, convInputGradient, type Axis } from '../src/backend/conv-wasm';
import { matMul } from '../src/backend/matmul';
import { initWasmKernels, setWasmKernels } from '../src/backend/wasm-module';

const reps = Number(process.argv[2] ?? 7);

function time(f: () => unknown): { min: number; med: number } {
  tf.tidy(() => void f());
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    tf.tidy(() => void f()); // wasm kernels run synchronously: no read-back needed (it would add ~4 ms/MB)
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  const min = ts[0];
  const med = ts[ts.length >> 1];
  if (min === undefined || med === undefined)
    throw new RangeError(`conv-timing: no timings to report: the repetition count must be at least 1, got ${reps}`);
  return { min, med };
}

const fmt = (t: { min: number; med: number }) => `${t.min.toFixed(1).padStart(6)} (${t.med.toFixed(1).padStart(6)})`;

interface Shape {
  name: string;
  B: number;
  H: number;
  C: number;
  O: number;
  k: 1 | 3;
  s: 1 | 2;
}
const shapes: Shape[] = [
  { name: '3x3 s1 14x14  4→4', B: 64, H: 14, C: 4, O: 4, k: 3, s: 1 },
  { name: '3x3 s2 14x14  4→8', B: 64, H: 14, C: 4, O: 8, k: 3, s: 2 },
  { name: '3x3 s1  4x4 16→16', B: 64, H: 4, C: 16, O: 16, k: 3, s: 1 },
  { name: '3x3 s1 32x32 16→16', B: 128, H: 32, C: 16, O: 16, k: 3, s: 1 },
  { name: '3x3 s2 32x32 16→32', B: 128, H: 32, C: 16, O: 32, k: 3, s: 2 },
  { name: '3x3 s1 16x16 32→32', B: 128, H: 16, C: 32, O: 32, k: 3, s: 1 },
  { name: '3x3 s1  8x8  64→64', B: 128, H: 8, C: 64, O: 64, k: 3, s: 1 },
  { name: '1x1 s2 32x32 16→32', B: 128, H: 32, C: 16, O: 32, k: 1, s: 2 },
];

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  await initWasmKernels();
  setWasmKernels(false); // conv2d's routes; the own kernels are called directly below
  console.log(
    `wasm backend, SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT')}, batch 128 (64 at 14x14 and 4x4: the training claims' batch), 'same' padding; ms: min (median) of ${reps}`,
  );
  console.log("tf's dw: n/a — wasm has no Conv2DBackpropFilter kernel (tf.grad through tf.conv2d throws)");
  // Warm-up: the first large allocations grow the wasm heap, which would be charged to row 1.
  tf.tidy(() => {
    const x = tf.randomNormal([128, 32, 32, 16]) as tf.Tensor4D,
      w = tf.randomNormal([3, 3, 16, 16]) as tf.Tensor4D;
    tf.grads((a: tf.Tensor, b: tf.Tensor) => conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'))(
      [x, w],
      tf.randomNormal([128, 32, 32, 16]),
    );
    tf.conv2dTranspose(x, w, [128, 32, 32, 16], 1, 'same');
  });
  const cols = ['fwd tf', 'fwd own', 'dx tf', 'dx route', 'dx own', 'dw route', 'dw own', 'fwd+bwd route'];
  console.log(`${'conv'.padEnd(20)} ${cols.map((c) => c.padStart(15)).join(' ')}`);
  for (const sh of shapes) {
    const x = tf.randomNormal([sh.B, sh.H, sh.H, sh.C]) as tf.Tensor4D;
    const w = tf.randomNormal([sh.k, sh.k, sh.C, sh.O]) as tf.Tensor4D;
    const g = axisGeometry(sh.H, sh.k, sh.s, 'same');
    const dy0 = tf.randomNormal([sh.B, g.out, g.out, sh.O]) as tf.Tensor4D;
    const fresh = () => tf.add(dy0, 0) as tf.Tensor4D; // a new tensor id each run (~0.5 ms), as in training
    const a: Axis = [g.n, g.k, g.s, g.out, g.before];
    const own = sh.k === 3;
    const none = { min: NaN, med: NaN };
    const fwd = time(() => tf.conv2d(x, w, sh.s, 'same'));
    const fwdOwn = own ? time(() => convForward(x, w, a, a)) : none;
    const dxMine = time(() => convInputGrad(fresh(), w, g, g));
    const dxOwn = own ? time(() => convInputGradient(fresh(), w, a, a)) : none;
    const dxTf = time(() => tf.conv2dTranspose(fresh(), w, [sh.B, sh.H, sh.H, sh.C], sh.s, 'same'));
    const dwMine = time(() => convFilterGrad(x, fresh(), g, g));
    const dwOwn = own ? time(() => convFilterGradient(x, fresh(), a, a)) : none;
    const both = time(() =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => conv2d(a as tf.Tensor4D, b as tf.Tensor4D, sh.s, 'same'))([x, w], fresh()),
    );
    console.log(`${sh.name.padEnd(20)} ${[fwd, fwdOwn, dxTf, dxMine, dxOwn, dwMine, dwOwn, both].map(fmt).join(' ')}`);
    tf.dispose([x, w, dy0]);
  }

  console.log(
    `\n${'matmul a[m,k]·b[k,n]'.padEnd(24)} ${'forward'.padStart(15)} ${'fwd+bwd mine'.padStart(15)} ${'fwd+bwd tf'.padStart(15)}`,
  );
  for (const [m, k, n] of [
    [128, 784, 100],
    [128, 100, 100],
    [128, 64, 10],
    [131072, 16, 16],
  ] as const) {
    const a = tf.randomNormal([m, k]) as tf.Tensor2D,
      b = tf.randomNormal([k, n]) as tf.Tensor2D;
    const dy = tf.randomNormal([m, n]) as tf.Tensor2D;
    const fwd = time(() => tf.matMul(a, b));
    const mine = time(() => tf.grads((p: tf.Tensor, q: tf.Tensor) => matMul(p as tf.Tensor2D, q as tf.Tensor2D))([a, b], tf.add(dy, 0)));
    const theirs = time(() =>
      tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.matMul(p as tf.Tensor2D, q as tf.Tensor2D))([a, b], tf.add(dy, 0)),
    );
    console.log(`${`${m}x${k} · ${k}x${n}`.padEnd(24)} ${fmt(fwd)} ${fmt(mine)} ${fmt(theirs)}`);
    tf.dispose([a, b, dy]);
  }
  console.log('(fwd+bwd: tf.grads of the op with a given dy: forward, dx and dw together)');
}

await main();
