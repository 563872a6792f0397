/**
 * gaussian-product-spectra — paper Fig. 7, §5.
 * "Singular values of a product of M random Gaussian N×N matrices pile up near zero and spread out
 *  as M grows: the condition number explodes with depth." Paper: 1 matrix: quarter-circle on
 *  [0, 2]; 3: support to ~3.1; 5: support to ~3.9 with a spike at 0 (N(0, 1/N) entries).
 *  Random-matrix theory: the squared singular values follow the Fuss–Catalan law with parameter
 *  M: support [0, (M+1)^(M+1)/M^M], k-th moment (1/(Mk+1))·C((M+1)k, k).
 *
 * Experiment: for M = 1, 3, 5 and each seed, the singular values of a product of M independent
 * N×N matrices with N(0, 1/N) entries (N = 200 smoke, 1000 paper).
 * Assertions (tolerances from the finite-N theory in src/rmt/spectrum-summary.ts). Decisions of
 * 2026-12-07 (issue 23), committed before the confirmatory runs at BN_SEED = 0, 1000, 2000 and a
 * random base; calibration and measured numbers in docs/probe-claims.md, the verdict in
 * claims/baseline.json. The real check is the moments within a stated tolerance, as an
 * equivalence test: a KS test that "does not reject" is no evidence of agreement (it passes more
 * easily the noisier the data), so its distance and p are recorded, not asserted; so is the first
 * moment against its exact finite-N expectation, in standard errors.
 *  - moments k = 1, 2 of s² for M = 1, 3, 5: TOST at 5 %, the 90 % t-interval over seeds of the
 *    mean of m_k / FC_k inside [0.9, 1.1] (the finite-N bias and spread are O(1/N) with constants
 *    that grow with M and k, so 10 % leaves room at N = 200 and still separates M = 3 from M = 5,
 *    whose moments differ by > 30 %);
 *  - the share of singular values below 0.1 and the (median) condition number increase with M.
 * The third moment is recorded, not asserted: on calibration seeds 9000–9019 its finite-N bias at
 * M = 5 and N = 200 is +11 % (sd 0.15 over seeds), the tolerance's own size, so the check would
 * test N, not the law (the section-1 plan asserted it; revised before any confirmatory run).
 * Seeds: 40, so that the 90 % interval of moment 2 at M = 5 (bias +5.2 %, sd 0.078 in
 * calibration) lies inside 10 % with probability ≈ 0.99; 5 seeds would pass it about a quarter of the
 * time. Cheap: N = 200 products and their SVDs.
 */
import { config } from '../src/config';
import { finiteNMoments, fussCatalanEdge, singularValueDensity, spectrumSummary, type SpectrumSummary } from '../src/rmt';
import { report } from '../src/report/judged';
import { seeds } from '../src/setup';
import { claim } from '../src/vitest/harness';
import { EPS, judgeSpectra, matrixSize, MS, N_SEEDS } from './gaussian-product-spectra.judge';

claim('gaussian-product-spectra', async (c) => {
  const N = matrixSize(config().profile);
  const S = seeds(config().seeds ?? N_SEEDS); // BN_SEEDS overrides it (quick runs), as for every claim
  c.data('Gaussian matrices, N(0, 1/N) entries');
  c.scale({ model: `product of M Gaussian ${N}×${N} matrices`, width: N, seeds: S.length, extra: { M: MS.join(', ') } });

  const runs = new Map<number, SpectrumSummary[]>();
  for (const M of MS)
    runs.set(
      M,
      S.map((seed) => spectrumSummary(M, N, seed * 1000 + M, EPS)),
    );
  report(c, judgeSpectra({ N, byM: MS.map((M) => ({ M, runs: runs.get(M)!, m1Sd: finiteNMoments(M, N).m1Sd })) }));

  const xs = Array.from({ length: 400 }, (_, i) => 0.005 + (4 * i) / 400);
  c.figure({
    kind: 'histogramWithDensity',
    title: 'Singular values of a product of M Gaussian matrices',
    caption: `N = ${N}, N(0, 1/N) entries, ${S.length} seeds pooled; curves: Fuss–Catalan law`,
    panels: MS.map((M) => ({
      title: `M = ${M}`,
      series: [{ name: `M = ${M}`, values: Float64Array.from(runs.get(M)!.flatMap((s) => Array.from(s.singularValues))) }],
      densities: [
        {
          name: 'theory',
          x: xs.filter((x) => x < Math.sqrt(fussCatalanEdge(M))),
          pdf: xs.filter((x) => x < Math.sqrt(fussCatalanEdge(M))).map((s) => singularValueDensity(M, s)),
          series: `M = ${M}`,
        },
      ],
      binCount: 60,
      xDomain: [0, 4] as [number, number],
      xLabel: 'singular value',
      yLabel: 'count',
      legend: 'top-right' as const,
    })),
  });
});
