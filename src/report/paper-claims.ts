/**
 * The paper's claims, one entry per claim spec (claims/<id>.spec.ts), as the summary page shows
 * them: where in the paper, the statement, and what the paper shows (numbers read off its
 * figures by eye, ±10 %). Bjorck, Gomes, Selman, Weinberger, "Understanding Batch
 * Normalization", NeurIPS 2018 (arXiv 1806.02375). Paper setup: ResNet-110 on CIFAR-10, SGD with
 * momentum, batch 128, five runs per setting.
 */
export interface PaperClaim {
  /** kebab-case id: the spec's file name and the key in claims.json / baseline.json. */
  id: string;
  /** A short title (the record's own title wins when there is one). */
  title: string;
  /** Figure, table or section. */
  paper: string;
  /** The claim, in one or two sentences. */
  statement: string;
  /** The paper's numbers for comparison. */
  shows: string;
}

export const PAPER_CLAIMS: readonly PaperClaim[] = [
  {
    id: 'low-lr-parity',
    title: 'Same accuracy with and without BN at a small learning rate',
    paper: 'Fig. 1',
    statement: 'At a small learning rate that the unnormalised net survives, networks with and without BN reach the same accuracy.',
    shows: 'lr = 1e-4: test accuracy ~81 % with BN, ~82 % without; train accuracy both ~100 %.',
  },
  {
    id: 'high-lr-benefit',
    title: "BN's benefit comes from the larger learning rates it allows",
    paper: 'Fig. 1',
    statement:
      "BN's benefit comes from the larger learning rates it allows: with BN, higher lr gives clearly higher test accuracy; without BN those learning rates diverge.",
    shows: 'BN: lr = 0.1 → ~93 %, lr = 0.003 → ~90.5 %, lr = 1e-4 → ~81 %. No-BN diverges at the larger rates (not plotted).',
  },
  {
    id: 'sgd-noise-bound',
    title: 'SGD noise grows with the step size and shrinks with the batch size',
    paper: '§3.1 (equation)',
    statement:
      "The SGD step's deviation from the full gradient step obeys E‖α∇ℓ(x) − α∇_SGD(x)‖² ≤ α²C/|B|, C the variance of one example's gradient: noise grows with α and shrinks with batch size.",
    shows: 'Stated as a bound; the relevant quantity is α/|B|.',
  },
  {
    id: 'divergence-vs-step-size',
    title: 'Without BN, one large gradient step makes the loss explode',
    paper: 'Fig. 2',
    statement: "One gradient step of growing size: the unnormalised net's loss explodes at step sizes where the BN net's barely moves.",
    shows:
      'Relative loss (loss after the step / before, same batch) at mini-batches 1, 4, 7. No-BN: flat until ~1e-3, then up to 1e6 by ~3e-3 – 1e-2. BN: stays within 10^-0.2 … 10^0.5 up to step 1e-1. Relative loss above 1e3 counts as divergence.',
  },
  {
    id: 'moments-explode-in-divergent-step',
    title: 'In a diverging step, activations blow up in the later layers',
    paper: 'Fig. 3',
    statement: 'During a diverging update of the unnormalised net, channel means and variances blow up in the later layers, not the early ones.',
    shows: 'Interpolating the step 0 → 100 %: layer 8 means ~1, variances ~1; layer 44 means ~3e3, variances ~5e6; layer 80 means ~3e8, variances ~5e16, all at the end of the step.',
  },
  {
    id: 'heavy-tailed-gradients',
    title: 'Without BN, gradients at initialisation are heavy-tailed and large',
    paper: 'Fig. 4',
    statement: "At initialisation the unnormalised net's gradients are heavy-tailed and large; with BN they are small and near-Gaussian.",
    shows: 'Gradients of layer 55 at init: with BN within ±0.04, bell-shaped; without BN spread over ±4 with a sharp spike at 0 and long tails (needs a log y-axis).',
  },
  {
    id: 'moments-grow-with-depth',
    title: 'Without BN, channel means and stds grow exponentially with depth',
    paper: 'Fig. 5',
    statement: 'At initialisation, channel means and standard deviations grow roughly exponentially with depth without BN, and stay flat with BN.',
    shows: 'Natural-log magnitude at layers 6 … 110: no-BN means from ~−1.5 to ~3.5, stds from ~−1.3 to ~3.0 (peak at 102); BN stays within ~−1.2 … 0.9 with no trend.',
  },
  {
    id: 'input-independent-gradients',
    title: 'Without BN, output gradients hardly depend on the input',
    paper: 'Fig. 6, Table 1',
    statement:
      'Without BN the output gradients at initialisation hardly depend on the input: the net predicts one class for almost every image, so per-example gradients share their sign and add up. With BN they depend on the input.',
    shows: 'Heat map (128 images × 10 classes): no-BN has one bright column, BN does not. Table 1: for a conv kernel, |Σ_b g_b| ≈ Σ_b |g_b| without BN, two orders of magnitude apart with BN.',
  },
  {
    id: 'final-layer-bn-recovers-two-thirds',
    title: 'BN in the final layer alone recovers about two thirds of the benefit',
    paper: '§4',
    statement: 'Adding BN to the final layer only captures about two thirds of the full BN improvement.',
    shows: 'recovery = (acc_final − acc_none) / (acc_all − acc_none) ≈ 2/3.',
  },
  {
    id: 'gaussian-product-spectra',
    title: 'Products of Gaussian matrices are ill-conditioned, more so with depth',
    paper: 'Fig. 7, §5',
    statement:
      'Singular values of a product of M random Gaussian N×N matrices pile up near zero and spread out as M grows: the condition number explodes with depth.',
    shows:
      'M = 1: quarter circle on [0, 2]; M = 3: support to ~3.1; M = 5: support to ~3.9 with a spike at 0 (N(0, 1/N) entries). Squared singular values follow the Fuss–Catalan law: support [0, (M+1)^(M+1)/M^M], k-th moment C((M+1)k, k)/(Mk+1).',
  },
  {
    id: 'depth-limits-learning-rate',
    title: 'Deeper unnormalised networks tolerate smaller learning rates',
    paper: '§5',
    statement: 'Shallower unnormalised ResNets tolerate larger learning rates than deep ones.',
    shows: 'Stated in the text: the largest stable learning rate falls as depth grows.',
  },
];
