/**
 * A differentiable 2-D convolution whose gradients are made of forward convolutions, plain
 * matmuls and explicit transposes: the kernels the wasm backend runs fast.
 *
 * Why: tfjs-backend-wasm has no Conv2DBackpropFilter kernel (tf.grad through tf.conv2d throws),
 * and its Conv2DBackpropInput and matmuls with a transposed operand are plain C++ loops, while
 * its forward Conv2D and plain MatMul are XNNPACK's: tf's dx took ~12× the forward conv's time, this
 * file's about the same as it (timings: docs/measurements.md, from scripts/conv-timing.ts). So:
 *
 *   dx — a transposed convolution split by stride phase ("sub-pixel"). With padded input row
 *        p = q·s + r (phase r < s), dxp[q·s + r] = Σ_n dy[q − n] · w[n·s + r]: a stride-1
 *        correlation of dy with the flipped rows r, r+s, … of the kernel. One forward conv per
 *        row phase (its column phases side by side in the output channels), rows interleaved
 *        by one concat. No zero-dilated dy: a stride-2 3x3 conv's dx does 12/36 of the
 *        multiply-adds of the textbook "dilate dy, full-correlate" recipe. At stride 1 it is
 *        the textbook recipe (flipped kernel, in/out swapped, padding k−1−pad).
 *   dw — a forward conv of x transposed to [C, H, W, B] (batch ↔ channels) with dy
 *        transposed to [Ho, Wo, B, O] as its kernel, dilated by the stride: dw[m, c, o] =
 *        Σ_{b,i,j} xp[b, i·s + m, c] · dy[b, i, o] is exactly that. The forward padding goes in
 *        as the conv's explicit padding (no padded copy of x); rows the forward never read
 *        are cropped so the output is exactly kh×kw.
 *   1x1 — plain matmuls over [B·H·W, C]; strided 1x1 convs subsample / zero-interleave with
 *        reshape + slice / pad (tf.stridedSlice is ~10x slower here).
 *
 * On wasm, once the project's kernels are loaded (wasm-module.ts), 3x3 convs whose output
 * channels are a multiple of 4 take conv-wasm.ts's kernels instead: one call each for the
 * forward conv, dx and dw, no transposes or flips (and the dx of other 3x3 convs). The routes above stay for
 * every other shape.
 * On backends with native kernels (tfjs-node, webgl) 'auto' mode just calls tf.conv2d.
 * Checked against tf.conv2d's autodiff on the pure-JS cpu backend in conv.test.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { convForward, convInputGradient, covers, type Axis } from './conv-wasm';
import { wasmKernelsReady } from './wasm-module';

export type ConvPadding = 'same' | 'valid';
export type FastGradientsMode = 'auto' | 'always' | 'never';

let fastMode: FastGradientsMode = 'auto';

/** auto: the fast path only on 'wasm'; always: on every backend (the cpu one too, for tests); never: tf's own ops. */
export function setFastGradients(mode: FastGradientsMode): void {
  fastMode = mode;
}

/** Whether conv2d / matMul take the fast path on the active backend right now. */
export function fastGradientsActive(): boolean {
  return fastMode === 'always' || (fastMode === 'auto' && tf.getBackend() === 'wasm');
}

// ---------------------------------------------------------------------------------------------
// Geometry: exactly tfjs's (backend_util.computeConv2DInfo) for 'same' and 'valid'.

/** One spatial axis of a conv: output size and the forward padding before/after. */
export interface AxisGeometry {
  n: number; // input size
  k: number; // kernel size
  s: number; // stride
  out: number;
  before: number;
  after: number;
}

export function axisGeometry(n: number, k: number, s: number, padding: ConvPadding): AxisGeometry {
  if (padding === 'same') {
    const out = Math.ceil(n / s);
    const total = Math.max((out - 1) * s + k - n, 0);
    const before = Math.floor(total / 2);
    return { n, k, s, out, before, after: total - before };
  }
  return { n, k, s, out: Math.ceil((n - k + 1) / s), before: 0, after: 0 };
}

type Pad4 = [[number, number], [number, number], [number, number], [number, number]];

/**
 * Crop the sides of rows/cols whose wanted padding is negative, and return the remaining
 * (non-negative) padding to hand to a conv as explicit padding.
 */
function cropNegative(t: tf.Tensor4D, top: number, bottom: number, left: number, right: number): [tf.Tensor4D, Pad4] {
  const [b, h, w, c] = t.shape;
  const ct = Math.max(-top, 0),
    cb = Math.max(-bottom, 0),
    cl = Math.max(-left, 0),
    cr = Math.max(-right, 0);
  const cropped = ct + cb + cl + cr > 0 ? tf.slice(t, [0, ct, cl, 0], [b, h - ct - cb, w - cl - cr, c]) : t;
  return [
    cropped,
    [
      [0, 0],
      [Math.max(top, 0), Math.max(bottom, 0)],
      [Math.max(left, 0), Math.max(right, 0)],
      [0, 0],
    ],
  ];
}

/** tf.conv2d with explicit padding, falling back to 'valid' when all pads are zero. */
function conv(x: tf.Tensor4D, w: tf.Tensor4D, pad: Pad4, dilation = 1, stride = 1): tf.Tensor4D {
  const zero = pad.every(([a, b]) => a === 0 && b === 0);
  return tf.conv2d(x, w, stride, zero ? 'valid' : pad, 'NHWC', dilation);
}

/**
 * The forward conv with tfjs's 'same' padding spelled out. tfjs-backend-wasm 4.22 computes
 * 'same' wrong (zeros) at stride 2 for kernels with one side 1 and the other > 1 (1x3, 3x1, ...;
 * found by conv.test.ts), while its explicit padding is right for every shape tested.
 */
function forwardConv(x: tf.Tensor4D, w: tf.Tensor4D, stride: number, padding: ConvPadding): tf.Tensor4D {
  const gh = axisGeometry(x.shape[1], w.shape[0], stride, padding),
    gw = axisGeometry(x.shape[2], w.shape[1], stride, padding);
  return conv(
    x,
    w,
    [
      [0, 0],
      [gh.before, gh.after],
      [gw.before, gw.after],
      [0, 0],
    ],
    1,
    stride,
  );
}

/** [m, k] → [k, m] as a 3-D transpose: the wasm 2-D transpose kernel scatters and is ~3x slower. */
export function transpose2d(a: tf.Tensor2D): tf.Tensor2D {
  const [m, k] = a.shape;
  const f = largestFactorBelowSqrt(m);
  if (f === 1) return tf.transpose(a);
  return tf.reshape(tf.transpose(tf.reshape(a, [f, m / f, k]), [2, 0, 1]), [k, m]);
}

function largestFactorBelowSqrt(m: number): number {
  for (let f = Math.floor(Math.sqrt(m)); f > 1; f--) if (m % f === 0) return f;
  return 1;
}

// ---------------------------------------------------------------------------------------------
// Gradients.

/**
 * dx's kernels, one per row phase r < s (padded-input rows q·s + r): the Kr = ⌈(kh − r)/s⌉ kernel
 * rows r, r + s, … flipped, in/out swapped, with the s column phases side by side in the output
 * channels: G_r [Kr, Kw, O, s·C], G_r[t, u, o, (rw, c)] = w[(Kr−1−t)·s + r, (Kw−1−u)·s + rw, c, o]
 * (zero past the kernel's edge). At s = 1 this is the flipped kernel [kh, kw, O, C].
 */
function rowPhaseKernels(w: tf.Tensor4D, s: number): (tf.Tensor4D | null)[] {
  const [kh, kw, c, o] = w.shape;
  if (s === 1) return [tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2])];
  const Kh = Math.ceil(kh / s),
    Kw = Math.ceil(kw / s);
  const wp = tf.pad(w, [
    [0, Kh * s - kh],
    [0, Kw * s - kw],
    [0, 0],
    [0, 0],
  ]);
  const split = tf.reverse(tf.reshape(wp, [Kh, s, Kw, s, c, o]), [0, 2]); // [n'_h, r_h, n'_w, r_w, c, o], n' = K−1−n
  const byPhase = tf.transpose(split, [1, 0, 2, 5, 3, 4]); // [r_h, n'_h, n'_w, o, r_w, c]
  const kernels: (tf.Tensor4D | null)[] = [];
  for (let r = 0; r < s; r++) {
    const Kr = Math.ceil((kh - r) / s); // taps n < Kr lie inside the kernel: n'_h ≥ Kh − Kr
    kernels.push(
      Kr <= 0 ? null : (tf.reshape(tf.slice(byPhase, [r, Kh - Kr, 0, 0, 0, 0], [1, Kr, Kw, o, s, c]), [Kr, Kw, o, s * c]) as tf.Tensor4D),
    );
  }
  return kernels;
}

/**
 * dx of a conv with geometry gh × gw, given dy [B,Ho,Wo,O] and w [kh,kw,C,O]: one forward conv
 * per row phase over phase-rows q0..q1 (those covering padded rows [before, before + n)), the
 * phases' rows interleaved by one concat (a JS copy of contiguous rows), then cropped.
 * Splitting columns too would skip the remaining zero taps but needs an element-wise interleave;
 * splitting rows only does 12/16 of the one-conv sub-pixel version's work at stride 2, 3x3
 * (and was faster: docs/measurements.md).
 */
export function convInputGrad(dy: tf.Tensor4D, w: tf.Tensor4D, gh: AxisGeometry, gw: AxisGeometry): tf.Tensor4D {
  return tf.tidy((): tf.Tensor4D => {
    if (gh.k === 1 && gw.k === 1) return pointwiseInputGrad(dy, w, gh, gw);
    const B = dy.shape[0];
    const C = w.shape[2];
    const s = gh.s;
    const Kw = Math.ceil(gw.k / s);
    const q0h = Math.floor(gh.before / s),
      q1h = Math.ceil((gh.before + gh.n) / s) - 1;
    const q0w = Math.floor(gw.before / s),
      q1w = Math.ceil((gw.before + gw.n) / s) - 1;
    const Qh = q1h - q0h + 1,
      Qw = q1w - q0w + 1;
    const phases = rowPhaseKernels(w, s).map((g) => {
      if (g === null) return tf.zeros([B, Qh, Qw, s * C]) as tf.Tensor4D;
      const [dyc, pad] = cropNegative(dy, g.shape[0] - 1 - q0h, q1h - (gh.out - 1), Kw - 1 - q0w, q1w - (gw.out - 1));
      return conv(dyc, g, pad); // [B, Qh, Qw, (r_w, C)]
    });
    if (s === 1) return phases[0]!; // Qh = H, Qw = W, nothing to interleave or crop
    const rows = phases.map((p) => tf.reshape(p, [B * Qh, 1, Qw * s * C]));
    const inter = tf.reshape(tf.concat(rows, 1), [B, Qh * s, Qw * s, C]) as tf.Tensor4D;
    const oh = gh.before - q0h * s,
      ow = gw.before - q0w * s;
    if (oh === 0 && ow === 0 && Qh * s === gh.n && Qw * s === gw.n) return inter;
    return tf.slice(inter, [0, oh, ow, 0], [B, gh.n, gw.n, C]);
  });
}

/** dx of a 1x1 conv: dy · wᵀ, then (stride s) spread onto every s-th row/col with zeros between. */
function pointwiseInputGrad(dy: tf.Tensor4D, w: tf.Tensor4D, gh: AxisGeometry, gw: AxisGeometry): tf.Tensor4D {
  const [B, Ho, Wo, O] = dy.shape;
  const C = w.shape[2];
  const s = gh.s;
  const wT = tf.transpose(tf.reshape(w, [C, O])); // [O, C], tiny
  const z = tf.matMul(tf.reshape(dy, [B * Ho * Wo, O]), wT);
  const zs = tf.reshape(z, [B, Ho, Wo, C]) as tf.Tensor4D;
  return s === 1 ? zs : spreadStrided(zs, s, gh.n, gw.n); // 1x1: no padding (before = 0)
}

/**
 * t [B, Ho, Wo, C] onto rows and columns 0, s, 2s, … of a [B, h, w, C] tensor of zeros: s−1 zero
 * columns after each pixel, then s−1 zero rows after each row of pixels, cropped or extended to h × w.
 */
function spreadStrided(t: tf.Tensor4D, s: number, h: number, w: number): tf.Tensor4D {
  const [B, Ho, Wo, C] = t.shape;
  const cols = tf.pad(tf.reshape(t, [B * Ho * Wo, 1, C]), [
    [0, 0],
    [0, s - 1],
    [0, 0],
  ]);
  const rows = tf.pad(tf.reshape(cols, [B * Ho, 1, Wo * s * C]), [
    [0, 0],
    [0, s - 1],
    [0, 0],
  ]);
  return fitTo(tf.reshape(rows, [B, Ho * s, Wo * s, C]) as tf.Tensor4D, h, w);
}

/** Crop or zero-extend rows/cols at the bottom/right to exactly h × w. */
function fitTo(t: tf.Tensor4D, h: number, w: number): tf.Tensor4D {
  const [B, th, tw, C] = t.shape;
  if (th === h && tw === w) return t;
  const c = th > h || tw > w ? tf.slice(t, [0, 0, 0, 0], [B, Math.min(th, h), Math.min(tw, w), C]) : t;
  return th < h || tw < w
    ? tf.pad(c, [
        [0, 0],
        [0, Math.max(h - th, 0)],
        [0, Math.max(w - tw, 0)],
        [0, 0],
      ])
    : c;
}

/** dw of a conv with geometry gh × gw, given x [B,H,W,C] and dy [B,Ho,Wo,O]. */
export function convFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, gh: AxisGeometry, gw: AxisGeometry): tf.Tensor4D {
  return tf.tidy((): tf.Tensor4D => {
    const [B, , , C] = x.shape;
    const [, Ho, Wo, O] = dy.shape;
    if (gh.k === 1 && gw.k === 1) {
      // dw = xsᵀ · dy over the pixels the stride reads (pads are zero for 1x1 convs).
      const xs = subsample(x, gh.s, Ho, Wo);
      const n = B * Ho * Wo;
      const xsT = transpose2d(tf.reshape(xs, [n, C]));
      return tf.reshape(tf.matMul(xsT, tf.reshape(dy, [n, O])), [1, 1, C, O]);
    }
    const xT = batchToChannels(x); // [C, H, W, B]
    const dyT = tf.transpose(dy, [1, 2, 0, 3]); // [Ho, Wo, B, O]
    // Output rows = H + before + bottom − (Ho−1)·s = k exactly.
    const bottom = gh.k + (Ho - 1) * gh.s - gh.n - gh.before;
    const right = gw.k + (Wo - 1) * gw.s - gw.n - gw.before;
    const [xc, pad] = cropNegative(xT, gh.before, bottom, gw.before, right);
    const r = conv(xc, dyT, pad, gh.s); // [C, kh, kw, O]
    return tf.transpose(r, [1, 2, 0, 3]);
  });
}

/**
 * [B, H, W, C] → [C, H, W, B] in two steps, [B, HW, C] → [HW, B, C] → [C, HW, B]: the wasm
 * transpose kernels are plain element loops, and this pair runs ~2x faster than the one 4-D
 * transpose (docs/measurements.md).
 */
function batchToChannels(x: tf.Tensor4D): tf.Tensor4D {
  const [B, H, W, C] = x.shape;
  const swapped = tf.transpose(tf.reshape(x, [B, H * W, C]), [1, 0, 2]);
  return tf.reshape(tf.transpose(swapped, [2, 0, 1]), [C, H, W, B]);
}

/** x[:, ::s, ::s, :][:, :Ho, :Wo] via reshape + slice (tf.stridedSlice is slow on wasm). */
function subsample(x: tf.Tensor4D, s: number, Ho: number, Wo: number): tf.Tensor4D {
  if (s === 1) return x;
  const [B, , , C] = x.shape;
  const xe = fitTo(x, Ho * s, Wo * s); // rows/cols past Ho·s are never read; missing ones never kept
  // [B·Ho, s, Wo, s·C] → take phase 0 of rows and of cols.
  const picked = tf.slice(tf.reshape(xe, [B * Ho, s, Wo, s * C]), [0, 0, 0, 0], [B * Ho, 1, Wo, C]);
  return tf.reshape(picked, [B, Ho, Wo, C]);
}

// ---------------------------------------------------------------------------------------------
// The op.

type ConvFn = (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D;

/** Both spatial axes of a conv as conv-wasm.ts takes them. */
function axes(x: tf.Tensor4D, w: tf.Tensor4D, stride: number, padding: ConvPadding): [Axis, Axis] {
  return [1, 2].map((d) => {
    const g = axisGeometry(x.shape[d]!, w.shape[d - 1]!, stride, padding);
    return [g.n, g.k, g.s, g.out, g.before] as Axis;
  }) as [Axis, Axis];
}
const fastConvs = new Map<string, ConvFn>();

function fastConv(stride: 1 | 2, padding: ConvPadding): ConvFn {
  const key = `${stride}:${padding}`;
  let f = fastConvs.get(key);
  if (!f) {
    f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const [x4, w4, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
      save([x4, w4]);
      const [h, w] = axes(x4, w4, stride, padding);
      const own = wasmKernelsReady();
      return {
        value: forwardConv(x4, w4, stride, padding),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
          const d = dy as tf.Tensor4D;
          const gh = axisGeometry(xs.shape[1], ws.shape[0], stride, padding);
          const gw = axisGeometry(xs.shape[2], ws.shape[1], stride, padding);
          return [own && covers(h, w, 'dx') ? convInputGradient(d, ws, h, w) : convInputGrad(d, ws, gh, gw), convFilterGrad(xs, d, gh, gw)];
        },
      };
    }) as unknown as ConvFn;
    fastConvs.set(key, f);
  }
  return f;
}

/**
 * x [B,H,W,C], w [kh,kw,C,O] → [B,Ho,Wo,O], exactly tf.conv2d's semantics (tfjs 'same' padding:
 * out = ⌈H/s⌉, total pad = max((out−1)·s + k − H, 0), top/left = ⌊total/2⌋). On wasm (or with
 * setFastGradients('always')) its gradients for x and w are forward convs and plain matmuls.
 */
export function conv2d(x: tf.Tensor4D, w: tf.Tensor4D, stride: 1 | 2, padding: ConvPadding): tf.Tensor4D {
  if (!fastGradientsActive()) return tf.conv2d(x, w, stride, padding);
  if (x.rank !== 4 || w.rank !== 4) throw new Error(`conv2d: expected x and w of rank 4, got ${x.rank} and ${w.rank}`);
  if (x.shape[3] !== w.shape[2]) throw new Error(`conv2d: x has ${x.shape[3]} channels but w expects ${w.shape[2]}`);
  const [h, wa] = axes(x, w, stride, padding);
  if (wasmKernelsReady() && covers(h, wa, w.shape[3])) return convForward(x, w, h, wa);
  return fastConv(stride, padding)(x, w);
}

// ---------------------------------------------------------------------------------------------
// Strided subsampling: the ResNet's option-A shortcut.

const subsampleOps = new Map<number, (x: tf.Tensor4D) => tf.Tensor4D>();

/**
 * x[:, ::s, ::s, :] (rows and columns 0, s, 2s, …), differentiable. A 1x1 max-pool with stride s
 * is exactly that selection, with no arithmetic (an Infinity or NaN stays where it is, where a
 * 0/1-kernel conv would turn 0·Inf into NaN in every channel of the pixel), and it is fast on
 * wasm, where reshape + slice of a 5-D tensor was two orders of magnitude slower
 * (docs/measurements.md). Its gradient on wasm spreads dy onto every s-th row and column with
 * zeros between: tfjs-backend-wasm 4.22's own MaxPoolGrad is wrong for this pool (2x7x7x3,
 * stride 2: 50 of the 96 ones the cpu backend gives).
 */
export function strideSubsample(x: tf.Tensor4D, stride: 1 | 2): tf.Tensor4D {
  if (stride === 1) return x;
  if (!fastGradientsActive()) return tf.maxPool(x, 1, stride, 'valid');
  let op = subsampleOps.get(stride);
  if (!op) {
    op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const [x4] = args as [tf.Tensor4D];
      const [, H, W] = x4.shape;
      return {
        value: tf.maxPool(x4, 1, stride, 'valid'),
        gradFunc: (dy: tf.Tensor) => spreadStrided(dy as tf.Tensor4D, stride, H, W),
      };
    }) as unknown as (x: tf.Tensor4D) => tf.Tensor4D;
    subsampleOps.set(stride, op);
  }
  return op(x);
}
