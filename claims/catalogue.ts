/**
 * The claim catalogue: the one list of the paper's claims this suite tests, one typed entry per
 * claim, the training claims first. Everything else is taken from it or checked against it
 * (src/vitest/catalogue.test.ts):
 *   - each spec, claims/<id>.spec.ts, calls `claim('<id>', …)` and takes its title and paper
 *     reference from here (src/vitest/harness.ts);
 *   - the summary page's sections, statements and "the paper shows" (src/report/html.ts);
 *   - its training claims are those whose runs the training phase computes (CLAIM_RUNS in
 *     src/runs/sweep.ts);
 *   - the keys of every claims/baseline*.json and the rows of the README's claims table.
 * Bjorck, Gomes, Selman, Weinberger, "Understanding Batch Normalization", NeurIPS 2018 (arXiv
 * 1806.02375). Paper setup: ResNet-110 on CIFAR-10, SGD with momentum, batch 128, five runs per
 * setting. The paper's numbers are read off its figures by eye (±10 %): ../shared/paper/CLAIMS.md.
 */

export interface CatalogueEntry {
  /** A short title: the vitest test's name and the record's. */
  readonly title: string;
  /** Figure, table or section. */
  readonly paper: string;
  /** The claim, in one or two sentences. */
  readonly statement: string;
  /** The paper's numbers for comparison. */
  readonly shows: string;
  /**
   * Cost class: 'training' claims read the runs of one rate sweep and one cache of training runs
   * that the training phase computes before any claim starts (src/runs); 'probe' claims probe nets
   * at or near initialisation, or random matrices.
   */
  readonly cost: 'training' | 'probe';
  /**
   * The preconditions without which the assertion does not test the paper; unmet, the verdict is
   * inconclusive. Each is how one of the spec's c.require(…) descriptions begins (the spec adds
   * the threshold and what it is judged on), and every c.require of the spec begins with one
   * (checked by src/vitest/catalogue.test.ts). Empty: none.
   */
  readonly preconditions: readonly string[];
}

/**
 * The claims. The probe claims are listed longest first at the smoke profile (depth-limits, then
 * divergence-vs-step-size, then moments-explode; the timings: docs/measurements.md): the claims
 * sequencer starts them in this order (src/vitest/claims-sequencer.ts).
 */
export const CATALOGUE = {
  'high-lr-benefit': {
    title: "BN's benefit comes from the larger learning rates it allows",
    paper: 'Fig. 1',
    statement:
      "BN's benefit comes from the larger learning rates it allows: with BN, higher lr gives clearly higher test accuracy; without BN those learning rates diverge.",
    shows: 'BN: lr = 0.1 → ~93 %, lr = 0.003 → ~90.5 %, lr = 1e-4 → ~81 %. No-BN diverges at the larger rates (not plotted).',
    cost: 'training',
    preconditions: [
      'the sweep finds a low rate',
      'the sweep finds a high rate',
      'the unnormalised net learned at the low rate in most seeds',
    ],
  },
  'final-layer-bn-recovers-two-thirds': {
    title: 'BN on the final layer only recovers about two thirds of the BN improvement',
    paper: '§4',
    statement: 'Adding BN to the final layer only captures about two thirds of the full BN improvement.',
    shows: 'recovery = (acc_final − acc_none) / (acc_all − acc_none) ≈ 2/3.',
    cost: 'training',
    preconditions: [
      "the sweep finds the unnormalised net's rate",
      "the sweep finds BN's rate",
      'the sweep finds the best rate of BN on the final layer',
      'the unnormalised arm learned in most seeds',
      'BN on the final layer learned in most seeds',
      'the BN arm learned in most seeds',
      "full BN's gain over no BN is large enough for",
      "full BN's gain over no BN is significant",
    ],
  },
  'small-lr-sharper-minima': {
    title: 'Small learning rates end in sharper minima',
    paper: '§3',
    statement:
      'Small learning rates make slow progress on flat regions and settle in sharper minima; the larger rates BN allows end in flatter ones.',
    shows:
      'Argued in the text, no figure: sharpness (e.g. the top Hessian eigenvalue of the training loss) higher after training with a small rate.',
    cost: 'training',
    preconditions: [
      'the sweep finds a low rate',
      'the sweep finds a high rate',
      'the unnormalised net learned at the small (low) rate in most seeds',
      'the BN nets learned at both rates and reached the matched training loss',
    ],
  },
  'low-lr-parity': {
    title: 'At a small learning rate, networks with and without BN reach the same accuracy',
    paper: 'Fig. 1',
    statement: 'At a small learning rate that the unnormalised net survives, networks with and without BN reach the same accuracy.',
    shows: 'lr = 1e-4: test accuracy ~81 % with BN, ~82 % without; train accuracy both ~100 %.',
    cost: 'training',
    preconditions: [
      'the sweep finds a low rate',
      'the unnormalised net learned at the low rate in most seeds',
      'the BN net learned at the low rate in most seeds',
      'the unnormalised net converged in every pair judged',
      'the BN net converged in every pair judged',
    ],
  },
  'depth-limits-learning-rate': {
    title: 'Shallower unnormalised ResNets tolerate larger learning rates',
    paper: '§5',
    statement: 'Shallower unnormalised ResNets tolerate larger learning rates than deep ones.',
    shows: 'Stated in the text: the largest stable learning rate falls as depth grows.',
    cost: 'probe',
    preconditions: [],
  },
  'divergence-vs-step-size': {
    title: "One step of growing size: without BN the loss explodes where BN's barely moves",
    paper: 'Fig. 2',
    statement: "One gradient step of growing size: the unnormalised net's loss explodes at step sizes where the BN net's barely moves.",
    shows:
      'Relative loss (loss after the step / before, same batch) at mini-batches 1, 4, 7. No-BN: flat until ~1e-3, then up to 1e6 by ~3e-3 – 1e-2. BN: stays within 10^-0.2 … 10^0.5 up to step 1e-1. Relative loss above 1e3 counts as divergence.',
    cost: 'probe',
    preconditions: [],
  },
  'moments-explode-in-divergent-step': {
    title: 'In a diverging step without BN, channel moments blow up in the later layers',
    paper: 'Fig. 3',
    statement:
      'During a diverging update of the unnormalised net, channel means and variances blow up in the later layers, not the early ones.',
    shows:
      'Interpolating the step 0 → 100 %: layer 8 means ~1, variances ~1; layer 44 means ~3e3, variances ~5e6; layer 80 means ~3e8, variances ~5e16, all at the end of the step.',
    cost: 'probe',
    preconditions: ['a step whose relative loss exceeds 1e6 exists on the grid'],
  },
  'moments-grow-with-depth': {
    title: 'Without BN, channel means and stds grow exponentially with depth; with BN they stay flat',
    paper: 'Fig. 5',
    statement:
      'At initialisation, channel means and standard deviations grow roughly exponentially with depth without BN, and stay flat with BN.',
    shows:
      'Natural-log magnitude at layers 6 … 110: no-BN means from ~−1.5 to ~3.5, stds from ~−1.3 to ~3.0 (peak at 102); BN stays within ~−1.2 … 0.9 with no trend.',
    cost: 'probe',
    preconditions: [],
  },
  'sgd-noise-bound': {
    title: 'SGD noise obeys E‖α(g_B − g)‖² ≤ α²C/|B|: it grows with α and shrinks with batch size',
    paper: '§3.1',
    statement:
      "The SGD step's deviation from the full gradient step obeys E‖α∇ℓ(x) − α∇_SGD(x)‖² ≤ α²C/|B|, C the variance of one example's gradient: noise grows with α and shrinks with batch size.",
    shows: 'Stated as a bound; the relevant quantity is α/|B|.',
    cost: 'probe',
    preconditions: [],
  },
  'input-independent-gradients': {
    title: 'Without BN, output gradients at initialisation hardly depend on the input',
    paper: 'Fig. 6, Table 1',
    statement:
      'Without BN the output gradients at initialisation hardly depend on the input: the net predicts one class for almost every image, so per-example gradients share their sign and add up. With BN they depend on the input.',
    shows:
      'Heat map (128 images × 10 classes): no-BN has one bright column, BN does not. Table 1: for a conv kernel, |Σ_b g_b| ≈ Σ_b |g_b| without BN, two orders of magnitude apart with BN.',
    cost: 'probe',
    preconditions: [],
  },
  'heavy-tailed-gradients': {
    title: 'Without BN, gradients at initialisation are heavy-tailed and large',
    paper: 'Fig. 4',
    statement: "At initialisation the unnormalised net's gradients are heavy-tailed and large; with BN they are small and near-Gaussian.",
    shows:
      'Gradients of layer 55 at init: with BN within ±0.04, bell-shaped; without BN spread over ±4 with a sharp spike at 0 and long tails (needs a log y-axis).',
    cost: 'probe',
    preconditions: [],
  },
  'gaussian-product-spectra': {
    title: 'Singular values of Gaussian matrix products pile up at zero and spread out with depth',
    paper: 'Fig. 7, §5',
    statement:
      'Singular values of a product of M random Gaussian N×N matrices pile up near zero and spread out as M grows: the condition number explodes with depth.',
    shows:
      'M = 1: quarter circle on [0, 2]; M = 3: support to ~3.1; M = 5: support to ~3.9 with a spike at 0 (N(0, 1/N) entries). Squared singular values follow the Fuss–Catalan law: support [0, (M+1)^(M+1)/M^M], k-th moment C((M+1)k, k)/(Mk+1).',
    cost: 'probe',
    preconditions: [],
  },
} as const satisfies Record<string, CatalogueEntry>;

export type ClaimId = keyof typeof CATALOGUE;

/** The claim ids in run order. */
export const CLAIM_IDS = Object.keys(CATALOGUE) as ClaimId[];

/** An entry with its id, as lists want it. */
export type CatalogueClaim = CatalogueEntry & { readonly id: string };
/** The entries with their ids, in run order. */
export const CLAIMS: readonly CatalogueClaim[] = CLAIM_IDS.map((id) => ({ id, ...CATALOGUE[id] }));

export function isClaimId(id: string): id is ClaimId {
  return Object.hasOwn(CATALOGUE, id);
}
