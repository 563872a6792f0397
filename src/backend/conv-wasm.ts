/**
 * 3x3 convolutions (stride 1 or 2, NHWC) as wasm SIMD kernels of the project's own, generated per
 * shape: the forward conv, its input gradient (dx) and its filter gradient (dw).
 *
 * Why: tfjs-backend-wasm has no filter-gradient kernel, so conv.ts builds dw from a forward conv
 * of transposed tensors (and dx from one of a flipped, transposed kernel): the transposes and the
 * flip are passes of their own, and XNNPACK computes 8 output channels at a time (half of it
 * padding at 4) and rebuilds its operator every step. Here each is one kernel call with the
 * shape's sizes and offsets as constants, vectorised over the output channels (a multiple of 4):
 * f32x4 accumulators in registers, each input value broadcast once per (tap, channel), every loop
 * body one step of its reduction (see LIVE).
 *
 *   forward — out[b,i,j,:] = Σ_{ky,kx,c} xp[i·s+ky, j·s+kx, c] · w[ky,kx,c,:], xp = image b padded
 *             into a scratch block (zeros around it: no bounds tests in the loops).
 *   dx      — the same gather, run per stride phase: padded-input row p = i + before receives
 *             dy[(p − ky)/s] · w[ky]ᵀ from the taps ky ≡ p (mod s) only, so each phase class of
 *             dx pixels is a dense conv of padded dy with its own taps (no zero-dilated dy). Any
 *             number of input channels: computed padded to a multiple of 4, then narrowed.
 *   dw      — dw[ky,kx,c,:] = Σ_{b,i,j} xp[i·s+ky, j·s+kx, c] · dy[b,i,j,:]: a reduction over
 *             the pixels, accumulators for a few taps × input channels × up to 16 output
 *             channels in registers while the pixels of one image stream past.
 *
 * The forward kernel carries its gradient (tf.registerGradient): the tape asks only for what it
 * needs. Sums run in a fixed order (deterministic), in float32 like XNNPACK's. Checked against the
 * cpu backend's autodiff in conv-wasm.test.ts; used by conv.ts where covers() says so.
 */
import * as tf from '@tensorflow/tfjs';
import {
  at,
  bump,
  countdown,
  forLoop,
  get,
  i32,
  locals,
  madd,
  offsetOf,
  padFunction,
  kernelOnce,
  moduleText,
  scratch,
  wasmBackend,
  wasmModule,
} from './wasm-module';

/** One spatial axis: [input size, kernel size, stride, output size, padding before]. */
export type Axis = [n: number, k: number, s: number, out: number, before: number];

/**
 * Whether the kernels compute a conv with these axes and `dest` output channels (a multiple of 4;
 * for dx, any number of input channels: it computes them padded to a multiple of 4).
 */
export function covers(h: Axis, w: Axis, dest: number | 'dx'): boolean {
  return h[1] === 3 && w[1] === 3 && h[2] === w[2] && (h[2] === 1 || h[2] === 2) && (dest === 'dx' || (dest % 4 === 0 && dest > 0));
}

/**
 * Vector values one loop iteration may keep live (accumulators, broadcasts, weights): V8 gives wasm
 * xmm0–xmm14 on x64 (a 4-channel tile of 7 pixels uses all 15 without a spill, by its disassembly).
 * A loop body stays small, one step of the reduction: TurboFan sinks pure
 * arithmetic to the end of a basic block and would keep every load of a long unrolled body live
 * at once (spilled to the stack); a loop's accumulators pin the arithmetic to its iteration.
 */
const LIVE = 15;

// ---------------------------------------------------------------------------------------------
// The gather conv (forward and dx): dest pixels of one class read padded source pixels at fixed
// tap offsets.

interface AxisClass {
  out0: number; // first dest index
  step: number; // dest index step
  count: number;
  inStep: number; // padded-source index step per dest step
  taps: { off: number; k: number }[]; // padded-source offset of the first dest pixel, kernel index
}

/** Forward: dest i reads padded-source rows i·s + k. */
function forwardAxis([n, k, s, out, before]: Axis): { classes: AxisClass[]; padded: number; top: number } {
  const taps = Array.from({ length: k }, (_, t) => ({ off: t, k: t }));
  return { classes: [{ out0: 0, step: 1, count: out, inStep: s, taps }], padded: Math.max(n + before, (out - 1) * s + k), top: before };
}

/** dx: input index i gets dy[(i + before − k)/s] · w[k] for the taps with i + before ≡ k (mod s). */
function inputGradAxis([n, k, s, out, before]: Axis): { classes: AxisClass[]; padded: number; top: number } {
  const raw = [];
  for (let r = 0; r < s; r++) {
    const i0 = (((r - before) % s) + s) % s;
    if (i0 >= n) continue;
    const count = Math.ceil((n - i0) / s);
    const taps = [];
    for (let t = 0; t < k; t++) if ((i0 + before - t) % s === 0) taps.push({ off: (i0 + before - t) / s, k: t });
    raw.push({ out0: i0, step: s, count, inStep: 1, taps });
  }
  const lo = Math.min(0, ...raw.flatMap((c) => c.taps.map((t) => t.off)));
  const hi = Math.max(out, ...raw.flatMap((c) => c.taps.map((t) => t.off + c.count)));
  const classes = raw.map((c) => ({ ...c, taps: c.taps.map((t) => ({ off: t.off - lo, k: t.k })) }));
  return { classes, padded: hi - lo, top: -lo };
}

interface GatherShape {
  srcImage: number; // bytes of one source image, unpadded
  Cs: number; // source channels
  Cd: number; // dest channels, a multiple of 4
  Hd: number;
  Wd: number;
  Hp: number; // padded source
  Wp: number;
  /** the weight block [Cs, Cd] that kernel tap (ky, kx) uses: its index in the kernel's layout */
  weight: (ky: number, kx: number) => number;
  rows: AxisClass[];
  cols: AxisClass[];
}

/** Vector groups (of 4 channels) a block works on: 4, 2 or 1, dividing g. */
const groupBlock = (g: number) => (g % 4 === 0 ? 4 : g % 2 === 0 ? 2 : 1);

/**
 * `conv(src, w, dst, B, xp)`: src [B,Hs,Ws,Cs], each image padded into xp [Hp,Wp,Cs] in turn,
 * w [taps][Cs][Cd], dst [B,Hd,Wd,Cd]. A tile is
 * P dest pixels × Gb vectors of dest channels; the taps whose source pixels and weight blocks
 * follow each other run as one loop over (tap, source channel), one channel per iteration.
 */
function gatherFunction(g: GatherShape): string {
  const { Cs, Cd, Hd, Wd, Wp } = g;
  const Gd = Cd / 4;
  const Gb = groupBlock(Gd);
  const Pmax = Math.floor((LIVE - Gb) / (Gb + 1));
  let body = '';
  for (const rc of g.rows)
    for (const cc of g.cols) {
      // runs of taps: consecutive source pixels in a row with consecutive weight blocks
      const runs: { off: number; w: number; n: number }[] = [];
      for (const r of rc.taps)
        for (const c of [...cc.taps].sort((a, b) => a.off - b.off)) {
          const off = (r.off * Wp + c.off) * Cs * 4,
            w = g.weight(r.k, c.k);
          const last = runs[runs.length - 1];
          if (last && off === last.off + last.n * Cs * 4 && w === last.w + last.n) last.n++;
          else runs.push({ off, w, n: 1 });
        }
      const P = Math.ceil(cc.count / Math.ceil(cc.count / Pmax)); // tiles of equal size where possible
      for (let og = 0; og < Gd / Gb; og++) {
        const tile = (p: number): string => {
          const acc = (x: number, q: number) => `a${x * Gb + q}`;
          let t = '';
          for (let a = 0; a < p * Gb; a++) t += `(local.set $a${a} (v128.const i32x4 0 0 0 0))\n`;
          for (const run of runs) {
            let step = '';
            for (let q = 0; q < Gb; q++) step += `(local.set $w${q} (v128.load ${at('pw', q * 16)}))\n`;
            for (let x = 0; x < p; x++) {
              step += `(local.set $s (v128.load32_splat ${at('ps', x * cc.inStep * Cs * 4)}))\n`;
              for (let q = 0; q < Gb; q++) step += madd(acc(x, q), get('s'), get(`w${q}`)) + '\n';
            }
            t += `(local.set $ps ${at('pc', run.off)}) (local.set $pw ${at('w', (run.w * Cs * Cd + og * Gb * 4) * 4)})\n`;
            t += countdown('n', run.n * Cs, `${step}${bump('ps', 4)} ${bump('pw', Cd * 4)}`);
          }
          for (let x = 0; x < p; x++)
            for (let q = 0; q < Gb; q++) t += `(v128.store ${at('dc', (x * cc.step * Cd + (og * Gb + q) * 4) * 4)} ${get(acc(x, q))})\n`;
          return t;
        };
        const full = Math.floor(cc.count / P),
          rem = cc.count % P;
        const advance = (p: number) => `${bump('pc', p * cc.inStep * Cs * 4)} ${bump('dc', p * cc.step * Cd * 4)}`;
        let row = `(local.set $pc ${get('pr')}) (local.set $dc ${get('dr')})\n`;
        if (full > 0) row += full === 1 ? tile(P) + advance(P) : forLoop('j', i32(full), tile(P) + advance(P));
        if (rem > 0) row += tile(rem);
        body += `(local.set $pr ${get('xp')})
(local.set $dr (i32.add ${get('dst')} (i32.add (i32.mul ${get('b')} ${i32(Hd * Wd * Cd * 4)}) ${i32((rc.out0 * Wd + cc.out0) * Cd * 4)})))
${forLoop('i', i32(rc.count), `${row}${bump('pr', rc.inStep * Wp * Cs * 4)} ${bump('dr', rc.step * Wd * Cd * 4)}`)}\n`;
      }
    }
  const accs = Array.from({ length: Pmax * Gb }, (_, a) => `a${a}`);
  const ws = Array.from({ length: Gb }, (_, q) => `w${q}`);
  return `(func $conv (param $src i32) (param $w i32) (param $dst i32) (param $B i32) (param $xp i32)
${locals('i32', ['b', 'i', 'j', 'n', 'pr', 'dr', 'pc', 'dc', 'ps', 'pw'])} ${locals('v128', [...accs, ...ws, 's'])}
${forLoop('b', get('B'), `(call $pad (i32.add ${get('src')} (i32.mul ${get('b')} ${i32(g.srcImage)})) ${get('xp')})\n${body}`)})`;
}

// ---------------------------------------------------------------------------------------------
// The filter gradient: a reduction over pixels into registers.

/**
 * `dw(x, dy, dw, B, xp)`: x [B,H,W,C], each image padded into xp [·,Wp,C] in turn, dy [B,Ho,Wo,O]
 * → dw [3,3,C,O]. A block is T taps of one kernel row (3, or 1) × nc consecutive input channels ×
 * Gb vectors of output channels, its accumulators in registers while every pixel of one image
 * passes (one pixel per iteration); the blocks of an image run one after another, accumulating
 * into dw.
 */
function filterGradFunction(C: number, O: number, Ho: number, Wo: number, Wp: number, s: number, imageBytes: number): string {
  const G = O / 4;
  const Gb = groupBlock(G);
  // the largest block whose live values (Gb dy vectors, T·nc splats, T·nc·Gb accumulators) fit
  let best = { T: 1, nc: 1 };
  for (const T of [1, 3])
    for (let nc = 1; nc <= C; nc++) if (C % nc === 0 && Gb + T * nc * (Gb + 1) <= LIVE && T * nc > best.T * best.nc) best = { T, nc };
  const { T, nc } = best;
  const acc = (t: number, c: number, q: number) => `a${(t * nc + c) * Gb + q}`;
  let body = '';
  for (let t0 = 0; t0 < 9; t0 += T)
    for (let og = 0; og < G / Gb; og++) {
      const taps = Array.from({ length: T }, (_, t) => ({ ky: Math.floor((t0 + t) / 3), kx: (t0 + t) % 3 }));
      const accAddr = (t: number, c: number, q: number) => ((taps[t]!.ky * 3 + taps[t]!.kx) * C * O + c * O + (og * Gb + q) * 4) * 4;
      let pixel = '';
      for (let q = 0; q < Gb; q++) pixel += `(local.set $d${q} (v128.load ${at('qc', (og * Gb + q) * 16)}))\n`;
      taps.forEach((tp, t) => {
        for (let c = 0; c < nc; c++) {
          pixel += `(local.set $s (v128.load32_splat ${at('pc', ((tp.ky * Wp + tp.kx) * C + c) * 4)}))\n`;
          for (let q = 0; q < Gb; q++) pixel += madd(acc(t, c, q), get('s'), get(`d${q}`)) + '\n';
        }
      });
      let block = '';
      taps.forEach((_, t) => {
        for (let c = 0; c < nc; c++)
          for (let q = 0; q < Gb; q++) block += `(local.set $${acc(t, c, q)} (v128.load ${at('pdw', accAddr(t, c, q))}))\n`;
      });
      block += `(local.set $pc (i32.add ${get('pxb')} (i32.mul ${get('c')} ${i32(nc * 4)}))) (local.set $qc ${get('qb')})\n`;
      block += forLoop(
        'i',
        i32(Ho),
        `${countdown('n', Wo, `${pixel}${bump('pc', s * C * 4)} ${bump('qc', O * 4)}`)}\n${bump('pc', (s * Wp - Wo * s) * C * 4)}`,
      );
      taps.forEach((_, t) => {
        for (let c = 0; c < nc; c++)
          for (let q = 0; q < Gb; q++) block += `(v128.store ${at('pdw', accAddr(t, c, q))} ${get(acc(t, c, q))})\n`;
      });
      body += forLoop('c', i32(C / nc), `(local.set $pdw (i32.add ${get('dw')} (i32.mul ${get('c')} ${i32(nc * O * 4)})))\n${block}`);
    }
  const accs = Array.from({ length: T * nc * Gb }, (_, a) => `a${a}`);
  return `(func $dw (param $x i32) (param $dy i32) (param $dw i32) (param $B i32) (param $xp i32)
${locals('i32', ['b', 'i', 'n', 'c', 'pxb', 'qb', 'pc', 'qc', 'pdw'])} ${locals('v128', [...accs, ...Array.from({ length: Gb }, (_, q) => `d${q}`), 's'])}
(memory.fill ${get('dw')} (i32.const 0) ${i32(9 * C * O * 4)})
(local.set $pxb ${get('xp')}) (local.set $qb ${get('dy')})
${forLoop('b', get('B'), `(call $pad ${get('x')} ${get('xp')}) ${bump('x', imageBytes)}\n${body}${bump('qb', Ho * Wo * O * 4)}`)})`;
}

// ---------------------------------------------------------------------------------------------
// Modules and kernels.

const FORWARD = 'Conv3x3Forward',
  INPUT_GRAD = 'Conv3x3InputGrad',
  FILTER_GRAD = 'Conv3x3FilterGrad';

type Run = (...args: number[]) => void;

const forwardModule = (h: Axis, w: Axis, C: number, O: number) =>
  kernelOnce(`fwd:${h}:${w}:${C}:${O}`, () => {
    const rows = forwardAxis(h),
      cols = forwardAxis(w);
    const g: GatherShape = {
      srcImage: h[0] * w[0] * C * 4,
      Cs: C,
      Cd: O,
      Hd: h[3],
      Wd: w[3],
      Hp: rows.padded,
      Wp: cols.padded,
      weight: (ky, kx) => ky * 3 + kx,
      rows: rows.classes,
      cols: cols.classes,
    };
    const m = wasmModule(`fwd:${h}:${w}:${C}:${O}`, () =>
      moduleText(padFunction(h[0], w[0], C, g.Hp, g.Wp, rows.top, cols.top), gatherFunction(g)),
    );
    return { conv: m.conv as Run, padded: g.Hp * g.Wp * C * 4 };
  });

const inputGradModule = (h: Axis, w: Axis, C: number, O: number) =>
  kernelOnce(`dx:${h}:${w}:${C}:${O}`, () => {
    const rows = inputGradAxis(h),
      cols = inputGradAxis(w);
    const C4 = Math.ceil(C / 4) * 4; // dx's channels padded to a multiple of 4 (zero weights), then narrowed
    const g: GatherShape = {
      srcImage: h[3] * w[3] * O * 4,
      Cs: O,
      Cd: C4,
      Hd: h[0],
      Wd: w[0],
      Hp: rows.padded,
      Wp: cols.padded,
      weight: (ky, kx) => 8 - (ky * 3 + kx),
      rows: rows.classes,
      cols: cols.classes,
    };
    // the kernel flipped, each tap's [C, O] block transposed: wT[8 − t][o][c] = w[t][c][o] (the
    // stride-1 taps then run in one loop per row), zeros for channels C..C4
    const index = (...terms: [string, number][]) =>
      terms.reduce((acc, [v, k]) => `(i32.add (i32.mul ${acc} ${i32(k)}) ${v})`, '(i32.const 0)');
    const copy = `(f32.store (i32.add ${get('wt')} (i32.shl ${index([`(i32.sub (i32.const 8) ${get('t')})`, 1], [get('o'), O], [get('c'), C4])} (i32.const 2)))
  (f32.load (i32.add ${get('w')} (i32.shl ${index([get('t'), 1], [get('c'), C], [get('o'), O])} (i32.const 2)))))`;
    const transpose = `(func $transpose (param $w i32) (param $wt i32) (local $t i32) (local $c i32) (local $o i32)
(memory.fill ${get('wt')} (i32.const 0) ${i32(9 * O * C4 * 4)})
${forLoop('t', i32(9), forLoop('c', i32(C), forLoop('o', i32(O), copy)))})`;
    // [n pixels, C4] → [n, C]
    const narrow = `(func $narrow (param $src i32) (param $dst i32) (param $n i32) (local $c i32)
${forLoop('c', `(i32.mul ${get('n')} ${i32(C4)})`, `(if (i32.lt_u (i32.rem_u ${get('c')} ${i32(C4)}) ${i32(C)}) (then (f32.store ${get('dst')} (f32.load (i32.add ${get('src')} (i32.shl ${get('c')} (i32.const 2))))) ${bump('dst', 4)}))`)})`;
    const m = wasmModule(`dx:${h}:${w}:${C}:${O}`, () =>
      moduleText(padFunction(h[3], w[3], O, g.Hp, g.Wp, rows.top, cols.top), gatherFunction(g), transpose, narrow),
    );
    return { conv: m.conv as Run, transpose: m.transpose as Run, narrow: m.narrow as Run, padded: g.Hp * g.Wp * O * 4, C4 };
  });

const filterGradModule = (h: Axis, w: Axis, C: number, O: number) =>
  kernelOnce(`dw:${h}:${w}:${C}:${O}`, () => {
    const rows = forwardAxis(h),
      cols = forwardAxis(w);
    const m = wasmModule(`dw:${h}:${w}:${C}:${O}`, () =>
      moduleText(
        padFunction(h[0], w[0], C, rows.padded, cols.padded, rows.top, cols.top),
        filterGradFunction(C, O, h[3], w[3], cols.padded, h[2], h[0] * w[0] * C * 4),
      ),
    );
    return { dw: m.dw as Run, padded: rows.padded * cols.padded * C * 4 };
  });

interface Attrs {
  h: Axis;
  w: Axis;
}

function register(name: string, run: (inputs: tf.TensorInfo[], a: Attrs) => tf.TensorInfo): void {
  if (tf.getKernel(name, 'wasm')) return;
  tf.registerKernel({
    kernelName: name,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs }) => {
      const ins = inputs as Record<string, tf.TensorInfo>;
      return run([ins.a!, ins.b!], attrs as unknown as Attrs);
    },
  });
}

register(FORWARD, ([x, w], { h, w: wa }) => {
  const [B, , , C] = x!.shape;
  const O = w!.shape[3]!;
  const k = forwardModule(h, wa, C!, O);
  const out = wasmBackend().makeOutput([B!, h[3], wa[3], O], 'float32');
  k.conv(offsetOf(x!), offsetOf(w!), offsetOf(out), B!, scratch(k.padded));
  return out;
});

register(INPUT_GRAD, ([dy, w], { h, w: wa }) => {
  const [B, , , O] = dy!.shape;
  const C = w!.shape[2]!;
  const k = inputGradModule(h, wa, C, O!);
  const out = wasmBackend().makeOutput([B!, h[0], wa[0], C], 'float32');
  const wide = k.C4 === C ? 0 : B! * h[0] * wa[0] * k.C4 * 4;
  const wt = scratch(9 * k.C4 * O! * 4 + k.padded + wide);
  const dyp = wt + 9 * k.C4 * O! * 4;
  k.transpose(offsetOf(w!), wt);
  if (!wide) k.conv(offsetOf(dy!), wt, offsetOf(out), B!, dyp);
  else {
    k.conv(offsetOf(dy!), wt, dyp + k.padded, B!, dyp);
    k.narrow(dyp + k.padded, offsetOf(out), B! * h[0] * wa[0]);
  }
  return out;
});

register(FILTER_GRAD, ([x, dy], { h, w: wa }) => {
  const [B, , , C] = x!.shape;
  const O = dy!.shape[3]!;
  const k = filterGradModule(h, wa, C!, O);
  const out = wasmBackend().makeOutput([3, 3, C!, O], 'float32');
  k.dw(offsetOf(x!), offsetOf(dy!), offsetOf(out), B!, scratch(k.padded));
  return out;
});

const attrs = (h: Axis, w: Axis) => ({ h, w }) as unknown as tf.NamedAttrMap;

// The forward kernel's gradient as tfjs's own ops have theirs (no customGrad around it): the
// engine saves x and w, and calls only the gradients the tape needs (no dx for a net's input).
tf.registerGradient({
  kernelName: FORWARD,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, saved, a) => {
    const [x, w] = saved as [tf.Tensor4D, tf.Tensor4D];
    const { h, w: wa } = a as unknown as Attrs;
    return { a: () => convInputGradient(dy as tf.Tensor4D, w, h, wa), b: () => convFilterGradient(x, dy as tf.Tensor4D, h, wa) };
  },
});

/** The forward conv: x [B,H,W,C], w [3,3,C,O] → [B,Ho,Wo,O], differentiable (dx and dw by the kernels below). */
export function convForward(x: tf.Tensor4D, w: tf.Tensor4D, h: Axis, wa: Axis): tf.Tensor4D {
  return tf.engine().runKernel(FORWARD, { a: x, b: w }, attrs(h, wa)) as tf.Tensor4D;
}

/** dx of the conv, given dy [B,Ho,Wo,O] and w [3,3,C,O]. */
export function convInputGradient(dy: tf.Tensor4D, w: tf.Tensor4D, h: Axis, wa: Axis): tf.Tensor4D {
  return tf.engine().runKernel(INPUT_GRAD, { a: dy, b: w }, attrs(h, wa)) as tf.Tensor4D;
}

/** dw of the conv, given x [B,H,W,C] and dy [B,Ho,Wo,O]. */
export function convFilterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, h: Axis, wa: Axis): tf.Tensor4D {
  return tf.engine().runKernel(FILTER_GRAD, { a: x, b: dy }, attrs(h, wa)) as tf.Tensor4D;
}
