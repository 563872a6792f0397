/**
 * Tensors, nets and optimisers hold memory outside the JS heap (the wasm heap, a GPU): a claim
 * that throws half-way must still release them, or the next claim in the same worker starts with
 * less. `disposing` runs a body and disposes whatever it took ownership of, in reverse order,
 * whether the body returns or throws.
 *
 *   await disposing(async (own) => {
 *     const { x, y } = own(probeBatch(train, 128, seed));
 *     const net = own(makeResNet({ bn, seed, data: train }));
 *     …
 *   });
 */
import * as tf from '@tensorflow/tfjs';

export interface Disposable {
  dispose(): void;
}

/** What `own` accepts: one disposable, or a record of them (probeBatch's { x, y }). */
type Owned = Disposable | Readonly<Record<string, Disposable>>;

export async function disposing<T>(body: (own: <D extends Owned>(d: D) => D) => Promise<T>): Promise<T> {
  const owned: Disposable[] = [];
  const isDisposable = (d: unknown): d is Disposable => typeof (d as Disposable | null)?.dispose === 'function';
  const own = <D extends Owned>(d: D): D => {
    if (isDisposable(d)) owned.push(d);
    else for (const v of Object.values(d)) owned.push(v);
    return d;
  };
  try {
    return await body(own);
  } finally {
    for (const d of owned.reverse()) {
      // a tensor already disposed by the body is left alone; anything else is released once
      if (d instanceof tf.Tensor && d.isDisposed) continue;
      d.dispose();
    }
  }
}
