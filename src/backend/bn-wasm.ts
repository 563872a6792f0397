/**
 * The passes over the data of batchnorm.ts's two kernels as wasm SIMD loops, for channel counts
 * that are a multiple of 4 (every BN layer of the claims' nets): per-channel sums, then the
 * per-element affine map. The per-channel arithmetic between them (C numbers) stays in JS, in
 * float64, exactly as batchnorm.ts's array version does it.
 *
 * Why: those JS loops were the largest cost of a BN net's step after the convolutions; a wasm
 * loop does four channels per instruction with no bounds checks or float64 conversions.
 *
 * Sums are two-level: float32 over up to 256 pixels (of x shifted by its first pixel, or of dy),
 * then added into float64 totals, so n = 50k pixels lose no more than the JS version's float64
 * sums do in practice (batchnorm.test.ts checks |μ| = 1e4·σ). Deterministic: a fixed order.
 */
import { forLoop, get, i32, locals, moduleText, offsetOf, scratch, wasmBackend, wasmKernelsReady, wasmModule } from './wasm-module';
import type * as tf from '@tensorflow/tfjs';

/** Whether the wasm passes serve a BN layer of c channels now. */
export function bnWasmCovers(c: number): boolean {
  return c % 4 === 0 && wasmKernelsReady();
}

const CHUNK = 256;
/** Vector groups (4 channels each) one pass over the data handles at most: their constants stay in registers. */
const BLOCK = 4;

/** The passes over blocks of at most `block` channel groups: `body(g0, gb)` for each block. */
function blocks(C: number, block: number, body: (g0: number, gb: number) => string): string {
  let s = '';
  for (let g0 = 0; g0 < C / 4; g0 += block) s += body(g0, Math.min(block, C / 4 - g0));
  return s;
}

/**
 * dy where y > 0, NaN where y is NaN, else 0: ReLU's gradient, as relu.ts computes it (the BN
 * output y = relu(…) is saved). Uses the local $t.
 */
const reluMask = (dy: string, y: string) =>
  `(block (result v128) (local.set $t ${y}) (v128.or (v128.and ${dy} (f32x4.gt ${get('t')} (v128.const i32x4 0 0 0 0))) (f32x4.ne ${get('t')} ${get('t')})))`;

/** Fold f32x4 partial sums `$v` into the float64 totals at `$out + off` (two f64x2). */
const fold = (v: string, off: number) => `
(v128.store (i32.add ${get('out')} ${i32(off)}) (f64x2.add (v128.load (i32.add ${get('out')} ${i32(off)})) (f64x2.promote_low_f32x4 ${get(v)})))
(v128.store (i32.add ${get('out')} ${i32(off + 16)}) (f64x2.add (v128.load (i32.add ${get('out')} ${i32(off + 16)}))
  (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 ${get(v)} ${get(v)}))))`;

/**
 * `sums(a, b, n, out)` over n pixels of C channels: with `shifted`, s = Σ(a − a[0]), q = Σ(a − a[0])²
 * (forward: a = x); else s = Σa, q = Σa·(b − μ) with μ the f32 [C] at out + 16C (backward: a = dy,
 * b = x). Totals as float64 [C] at out (s) and out + 8C (q).
 */
function sumsFunction(C: number, shifted: boolean, masked = false): string {
  const body = blocks(C, BLOCK, (g0, gb) => {
    const vs = Array.from({ length: gb }, (_, g) => g);
    let init = '';
    for (const g of vs)
      init += shifted
        ? `(local.set $k${g} (v128.load (i32.add ${get('a')} ${i32((g0 + g) * 16)})))\n`
        : `(local.set $k${g} (v128.load (i32.add ${get('out')} ${i32(16 * C + (g0 + g) * 16)})))\n`;
    let pixel = '';
    for (const g of vs) {
      const a = `(v128.load (i32.add ${get('pa')} ${i32((g0 + g) * 16)}))`;
      if (shifted) {
        pixel += `(local.set $d (f32x4.sub ${a} ${get(`k${g}`)}))
(local.set $s${g} (f32x4.add ${get(`s${g}`)} ${get('d')}))
(local.set $q${g} (f32x4.add ${get(`q${g}`)} (f32x4.mul ${get('d')} ${get('d')})))\n`;
      } else {
        pixel += `(local.set $d ${masked ? reluMask(a, `(v128.load (i32.add ${get('pm')} ${i32((g0 + g) * 16)}))`) : a})
(local.set $s${g} (f32x4.add ${get(`s${g}`)} ${get('d')}))
(local.set $q${g} (f32x4.add ${get(`q${g}`)} (f32x4.mul ${get('d')} (f32x4.sub (v128.load (i32.add ${get('pb')} ${i32((g0 + g) * 16)})) ${get(`k${g}`)}))))\n`;
      }
    }
    let chunk = '';
    for (const g of vs) chunk += `(local.set $s${g} (v128.const i32x4 0 0 0 0)) (local.set $q${g} (v128.const i32x4 0 0 0 0))\n`;
    chunk += `(local.set $len (select ${get('rem')} ${i32(CHUNK)} (i32.lt_u ${get('rem')} ${i32(CHUNK)})))
(local.set $rem (i32.sub ${get('rem')} ${get('len')}))
(loop $px
${pixel}
(local.set $pa (i32.add ${get('pa')} ${i32(C * 4)})) (local.set $pb (i32.add ${get('pb')} ${i32(C * 4)})) (local.set $pm (i32.add ${get('pm')} ${i32(C * 4)}))
(local.set $len (i32.sub ${get('len')} (i32.const 1)))
(br_if $px ${get('len')}))\n`;
    for (const g of vs) chunk += fold(`s${g}`, (g0 + g) * 32) + fold(`q${g}`, 8 * C + (g0 + g) * 32) + '\n';
    return `${init}(local.set $pa ${get('a')}) (local.set $pb ${get('b')}) (local.set $pm ${get('m')}) (local.set $rem ${get('n')})
(loop $chunks
${chunk}
(br_if $chunks ${get('rem')}))\n`;
  });
  const g = Array.from({ length: BLOCK }, (_, i) => i);
  return `(func $sums (param $a i32) (param $b i32) (param $m i32) (param $n i32) (param $out i32)
${locals('i32', ['pa', 'pb', 'pm', 'rem', 'len'])} ${locals('v128', [...g.map((i) => `k${i}`), ...g.map((i) => `s${i}`), ...g.map((i) => `q${i}`), 'd', 't'])}
(memory.fill ${get('out')} (i32.const 0) ${i32(16 * C)})
${body})`;
}

/**
 * `affine(a, b, y, n, coef)`: with `two`, y = a·k0 + (b − k1)·k2 + k3 (backward: a = dy, b = x);
 * else y = (a − k1)·k2 + k3 (forward: a = x). k0..k3 are f32 [C] at coef, coef + 4C, ….
 */
function affineFunction(C: number, two: boolean, relu = false): string {
  const per = two ? 4 : 3;
  const block = two ? BLOCK / 2 : BLOCK;
  const body = blocks(C, block, (g0, gb) => {
    const vs = Array.from({ length: gb }, (_, g) => g);
    let init = '';
    for (const g of vs)
      for (let k = 4 - per; k < 4; k++)
        init += `(local.set $c${k}_${g} (v128.load (i32.add ${get('coef')} ${i32(k * 4 * C + (g0 + g) * 16)})))\n`;
    let pixel = '';
    for (const g of vs) {
      const at = (p: string) => `(v128.load (i32.add ${get(p)} ${i32((g0 + g) * 16)}))`;
      const centred = two ? `(f32x4.sub ${at('pb')} ${get(`c1_${g}`)})` : `(f32x4.sub ${at('pa')} ${get(`c1_${g}`)})`;
      let v = `(f32x4.add (f32x4.mul ${centred} ${get(`c2_${g}`)}) ${get(`c3_${g}`)})`;
      if (two) v = `(f32x4.add (f32x4.mul ${relu ? reluMask(at('pa'), at('pm')) : at('pa')} ${get(`c0_${g}`)}) ${v})`;
      else if (relu) v = `(f32x4.max ${v} (v128.const i32x4 0 0 0 0))`;
      pixel += `(v128.store (i32.add ${get('py')} ${i32((g0 + g) * 16)}) ${v})\n`;
    }
    return `${init}(local.set $pa ${get('a')}) (local.set $pb ${get('b')}) (local.set $pm ${get('m')}) (local.set $py ${get('y')})
${forLoop('i', get('n'), `${pixel}${['pa', 'pb', 'pm', 'py'].map((p) => `(local.set $${p} (i32.add ${get(p)} ${i32(C * 4)}))`).join(' ')}`)}\n`;
  });
  const cs = Array.from({ length: block }, (_, g) => Array.from({ length: per }, (_, k) => `c${4 - per + k}_${g}`)).flat();
  return `(func $affine (param $a i32) (param $b i32) (param $m i32) (param $y i32) (param $n i32) (param $coef i32)
${locals('i32', ['i', 'pa', 'pb', 'pm', 'py'])} ${locals('v128', [...cs, 't'])}
${body})`;
}

type Run = (...args: number[]) => void;

function bnModule(C: number) {
  const m = wasmModule(`bn:${C}`, () => {
    const funcs = [
      sumsFunction(C, true).replace('$sums', '$shiftedSums'),
      sumsFunction(C, false).replace('$sums', '$gradSums'),
      sumsFunction(C, false, true).replace('$sums', '$gradSumsRelu'),
      affineFunction(C, false).replace('$affine', '$normalise'),
      affineFunction(C, false, true).replace('$affine', '$normaliseRelu'),
      affineFunction(C, true).replace('$affine', '$backward'),
      affineFunction(C, true, true).replace('$affine', '$backwardRelu'),
    ];
    return moduleText(...funcs);
  });
  return m as Record<'shiftedSums' | 'gradSums' | 'gradSumsRelu' | 'normalise' | 'normaliseRelu' | 'backward' | 'backwardRelu', Run>;
}

/** A float32 view of a tensor's data: only after every allocation (one may grow, and so detach, the heap). */
const view = (t: tf.TensorInfo, size: number) => new Float32Array(wasmBackend().wasm.asm.memory.buffer, offsetOf(t), size);

/**
 * BN forward over x [n, C] into y (tensors on the wasm heap, y, mean, variance and rstd already
 * allocated): writes y and the statistics and returns the channels whose statistics are not finite
 * (the caller makes them NaN, as batchnorm.ts's array version does).
 */
export function bnForwardWasm(
  t: Record<'x' | 'y' | 'gamma' | 'beta' | 'mean' | 'variance' | 'rstd', tf.TensorInfo>,
  n: number,
  C: number,
  eps: number,
  relu: boolean,
): number[] {
  const m = bnModule(C);
  const sc = scratch(32 * C);
  m.shiftedSums(offsetOf(t.x), 0, 0, n, sc);
  const buf = wasmBackend().wasm.asm.memory.buffer;
  const [s, q] = [new Float64Array(buf, sc, C), new Float64Array(buf, sc + 8 * C, C)];
  const coef = new Float32Array(buf, sc + 16 * C, 4 * C); // (unused), mean, γr, β
  const [first, gamma, beta, mean, variance, rstd] = [t.x, t.gamma, t.beta, t.mean, t.variance, t.rstd].map((u) => view(u, C));
  const nonFinite: number[] = [];
  for (let j = 0; j < C; j++) {
    const mu = s[j]! / n;
    const v = Math.max(q[j]! / n - mu * mu, 0);
    const r = 1 / Math.sqrt(v + eps);
    mean![j] = coef[C + j] = first![j]! + mu;
    variance![j] = v;
    rstd![j] = r;
    coef[2 * C + j] = gamma![j]! * r;
    coef[3 * C + j] = beta![j]!;
    if (!Number.isFinite(mu) || !Number.isFinite(v) || !Number.isFinite(gamma![j]! * r + beta![j]!)) nonFinite.push(j);
  }
  (relu ? m.normaliseRelu : m.normalise)(offsetOf(t.x), 0, 0, offsetOf(t.y), n, sc + 16 * C);
  return nonFinite;
}

/**
 * BN backward (dx, dγ, dβ already allocated): the formula of bn-arrays.ts's bnBackwardArrays,
 * dβ = Σdy, S = Σdy·(x − μ), dγ = r·S, dx = dy·γr + (x − μ)·(−γr³S/n) − γr·dβ/n.
 */
export function bnBackwardWasm(
  t: Record<'dy' | 'x' | 'mean' | 'rstd' | 'gamma' | 'dx' | 'dgamma' | 'dbeta', tf.TensorInfo> & { y?: tf.TensorInfo },
  n: number,
  C: number,
): void {
  const m = bnModule(C);
  const sc = scratch(32 * C);
  const buf = wasmBackend().wasm.asm.memory.buffer;
  const [mean, rstd, gamma, dgamma, dbeta] = [t.mean, t.rstd, t.gamma, t.dgamma, t.dbeta].map((u) => view(u, C));
  new Float32Array(buf, sc + 16 * C, C).set(mean!);
  const mask = t.y ? offsetOf(t.y) : 0;
  (t.y ? m.gradSumsRelu : m.gradSums)(offsetOf(t.dy), offsetOf(t.x), mask, n, sc);
  const [sdy, sdyx] = [new Float64Array(buf, sc, C), new Float64Array(buf, sc + 8 * C, C)];
  const coef = new Float32Array(buf, sc + 16 * C, 4 * C); // γr, μ, k1, k0
  for (let j = 0; j < C; j++) {
    const r = rstd![j]!;
    const gr = gamma![j]! * r;
    dbeta![j] = sdy[j]!;
    dgamma![j] = sdyx[j]! * r;
    coef[j] = gr;
    coef[C + j] = mean![j]!;
    coef[2 * C + j] = (-gr * r * r * sdyx[j]!) / n;
    coef[3 * C + j] = (-gr * sdy[j]!) / n;
  }
  (t.y ? m.backwardRelu : m.backward)(offsetOf(t.dy), offsetOf(t.x), mask, offsetOf(t.dx), n, sc + 16 * C);
}
