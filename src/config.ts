/**
 * The environment, parsed once at the boundary (zod), typed everywhere inside.
 *
 *   BN_PROFILE = smoke (default) | full | paper
 *   BN_BACKEND = auto (default) | tensorflow | webgpu | wasm | cpu
 *   BN_DATA    = fashion-mnist (default, embedded subset) | fashion-mnist:DIR | cifar10:DIR | synthetic
 *   BN_SEED    = base seed, a non-negative integer (default 0)
 *   BN_SEEDS   = seeds per claim, 1..99 (default: the profile's): fewer for a quick run, as the
 *                gate-honesty test does; the records say how many were used. Below the training
 *                claims' sweep seeds, BN_SEED + 100, …, so that no claim seed is a sweep seed
 *   BN_WORKERS = processes a claims run computes in at once, 1..9999 (default: the machine's
 *                available parallelism, capped by memory: src/runs/workers.ts): the training
 *                phase's workers and the claims project's vitest workers
 *   BN_FAULT   = none (default) | bn-no-normalise: a deliberately broken BN (keeps γ, β, skips the
 *                normalisation), to prove that the claims and the gate catch a regression
 *   BN_REPORTS_DIR = where a claim run writes claims.json, figures and index.html (default
 *                `reports`, relative to the working directory): lets a test run a real claim
 *                without touching the checkout's reports
 *   BN_SUITE_RUN_ID = the suite run whose training runs to resume (a folder under <reports>/.runs/:
 *                src/runs/cache.ts); `npm run train` fills it
 *   BN_TRAIN_WORKER = the tests' fake training worker (a module path) instead of the real one
 *   BN_REQUIRE_SYSTEM_PACKAGES = 1: a test that needs a system package (Vulkan, Chromium, the
 *                full Fashion-MNIST) fails where the package is missing instead of skipping
 *                (.ci/run sets it, after installing them)
 *
 * A bad value is a start-up error with one readable line naming the variable, the value and what
 * is allowed: `BN_PROFILE="fast" is not valid: expected one of smoke | full | paper`.
 */
import { z } from 'zod';

export const Profile = z.enum(['smoke', 'full', 'paper']);
export type Profile = z.infer<typeof Profile>;

export const BackendName = z.enum(['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu']);
export type BackendName = z.infer<typeof BackendName>;

export const DataSpec = z.union([
  z.object({ kind: z.literal('fashion-mnist'), dir: z.string().min(1).optional() }),
  z.object({ kind: z.literal('cifar10'), dir: z.string().min(1) }),
  z.object({ kind: z.literal('synthetic') }),
]);
export type DataSpec = z.infer<typeof DataSpec>;

/** The training claims' rate sweep runs at seeds BN_SEED + 100, …: BN_SEEDS stays below. */
export const SWEEP_SEED_OFFSET = 100;

export const Fault = z.enum(['none', 'bn-no-normalise']);
export type Fault = z.infer<typeof Fault>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** `fashion-mnist`, `fashion-mnist:DIR`, `cifar10:DIR`, `synthetic` → a DataSpec. */
export function parseDataSpec(raw: string): DataSpec {
  const i = raw.indexOf(':');
  const kind = i < 0 ? raw : raw.slice(0, i);
  const dir = i < 0 ? undefined : raw.slice(i + 1);
  const allowed = 'fashion-mnist | fashion-mnist:DIR | cifar10:DIR | synthetic';
  if (kind === 'fashion-mnist') {
    if (dir !== undefined && dir.length === 0)
      throw new ConfigError(`BN_DATA="${raw}" is not valid: the directory after "fashion-mnist:" is empty (expected ${allowed})`);
    return dir === undefined ? { kind } : { kind, dir };
  }
  if (kind === 'cifar10') {
    if (!dir)
      throw new ConfigError(
        `BN_DATA="${raw}" is not valid: cifar10 needs a directory, e.g. cifar10:/data/cifar-10-batches-bin (expected ${allowed})`,
      );
    return { kind, dir };
  }
  if (kind === 'synthetic' && dir === undefined) return { kind };
  throw new ConfigError(`BN_DATA="${raw}" is not valid: expected ${allowed}`);
}

const EnvSchema = z.object({
  BN_PROFILE: Profile.default('smoke'),
  BN_BACKEND: BackendName.default('auto'),
  BN_DATA: z.string().default('fashion-mnist'),
  BN_FAULT: Fault.default('none'),
  BN_SEED: z
    .string()
    .regex(/^\d+$/, 'expected a non-negative integer')
    .default('0')
    .transform((s) => Number(s))
    .refine((n) => Number.isSafeInteger(n) && n <= 2 ** 31 - 1, 'expected an integer below 2^31'),
  BN_SEEDS: z
    .string()
    .regex(/^[1-9]\d*$/, `expected a positive integer (1..${SWEEP_SEED_OFFSET - 1})`)
    .transform((s) => Number(s))
    .refine(
      (n) => n < SWEEP_SEED_OFFSET,
      `expected at most ${SWEEP_SEED_OFFSET - 1}: the sweep's seeds start at BN_SEED + ${SWEEP_SEED_OFFSET}`,
    )
    .optional(),
  BN_WORKERS: z
    .string()
    .regex(/^[1-9]\d{0,3}$/, 'expected a positive integer (1..9999)')
    .transform((s) => Number(s))
    .optional(),
});

export interface Config {
  profile: Profile;
  backend: BackendName;
  data: DataSpec;
  /** The raw BN_DATA string, for records. */
  dataName: string;
  seed: number;
  fault: Fault;
  /** BN_SEEDS: seeds per claim, overriding the profile's; absent = the profile's */
  seeds?: number;
  /** BN_WORKERS: worker processes of a claims run; absent = src/runs/workers.ts's default */
  workers?: number;
}

/** Parse an environment (default: process.env). Empty strings count as unset. */
export function parseConfig(env: Record<string, string | undefined> = process.env): Config {
  const picked: Record<string, string> = {};
  for (const k of ['BN_PROFILE', 'BN_BACKEND', 'BN_DATA', 'BN_SEED', 'BN_FAULT', 'BN_SEEDS', 'BN_WORKERS'] as const) {
    const v = env[k];
    if (v !== undefined && v.trim() !== '') picked[k] = v.trim();
  }
  const r = EnvSchema.safeParse(picked);
  if (!r.success) {
    const lines = r.error.issues.map((iss) => {
      const key = String(iss.path[0]);
      const allowed =
        iss.code === 'invalid_value' && 'values' in iss ? `expected one of ${(iss.values as unknown[]).join(' | ')}` : iss.message;
      return `${key}="${picked[key]}" is not valid: ${allowed}`;
    });
    throw new ConfigError(lines.join('; '));
  }
  const data = parseDataSpec(r.data.BN_DATA);
  const c: Config = {
    profile: r.data.BN_PROFILE,
    backend: r.data.BN_BACKEND,
    data,
    dataName: r.data.BN_DATA,
    seed: r.data.BN_SEED,
    fault: r.data.BN_FAULT,
  };
  if (r.data.BN_SEEDS !== undefined) c.seeds = r.data.BN_SEEDS;
  if (r.data.BN_WORKERS !== undefined) c.workers = r.data.BN_WORKERS;
  return c;
}

/** The reports folder of a claim run: BN_REPORTS_DIR, or `reports`. */
export function reportsDir(env: Record<string, string | undefined> = process.env): string {
  const v = env.BN_REPORTS_DIR?.trim();
  return v ? v : 'reports';
}

/** BN_SUITE_RUN_ID: the suite run (a folder under <reports>/.runs/) to resume or fill; unset or blank: none. */
export function suiteRunId(env: Record<string, string | undefined> = process.env): string | undefined {
  return env.BN_SUITE_RUN_ID?.trim() || undefined;
}

/**
 * BN_TRAIN_WORKER: the tests' stand-in for the training worker (a path, e.g.
 * src/runs/testing/fake-train-worker.ts, which computes fake runs at once); unset: the real one.
 */
export function trainWorkerOverride(env: Record<string, string | undefined> = process.env): string | undefined {
  return env.BN_TRAIN_WORKER?.trim() || undefined;
}

/** BN_REQUIRE_SYSTEM_PACKAGES: `1` turns a test's skip for a missing system package into a failure. */
export function systemPackagesRequired(env: Record<string, string | undefined> = process.env): boolean {
  const v = env.BN_REQUIRE_SYSTEM_PACKAGES?.trim() ?? '';
  if (v !== '' && v !== '0' && v !== '1') throw new ConfigError(`BN_REQUIRE_SYSTEM_PACKAGES="${v}" is not valid: expected 0 | 1`);
  return v === '1';
}

let cached: Config | undefined;
/** The process's configuration, parsed on first use. */
export function config(): Config {
  cached ??= parseConfig();
  return cached;
}
