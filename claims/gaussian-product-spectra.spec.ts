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
 * Assertions (tolerances from the finite-N theory in src/rmt/spectrum-summary.ts):
 *  - first moment of s²: the mean over seeds within 4 standard errors of the exact finite-N
 *    expectation 1 (sd √V_M/N per matrix, from Wick's theorem);
 *  - second and third moments within 10 % of Fuss–Catalan (their finite-N bias and spread are
 *    O(1/N) with constants that grow with M; at N = 200 a few %, so 10 % leaves room and still
 *    separates M = 3 from M = 5, whose moments differ by > 30 %);
 *  - a KS test of s² against the Fuss–Catalan CDF does not reject (p > 0.01) for any M and seed;
 *  - the share of singular values below 0.1 and the (median) condition number increase with M.
 * Last evidence (smoke, BN_SEED=0, 2026-12-01, wasm): holds. Moments 1–3 of s² within 3.5 % of
 *  Fuss–Catalan for M = 1, 3, 5, KS p > 0.99 in every seed; share below 0.1: 0.063 < 0.271 < 0.412;
 *  median condition number 6.0e2 < 4.6e5 < 4.0e9.
 */
import { claim } from '../src/vitest/harness';
import { finiteNMoments, fussCatalanEdge, singularValueDensity, spectrumSummary, type SpectrumSummary } from '../src/rmt';
import { config } from '../src/config';
import { seeds } from '../src/setup';
import { mean, median } from '../src/stats/moments';

const MS = [1, 3, 5];
const EPS = 0.1;

claim('gaussian-product-spectra', async (c) => {
  const N = config().profile === 'paper' ? 1000 : 200;
  const S = seeds();
  c.data('Gaussian matrices, N(0, 1/N) entries');
  c.scale({ model: `product of M Gaussian ${N}×${N} matrices`, width: N, seeds: S.length, extra: { M: MS.join(', ') } });

  const runs = new Map<number, SpectrumSummary[]>();
  for (const M of MS)
    runs.set(
      M,
      S.map((seed) => spectrumSummary(M, N, seed * 1000 + M, EPS)),
    );

  const shares: number[] = [];
  const conds: number[] = [];
  for (const M of MS) {
    const r = runs.get(M)!;
    const m = (k: number) => r.map((s) => s.moments[k - 1]!.empirical);
    const theory = (k: number) => r[0]!.moments[k - 1]!.theory;
    const exact = finiteNMoments(M, N);
    const m1 = mean(m(1));
    const se1 = exact.m1Sd / Math.sqrt(r.length);
    c.stat(`M=${M}: first moment of s²`, m1, { paper: '1 (Fuss–Catalan)', note: `exact finite-N sd of the mean ${se1.toExponential(2)}` });
    c.check(
      `M=${M}: first moment within 4 standard errors of 1`,
      Math.abs(m1 - 1) <= 4 * se1,
      `${m1.toFixed(5)} ± ${(4 * se1).toExponential(2)}`,
    );
    for (const k of [2, 3]) {
      const rel = Math.abs(mean(m(k)) - theory(k)) / theory(k);
      c.stat(`M=${M}: moment ${k} of s²`, mean(m(k)), {
        paper: `${theory(k)} (Fuss–Catalan)`,
        note: `relative error ${(rel * 100).toFixed(2)} %`,
      });
      c.check(
        `M=${M}: moment ${k} within 10 % of Fuss–Catalan ${theory(k)}`,
        rel <= 0.1,
        `${mean(m(k)).toFixed(3)} (${(rel * 100).toFixed(2)} %)`,
      );
    }
    const ksP = Math.min(...r.map((s) => s.ks.p));
    c.stat(`M=${M}: KS distance to Fuss–Catalan (max over seeds)`, Math.max(...r.map((s) => s.ks.D)), {
      p: ksP,
      note: 'p is conservative: eigenvalues are more regular than i.i.d. draws',
    });
    c.check(
      `M=${M}: KS test against the Fuss–Catalan CDF does not reject (p > 0.01) in any seed`,
      ksP > 0.01,
      `min p ${ksP.toPrecision(3)}`,
    );
    const top = median(r.map((s) => s.topSingularValue));
    c.stat(`M=${M}: top singular value (median)`, top, {
      paper: M === 1 ? '2' : M === 3 ? '~3.1' : '~3.9',
      note: `theory √edge = ${Math.sqrt(fussCatalanEdge(M)).toFixed(3)}`,
    });
    shares.push(mean(r.map((s) => s.shareBelow.empirical)));
    conds.push(median(r.map((s) => s.conditionNumber)));
    c.stat(`M=${M}: share of singular values below ${EPS}`, shares.at(-1)!, {
      note: `Fuss–Catalan predicts ${r[0]!.shareBelow.theory.toFixed(4)}`,
    });
    c.stat(`M=${M}: condition number (median)`, conds.at(-1)!);
  }
  const increasing = (v: number[]) => v.every((x, i) => i === 0 || x > v[i - 1]!);
  c.check(`the share of singular values below ${EPS} increases with M`, increasing(shares), shares.map((s) => s.toFixed(4)).join(' < '));
  c.check('the condition number increases with M', increasing(conds), conds.map((s) => s.toExponential(2)).join(' < '));

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
