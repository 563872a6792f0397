/**
 * SGD with momentum and weight decay, PyTorch's formulation (the one the paper's ResNets were
 * trained with): g ← ∇L + λθ (λ only on decayed weights), v ← μv + g, θ ← θ − lr·v.
 * On wasm the whole update is one kernel (src/backend/sgd-update.ts: the same numbers, bit for bit).
 */
import * as tf from '@tensorflow/tfjs';
import { sgdUpdate, sgdUpdateActive, type SgdSlot } from '../backend/sgd-update';

export interface SgdConfig {
  momentum: number;
  weightDecay: number;
}

export class Sgd {
  private velocity = new Map<string, tf.Variable>();
  constructor(
    private params: Map<string, tf.Variable>,
    private decayed: Set<string>,
    readonly cfg: SgdConfig,
  ) {}

  /** Apply one update with gradients keyed by parameter name. Disposes nothing it does not own. */
  step(grads: Record<string, tf.Tensor>, lr: number): void {
    if (sgdUpdateActive()) return this.fusedStep(grads, lr);
    tf.tidy(() => {
      for (const [name, theta] of this.params) {
        let g = grads[name];
        if (!g) continue;
        if (this.cfg.weightDecay > 0 && this.decayed.has(name)) g = g.add(theta.mul(this.cfg.weightDecay));
        if (this.cfg.momentum > 0) {
          let v = this.velocity.get(name);
          if (!v) {
            v = tf.variable(tf.zerosLike(theta), false);
            this.velocity.set(name, v);
            v.assign(g);
          } else {
            v.assign(v.mul(this.cfg.momentum).add(g));
          }
          g = v;
        }
        theta.assign(theta.sub(g.mul(lr)));
      }
    });
  }

  private fusedStep(grads: Record<string, tf.Tensor>, lr: number): void {
    const names = [...this.params.keys()].filter((name) => grads[name]);
    const slots: SgdSlot[] = names.map((name) => ({
      theta: this.params.get(name)!,
      velocity: this.velocity.get(name),
      grad: grads[name]!,
      decay: this.decayed.has(name),
    }));
    tf.tidy(() => {
      const { theta, velocity } = sgdUpdate(slots, lr, this.cfg.momentum, this.cfg.weightDecay);
      names.forEach((name, k) => {
        this.params.get(name)!.assign(theta[k]!);
        if (this.cfg.momentum <= 0) return;
        const v = this.velocity.get(name);
        if (v) v.assign(velocity[k]!);
        else this.velocity.set(name, tf.variable(velocity[k]!, false));
      });
    });
  }

  dispose(): void {
    for (const v of this.velocity.values()) v.dispose();
    this.velocity.clear();
  }
}
