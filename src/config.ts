/**
 * The environment, parsed once at the boundary (zod), typed everywhere inside.
 *
 *   BN_PROFILE = smoke (default) | full | paper
 *   BN_BACKEND = auto (default) | tensorflow | webgpu | wasm | cpu
 *   BN_DATA    = fashion-mnist (default, embedded subset) | fashion-mnist:DIR | cifar10:DIR | synthetic
 *   BN_SEED    = base seed, a non-negative integer (default 0)
 *   BN_DATA_SEED = which images the training claims train and validate on (their subset of the
 *                training split, their held-out validation images and the curve's test subset),
 *                a non-negative integer (default 0). Fixed while BN_SEED moves, as the paper's one
 *                dataset is: a seed base varies initialisation, batch order and augmentation; set
 *                it to see how a verdict depends on the images (docs/full-profile.md, version 5)
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
 *   BN_QUIET   = 1: no "[backend] using …" line (tests, and the processes they start)
 *   BN_WASM_KERNELS = 0: the wasm backend runs tfjs's own paths instead of the project's kernels
 *                (src/backend/wasm-module.ts), for comparisons
 *   BN_HTML_REPORT = 1: write the vitest HTML report whatever the command (vitest.config.ts)
 *   BN_BENCH_*, BN_PROFILE_STEPS: the bench's settings (benchSettings, profileSteps below)
 *   Not ours, read here too: VK_ICD_FILENAMES / VK_DRIVER_FILES (the Vulkan loader's driver
 *   list), CHROMIUM_PATH (the browser test's Chromium), and the test fakes' FAKE_TRAIN_*.
 *
 * This is the one file that reads (or writes) process.env: everything else asks it, and a child
 * process's environment is built by childEnv (scripts/code-shape.ts checks it).
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

/** A seed variable (BN_SEED, BN_DATA_SEED): a non-negative integer below 2^31, unset = 0. */
const seedVar = () =>
  z
    .string()
    .regex(/^\d+$/, 'expected a non-negative integer')
    .default('0')
    .transform((s) => Number(s))
    .refine((n) => Number.isSafeInteger(n) && n <= 2 ** 31 - 1, 'expected an integer below 2^31');

const EnvSchema = z.object({
  BN_PROFILE: Profile.default('smoke'),
  BN_BACKEND: BackendName.default('auto'),
  BN_DATA: z.string().default('fashion-mnist'),
  BN_FAULT: Fault.default('none'),
  BN_SEED: seedVar(),
  BN_DATA_SEED: seedVar(),
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
  /** BN_DATA_SEED: the training claims' images (their subset, validation and curve images) */
  dataSeed: number;
  fault: Fault;
  /** BN_SEEDS: seeds per claim, overriding the profile's; absent = the profile's */
  seeds?: number;
  /** BN_WORKERS: worker processes of a claims run; absent = src/runs/workers.ts's default */
  workers?: number;
}

type Env = Record<string, string | undefined>;

/** One readable line per bad variable, `NAME="value" is not valid: what is allowed`, joined by "; ". */
function configError(error: z.ZodError, picked: Record<string, string>): ConfigError {
  const lines = error.issues.map((iss) => {
    const key = String(iss.path[0]);
    const allowed =
      iss.code === 'invalid_value' && 'values' in iss ? `expected one of ${(iss.values as unknown[]).join(' | ')}` : iss.message;
    return `${key}="${picked[key]}" is not valid: ${allowed}`;
  });
  return new ConfigError(lines.join('; '));
}

/** The variables `schema` names, trimmed, empty strings as unset, parsed by it: a bad one is a ConfigError in the style above. */
function parseVars<S extends z.ZodObject>(schema: S, env: Env): z.infer<S> {
  const picked: Record<string, string> = {};
  for (const k of Object.keys(schema.shape)) {
    const v = env[k];
    if (v !== undefined && v.trim() !== '') picked[k] = v.trim();
  }
  const r = schema.safeParse(picked);
  if (!r.success) throw configError(r.error, picked);
  return r.data;
}

/** A 0 | 1 switch, unset = `byDefault`. */
const flag = (byDefault: boolean) =>
  z
    .string()
    .regex(/^[01]$/, 'expected 0 | 1')
    .optional()
    .transform((v) => (v === undefined ? byDefault : v === '1'));

const positiveInt = (what: string) =>
  z
    .string()
    .regex(/^[1-9]\d*$/, `expected a positive integer${what}`)
    .transform((s) => Number(s));

/** Parse an environment (default: process.env). Empty strings count as unset. */
export function parseConfig(env: Env = process.env): Config {
  const r = parseVars(EnvSchema, env);
  const data = parseDataSpec(r.BN_DATA);
  const c: Config = {
    profile: r.BN_PROFILE,
    backend: r.BN_BACKEND,
    data,
    dataName: r.BN_DATA,
    seed: r.BN_SEED,
    dataSeed: r.BN_DATA_SEED,
    fault: r.BN_FAULT,
  };
  if (r.BN_SEEDS !== undefined) c.seeds = r.BN_SEEDS;
  if (r.BN_WORKERS !== undefined) c.workers = r.BN_WORKERS;
  return c;
}

/** BN_PROFILE when it is valid (unset: smoke), else undefined: for a caller that must not stop on a bad value (vitest.config.ts: the training phase reports it). */
export function profileIfValid(env: Env = process.env): Profile | undefined {
  const r = Profile.safeParse(env.BN_PROFILE?.trim() || 'smoke');
  return r.success ? r.data : undefined;
}

/** The reports folder of a claim run: BN_REPORTS_DIR, or `reports`. */
export function reportsDir(env: Env = process.env): string {
  const v = env.BN_REPORTS_DIR?.trim();
  return v ? v : 'reports';
}

/** BN_SUITE_RUN_ID: the suite run (a folder under <reports>/.runs/) to resume or fill; unset or blank: none. */
export function suiteRunId(env: Env = process.env): string | undefined {
  return env.BN_SUITE_RUN_ID?.trim() || undefined;
}

/**
 * BN_TRAIN_WORKER: the tests' stand-in for the training worker (a path, e.g.
 * src/runs/testing/fake-train-worker.ts, which computes fake runs at once); unset: the real one.
 */
export function trainWorkerOverride(env: Env = process.env): string | undefined {
  return env.BN_TRAIN_WORKER?.trim() || undefined;
}

/** BN_REQUIRE_SYSTEM_PACKAGES: `1` turns a test's skip for a missing system package into a failure. */
export function systemPackagesRequired(env: Env = process.env): boolean {
  return parseVars(z.object({ BN_REQUIRE_SYSTEM_PACKAGES: flag(false) }), env).BN_REQUIRE_SYSTEM_PACKAGES;
}

/** BN_QUIET=1: the backend does not say which one it took. */
export function quiet(env: Env = process.env): boolean {
  return parseVars(z.object({ BN_QUIET: flag(false) }), env).BN_QUIET;
}

/** BN_WASM_KERNELS=0: the project's wasm kernels start off (src/backend/wasm-module.ts). */
export function wasmKernelsOn(env: Env = process.env): boolean {
  return parseVars(z.object({ BN_WASM_KERNELS: flag(true) }), env).BN_WASM_KERNELS;
}

/** BN_HTML_REPORT=1: the vitest HTML report is written whatever the command names (vitest.config.ts). */
export function htmlReportForced(env: Env = process.env): boolean {
  return parseVars(z.object({ BN_HTML_REPORT: flag(false) }), env).BN_HTML_REPORT;
}

/** `npm run bench`'s settings (scripts/bench/bench.ts). */
export interface BenchSettings {
  /** BN_BENCH_STEPS: timed steps per case, after one warm-up step (default 5) */
  steps: number;
  /** BN_BENCH_ONLY=torch: only the cases with a PyTorch row */
  only?: 'torch';
  /** BN_BENCH_PYTHON: the Python with torch to try first */
  python?: string;
  /** BN_BENCH_TORCH=0: no PyTorch rows */
  torch: boolean;
  /** BN_BENCH_WEBGPU=0: no webgpu row */
  webgpu: boolean;
  /** BN_BENCH_CPU=0: no cpu comparison */
  cpu: boolean;
}

export function benchSettings(env: Env = process.env): BenchSettings {
  const r = parseVars(
    z.object({
      BN_BENCH_STEPS: positiveInt('').default(5),
      BN_BENCH_ONLY: z
        .string()
        .regex(/^torch$/, 'expected torch (only the cases with a PyTorch row)')
        .transform(() => 'torch' as const)
        .optional(),
      BN_BENCH_PYTHON: z.string().optional(),
      BN_BENCH_TORCH: flag(true),
      BN_BENCH_WEBGPU: flag(true),
      BN_BENCH_CPU: flag(true),
    }),
    env,
  );
  return {
    steps: r.BN_BENCH_STEPS,
    ...(r.BN_BENCH_ONLY ? { only: r.BN_BENCH_ONLY } : {}),
    ...(r.BN_BENCH_PYTHON ? { python: r.BN_BENCH_PYTHON } : {}),
    torch: r.BN_BENCH_TORCH,
    webgpu: r.BN_BENCH_WEBGPU,
    cpu: r.BN_BENCH_CPU,
  };
}

/** BN_PROFILE_STEPS: `npm run bench:profile`'s timed steps per case (default 5). */
export function profileSteps(env: Env = process.env): number {
  return parseVars(z.object({ BN_PROFILE_STEPS: positiveInt('').default(5) }), env).BN_PROFILE_STEPS;
}

/** The Vulkan loader's driver list (VK_ICD_FILENAMES, or its newer name VK_DRIVER_FILES), when set. */
export function vulkanDriverFiles(env: Env = process.env): string | undefined {
  return env.VK_ICD_FILENAMES ?? env.VK_DRIVER_FILES;
}

/** CHROMIUM_PATH: the Chromium the browser test drives, when set. */
export function chromiumPath(env: Env = process.env): string | undefined {
  return env.CHROMIUM_PATH?.trim() || undefined;
}

/** The test fake's settings (src/runs/testing/fake-train-worker.ts): what it logs, how long a run takes, where it crashes. */
export function fakeTrainSettings(env: Env = process.env): { log?: string; ms: number; busy: boolean; crash?: string } {
  return {
    ...(env.FAKE_TRAIN_LOG ? { log: env.FAKE_TRAIN_LOG } : {}),
    ms: Number(env.FAKE_TRAIN_MS ?? 20),
    busy: env.FAKE_TRAIN_BUSY === '1',
    ...(env.FAKE_TRAIN_CRASH ? { crash: env.FAKE_TRAIN_CRASH } : {}),
  };
}

/**
 * Set (or, with `undefined`, remove) variables of this process, for what it starts later and for
 * its own later reads: the training phase hands its suite run to the claim workers this way, and
 * tests set BN_QUIET or a fake's settings. The parsed configuration is parsed afresh afterwards.
 */
export function setEnv(vars: Env): void {
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  cached = undefined;
}

/**
 * The environment for a child process: this process's, less the variables `drop` names, with
 * `set` on top (`undefined` removes one).
 */
export function childEnv(set: Env = {}, drop: (name: string) => boolean = () => false): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!drop(k)) env[k] = v;
  for (const [k, v] of Object.entries(set)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

let cached: Config | undefined;
/** The process's configuration, parsed on first use. */
export function config(): Config {
  cached ??= parseConfig();
  return cached;
}
