/**
 * One SGD step (momentum, weight decay; PyTorch's formulation, src/train/sgd.ts) for every
 * parameter of a net as a single kernel on wasm, run in JS on the wasm heap.
 *
 * Why: the update is 4–6 element-wise kernels per parameter, and a ResNet-56 with BN has 167
 * parameters, 110 of them BN's γ and β of 4–16 numbers: ~800 kernel calls a step whose cost is
 * all dispatch (tfjs's engine, a scalar tensor per constant, allocation), not arithmetic.
 *
 * Bit for bit the same numbers as those tfjs ops: each operation is one float32 operation (the
 * exact result rounded once, as Math.fround of the float64 result is for +, −, × of float32
 * operands), in the same order, with the constants rounded to float32 as tfjs's scalars are:
 *   g ← g + θ·λ (decayed weights),  v ← v·μ + g (v ← g on the first step),  θ ← θ − v·lr.
 * Run as a wasm SIMD loop once the project's kernels are loaded (wasm-module.ts), else in JS over
 * views of the heap. Checked against the tfjs ops on wasm (sgd-update.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { bump, forLoop, get, moduleText, offsetOf, wasmKernelsReady, wasmModule } from './wasm-module';

const KERNEL = 'SgdMomentumUpdate';

/** Whether the fused update serves the active backend. */
export function sgdUpdateActive(): boolean {
  return tf.getBackend() === 'wasm';
}

interface WasmHeap {
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

interface Attrs {
  count: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  /** per parameter: 1 when it gets weight decay */
  decay: number[];
  /** per parameter: 1 when it has a velocity (not its first step) */
  hasVelocity: number[];
}

/**
 * The update of one parameter over plain arrays: writes θ' (and v' when momentum > 0). `v` is
 * null on a parameter's first step. Constants are float32 already.
 */
function sgdUpdateArrays(
  theta: Float32Array,
  v: Float32Array | null,
  g: Float32Array,
  decay: boolean,
  lr: number,
  momentum: number,
  weightDecay: number,
  thetaOut: Float32Array,
  vOut: Float32Array | null,
): void {
  const f = Math.fround;
  for (let i = 0; i < theta.length; i++) {
    let gi = g[i]!;
    if (decay) gi = f(gi + f(theta[i]! * weightDecay));
    if (vOut) {
      gi = v ? f(f(v[i]! * momentum) + gi) : gi;
      vOut[i] = gi;
    }
    thetaOut[i] = f(theta[i]! - f(gi * lr));
  }
}

/**
 * The same update as a wasm SIMD loop (four floats per f32x4 operation, each IEEE single precision
 * like Math.fround's, in the same order: the same bits), one function per case: decay or not ×
 * no velocity (momentum 0), a first step (v ← g) or v·μ + g. `n` floats, the last n mod 4 scalar.
 */
function updateFunction(decay: boolean, velocity: 'none' | 'first' | 'momentum'): string {
  const step = (t: 'v128' | 'f32', load: string, store: string) => {
    const [add, sub, mul] = t === 'v128' ? ['f32x4.add', 'f32x4.sub', 'f32x4.mul'] : ['f32.add', 'f32.sub', 'f32.mul'];
    const k = (p: string) => (t === 'v128' ? `(f32x4.splat ${get(p)})` : get(p));
    let b = `(local.set $${t}g (${load} ${get('g')}))\n`;
    if (decay) b += `(local.set $${t}g (${add} ${get(`${t}g`)} (${mul} (${load} ${get('theta')}) ${k('wd')})))\n`;
    if (velocity === 'momentum') b += `(local.set $${t}g (${add} (${mul} (${load} ${get('v')}) ${k('mom')}) ${get(`${t}g`)}))\n`;
    if (velocity !== 'none') b += `(${store} ${get('vOut')} ${get(`${t}g`)})\n`;
    b += `(${store} ${get('thetaOut')} (${sub} (${load} ${get('theta')}) (${mul} ${get(`${t}g`)} ${k('lr')})))\n`;
    return b;
  };
  const advance = (bytes: number) => ['theta', 'v', 'g', 'thetaOut', 'vOut'].map((p) => bump(p, bytes)).join(' ');
  return `(func $update_${decay ? 'decay' : 'plain'}_${velocity} (param $theta i32) (param $v i32) (param $g i32) (param $thetaOut i32) (param $vOut i32)
  (param $n i32) (param $lr f32) (param $mom f32) (param $wd f32) (local $i i32) (local $v128g v128) (local $f32g f32)
(block $vectors (br_if $vectors (i32.lt_u ${get('n')} (i32.const 4)))
${forLoop('i', `(i32.shr_u ${get('n')} (i32.const 2))`, `${step('v128', 'v128.load', 'v128.store')}${advance(16)}`)})
(block $scalars (br_if $scalars (i32.eqz (i32.and ${get('n')} (i32.const 3))))
${forLoop('i', `(i32.and ${get('n')} (i32.const 3))`, `${step('f32', 'f32.load', 'f32.store')}${advance(4)}`)}))`;
}

const VELOCITY = ['none', 'first', 'momentum'] as const;
const updates = () =>
  wasmModule('sgd', () => {
    const funcs = [true, false].flatMap((d) => VELOCITY.map((v) => updateFunction(d, v)));
    return moduleText(...funcs);
  }) as Record<string, (...args: number[]) => void>;

if (!tf.getKernel(KERNEL, 'wasm'))
  tf.registerKernel({
    kernelName: KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const heap = backend as unknown as WasmHeap;
      const a = attrs as unknown as Attrs;
      const f = Math.fround;
      const withV = a.momentum > 0;
      const ins = inputs as Record<string, tf.TensorInfo>;
      const outs: tf.TensorInfo[] = [];
      for (let k = 0; k < a.count; k++) outs.push(heap.makeOutput(ins[`theta${k}`]!.shape, 'float32'));
      if (withV) for (let k = 0; k < a.count; k++) outs.push(heap.makeOutput(ins[`theta${k}`]!.shape, 'float32'));
      const own = wasmKernelsReady();
      // views only after every allocation: a malloc may grow the heap and detach older views
      const view = (t: tf.TensorInfo) => heap.typedArrayFromHeap(t);
      for (let k = 0; k < a.count; k++) {
        const [theta, g, v] = [ins[`theta${k}`]!, ins[`g${k}`]!, a.hasVelocity[k] ? ins[`v${k}`]! : null];
        const decay = a.decay[k] === 1 && a.weightDecay > 0;
        if (own) {
          const velocity = !withV ? 'none' : v ? 'momentum' : 'first';
          const n = theta.shape.reduce((p, d) => p * d, 1);
          const vOut = withV ? offsetOf(outs[a.count + k]!) : 0;
          updates()[`update_${decay ? 'decay' : 'plain'}_${velocity}`]!(
            offsetOf(theta),
            v ? offsetOf(v) : 0,
            offsetOf(g),
            offsetOf(outs[k]!),
            vOut,
            n,
            f(a.lr),
            f(a.momentum),
            f(a.weightDecay),
          );
        } else
          sgdUpdateArrays(
            view(theta),
            v ? view(v) : null,
            view(g),
            decay,
            f(a.lr),
            f(a.momentum),
            f(a.weightDecay),
            view(outs[k]!),
            withV ? view(outs[a.count + k]!) : null,
          );
      }
      return outs;
    },
  });

export interface SgdSlot {
  theta: tf.Tensor;
  /** undefined on the parameter's first step */
  velocity: tf.Tensor | undefined;
  grad: tf.Tensor;
  decay: boolean;
}

/** θ' per slot and, when momentum > 0, v' per slot: new tensors (the caller assigns them). */
export function sgdUpdate(
  slots: SgdSlot[],
  lr: number,
  momentum: number,
  weightDecay: number,
): { theta: tf.Tensor[]; velocity: tf.Tensor[] } {
  const inputs: Record<string, tf.Tensor> = {};
  slots.forEach((s, k) => {
    inputs[`theta${k}`] = s.theta;
    inputs[`g${k}`] = s.grad;
    if (s.velocity) inputs[`v${k}`] = s.velocity;
  });
  const attrs: Attrs = {
    count: slots.length,
    lr,
    momentum,
    weightDecay,
    decay: slots.map((s) => (s.decay ? 1 : 0)),
    hasVelocity: slots.map((s) => (s.velocity ? 1 : 0)),
  };
  const out = tf.engine().runKernel(KERNEL, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  return { theta: out.slice(0, slots.length), velocity: out.slice(slots.length) };
}
