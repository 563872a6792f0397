/**
 * tfjs's bookkeeping of wasm tensors in Maps instead of WeakMaps. Two tables record every tensor
 * handle's data: the engine's `state.tensorInfo` (dataId → backend, dtype, shape, bytes) and the
 * wasm backend's `dataIdMap` (dataId → offset in wasm memory, reference count). Both are
 * WeakMaps, and a WeakMap insert is slow in V8 (an ephemeron table): in a ResNet-56 training step
 * with BN, `Engine.trackTensor` and `DataStorage.set` cost ~2.5 ms of a ~50 ms step between them
 * (node --cpu-prof, 2026-12-08, docs/measurements.md), and a Map insert a fraction of that.
 *
 * Why a Map is safe here: an entry for wasm data is deleted when its wasm memory is freed
 * (BackendWasm.disposeData, Engine.removeDataId), and wasm memory is never freed by the garbage
 * collector. So a Map entry lives exactly as long as the memory it describes: a tensor dropped
 * without dispose leaks its memory whichever table holds it, and nothing else changes. Entries of
 * other backends (the cpu backend's, whose data the collector does free) stay in the WeakMap, and
 * so do entries made before the switch. The values, the kernels and every number are unchanged.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * A table that keeps the entries `keepStrong` approves in a Map and the rest in the WeakMap it
 * replaces, which also holds whatever was there before (`weakEntries` of them: while it holds
 * none, a lookup does not touch it, since a WeakMap lookup costs nearly what an insert does).
 */
export class StrongWhere<K extends object, V> {
  private readonly strong = new Map<K, V>();

  constructor(
    private readonly weak: WeakMap<K, V>,
    private weakEntries: number,
    private readonly keepStrong: (value: V) => boolean,
  ) {}

  get(key: K): V | undefined {
    const v = this.strong.get(key);
    return v !== undefined || this.weakEntries === 0 ? v : this.weak.get(key);
  }

  has(key: K): boolean {
    return this.strong.has(key) || (this.weakEntries > 0 && this.weak.has(key));
  }

  set(key: K, value: V): this {
    if (this.keepStrong(value)) {
      if (this.weakEntries > 0 && this.weak.delete(key)) this.weakEntries--;
      this.strong.set(key, value);
    } else {
      this.strong.delete(key);
      if (!this.weak.has(key)) this.weakEntries++;
      this.weak.set(key, value);
    }
    return this;
  }

  delete(key: K): boolean {
    if (this.strong.delete(key)) return true;
    if (this.weakEntries > 0 && this.weak.delete(key)) {
      this.weakEntries--;
      return true;
    }
    return false;
  }

  /** entries in the Map and in the WeakMap (the tests' leak check) */
  get sizes(): { strong: number; weak: number } {
    return { strong: this.strong.size, weak: this.weakEntries };
  }
}

interface EngineState {
  numDataBuffers: number;
  tensorInfo: WeakMap<object, { backend: tf.KernelBackend }> | StrongWhere<object, { backend: tf.KernelBackend }>;
}
interface DataStorage {
  data: WeakMap<object, unknown> | StrongWhere<object, unknown>;
  numDataIds(): number;
}

/** Install the Maps for the active wasm backend (idempotent: a table already replaced is no WeakMap; a no-op on any other backend). */
export function strongMapsOnWasm(): void {
  if (tf.getBackend() !== 'wasm') return;
  const backend = tf.backend();
  const storage = (backend as unknown as { dataIdMap?: DataStorage }).dataIdMap;
  if (storage && storage.data instanceof WeakMap) storage.data = new StrongWhere(storage.data, storage.numDataIds(), () => true);
  const state = (tf.engine() as unknown as { state: EngineState }).state;
  if (state.tensorInfo instanceof WeakMap)
    state.tensorInfo = new StrongWhere(state.tensorInfo, state.numDataBuffers, (info) => info.backend === backend);
}

/** The two tables' sizes, or null where they are not patched (for the tests). */
export function tableSizes(): { engine: { strong: number; weak: number }; backend: { strong: number; weak: number } } | null {
  const state = (tf.engine() as unknown as { state: EngineState }).state;
  const storage = (tf.backend() as unknown as { dataIdMap?: DataStorage }).dataIdMap;
  if (!(state.tensorInfo instanceof StrongWhere) || !(storage?.data instanceof StrongWhere)) return null;
  return { engine: state.tensorInfo.sizes, backend: storage.data.sizes };
}
