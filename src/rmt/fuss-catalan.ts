/**
 * The Fuss–Catalan law: the limit (N → ∞) distribution of the squared singular values of a
 * product of M independent N×N Gaussian matrices with N(0, 1/N) entries (M = 1 is the
 * Marchenko–Pastur law with ratio 1).
 *
 *   moments  m_k = C((M+1)k, k) / (Mk + 1)          (Fuss–Catalan numbers; M = 1: Catalan)
 *   support  [0, (M+1)^(M+1) / M^M]                  (M = 1: 4, M = 2: 6.75, M = 3: 9.48, …)
 *   near 0   density ~ c·x^(−M/(M+1))                 (ever more mass near zero as M grows)
 *
 * No elementary closed form of the density exists for M ≥ 2, but it has an explicit
 * parametrisation (Haagerup & Möller 2012; Neuschel 2014; used by Penson & Życzkowski 2011):
 * for φ ∈ (0, π/(M+1)),
 *   x(φ) = sin((M+1)φ)^(M+1) / (sin φ · sin(Mφ)^M)              decreasing from the edge to 0,
 *   ρ(φ) = sin(φ)² · sin(Mφ)^(M−1) / (π · sin((M+1)φ)^M).
 * The density at x is ρ(φ(x)), with φ(x) found by bisection (x(φ) is monotone). The CDF is
 * F(x) = ∫_{φ(x)}^{π/(M+1)} g(φ) dφ with g = ρ·(−dx/dφ), which simplifies to
 *   g(φ) = −(sin φ / (π sin Mφ)) · [(M+1)² cos((M+1)φ) − sin((M+1)φ)(cot φ + M² cot Mφ)],
 * a function that is analytic on the closed interval (the x^(−M/(M+1)) singularity of the
 * density is gone in the φ variable), so composite Gauss–Legendre quadrature converges
 * exponentially: the total mass and the moments come out right to ~1e-13, which the tests check.
 */

/** Largest squared singular value in the limit: (M+1)^(M+1) / M^M. */
export function fussCatalanEdge(M: number): number {
  checkM(M);
  return Math.pow(M + 1, M + 1) / Math.pow(M, M);
}

/**
 * Soft-edge scale σ_M: for finite N the largest squared singular value fluctuates as
 * λ_max ≈ b + σ_M·N^(−2/3)·TW with b the edge and TW a Tracy–Widom variable (β = 1 for real
 * Gaussians: mean −1.21, sd 1.27, so λ_max sits below the edge on average). σ_M follows from the
 * square-root edge of the law, ρ(x) ≈ (C/π)·√(b − x), by matching the Airy kernel's density
 * √(−s)/π: σ_M = C^(−2/3). Expanding the parametrisation at φ → 0 (x ≈ b(1 − M(M+1)φ²/2),
 * ρ ≈ φ·M^(M−1)/(π(M+1)^M)) gives C = M^(M−1) / ((M+1)^M · √(b·M(M+1)/2)).
 * M = 1: C = 1/4, σ_1 = 2^(4/3), the classical Wishart (c = 1) edge scale.
 */
export function fussCatalanEdgeScale(M: number): number {
  const b = fussCatalanEdge(M);
  const C = Math.pow(M, M - 1) / (Math.pow(M + 1, M) * Math.sqrt((b * M * (M + 1)) / 2));
  return Math.pow(C, -2 / 3);
}

/** k-th moment of the law, C((M+1)k, k)/(Mk+1), as a double (exact while below 2^53). */
export function fussCatalanMoment(M: number, k: number): number {
  checkM(M);
  if (!Number.isSafeInteger(k) || k < 0) throw new RangeError(`fussCatalanMoment: k must be a non-negative integer, got ${k}`);
  // C(n, k) as a running product; each partial product C(n−k+i, i) is an integer, so the
  // result is exact while the numbers stay below 2^53 (then rounding restores the integer).
  const n = (M + 1) * k;
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  const m = c / (M * k + 1);
  return m < 2 ** 53 ? Math.round(m) : m;
}

function checkM(M: number): void {
  if (!Number.isSafeInteger(M) || M < 1) throw new RangeError(`M (number of factors) must be a positive integer, got ${M}`);
}

/** The parametrisation at angle φ ∈ (0, π/(M+1)): the point x(φ) and the density ρ(φ) there. */
export function fussCatalanAtAngle(M: number, phi: number): { x: number; density: number } {
  checkM(M);
  const s1 = Math.sin(phi);
  const sm = Math.sin(M * phi);
  const sm1 = Math.sin((M + 1) * phi);
  return {
    x: Math.pow(sm1, M + 1) / (s1 * Math.pow(sm, M)),
    density: (s1 * s1 * Math.pow(sm, M - 1)) / (Math.PI * Math.pow(sm1, M)),
  };
}

/** g(φ) = ρ(φ)·(−dx/dφ): the CDF's integrand in the angle variable (analytic, see the notes). */
function angleIntegrand(M: number, phi: number): number {
  if (phi === 0) return 0;
  const s1 = Math.sin(phi);
  const sm = Math.sin(M * phi);
  const sm1 = Math.sin((M + 1) * phi);
  const bracket = (M + 1) * (M + 1) * Math.cos((M + 1) * phi) - sm1 * (Math.cos(phi) / s1 + (M * M * Math.cos(M * phi)) / sm);
  return -(s1 / (Math.PI * sm)) * bracket;
}

/** φ(x): the angle where x(φ) = x, by bisection on the decreasing map φ ↦ x(φ). */
function angleOf(M: number, x: number): number {
  let lo = 0; // x(lo) = edge
  let hi = Math.PI / (M + 1); // x(hi) = 0
  for (let it = 0; it < 200; it++) {
    const mid = 0.5 * (lo + hi);
    if (mid === lo || mid === hi) break;
    if (fussCatalanAtAngle(M, mid).x > x) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

// 20-point Gauss–Legendre nodes and weights on [−1, 1], by Newton on P_20 (computed once).
const GL = gaussLegendre(20);

function gaussLegendre(n: number): { nodes: Float64Array; weights: Float64Array } {
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 0;
    for (let it = 0; it < 100; it++) {
      let p0 = 1;
      let p1 = z;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * z * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      dp = (n * (z * p1 - p0)) / (z * z - 1);
      const dz = p1 / dp;
      z -= dz;
      if (Math.abs(dz) < 1e-16) break;
    }
    nodes[i] = z;
    weights[i] = 2 / ((1 - z * z) * dp * dp);
  }
  return { nodes, weights };
}

/** ∫_a^b f with 20-point Gauss–Legendre on `panels` equal panels. */
function integrate(f: (t: number) => number, a: number, b: number, panels = 4): number {
  const h = (b - a) / panels;
  let total = 0;
  for (let p = 0; p < panels; p++) {
    const mid = a + (p + 0.5) * h;
    for (let i = 0; i < GL.nodes.length; i++) total += GL.weights[i]! * f(mid + 0.5 * h * GL.nodes[i]!);
  }
  return 0.5 * h * total;
}

/** Density of the squared singular values at x (Infinity at x = 0, 0 outside the support). */
export function fussCatalanDensity(M: number, x: number): number {
  checkM(M);
  if (Number.isNaN(x)) throw new RangeError('fussCatalanDensity: x is NaN');
  const edge = fussCatalanEdge(M);
  if (x < 0 || x >= edge) return 0;
  if (x === 0) return Infinity;
  return fussCatalanAtAngle(M, angleOf(M, x)).density;
}

/** CDF of the squared singular values: P(s² ≤ x). */
export function fussCatalanCdf(M: number, x: number): number {
  checkM(M);
  if (Number.isNaN(x)) throw new RangeError('fussCatalanCdf: x is NaN');
  if (x <= 0) return 0;
  if (x >= fussCatalanEdge(M)) return 1;
  const v = integrate((phi) => angleIntegrand(M, phi), angleOf(M, x), Math.PI / (M + 1));
  return Math.min(1, Math.max(0, v));
}

/** ∫ x^k dF by quadrature in the angle variable (a check on the parametrisation; m_k is exact). */
export function fussCatalanMomentByQuadrature(M: number, k: number): number {
  checkM(M);
  return integrate((phi) => (phi === 0 ? 0 : Math.pow(fussCatalanAtAngle(M, phi).x, k) * angleIntegrand(M, phi)), 0, Math.PI / (M + 1), 8);
}

/** Density of the singular values s = √x themselves: 2s·ρ(s²) on [0, √edge] (for Fig. 7 histograms). */
export function singularValueDensity(M: number, s: number): number {
  checkM(M);
  if (Number.isNaN(s)) throw new RangeError('singularValueDensity: s is NaN');
  // At s = 0: the quarter circle √(4 − s²)/π gives 2/π for M = 1; for M ≥ 2 the density of s
  // diverges like s^((1−M)/(M+1)).
  if (s === 0) return M === 1 ? 2 / Math.PI : Infinity;
  if (s < 0) return 0;
  return 2 * s * fussCatalanDensity(M, s * s);
}
