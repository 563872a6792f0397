/**
 * SGD with momentum and weight decay, PyTorch's formulation (the one the paper's ResNets were
 * trained with): g ← ∇L + λθ (λ only on decayed weights), v ← μv + g, θ ← θ − lr·v.
 */
import * as tf from '@tensorflow/tfjs';

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

  dispose(): void {
    for (const v of this.velocity.values()) v.dispose();
    this.velocity.clear();
  }
}
