/**
 * A tiny claims project in a folder of its own, for tests of how claim runs are reported: four
 * claim specs that use the real harness (src/vitest/harness.ts) with cheap bodies (no training),
 * one that holds, one that fails, one that is inconclusive (a precondition not met) and one that
 * crashes, each with a figure, run by the real vitest.config.ts rooted at that folder; and, on
 * demand, fake training claims (trainingSpec) that read the runs of the training phase, whose
 * worker a test replaces with a fake one (BN_TRAIN_WORKER). Its reports go to <dir>/reports,
 * never the checkout's.
 *
 *   const dir = writeFakeClaimsProject(fs.mkdtempSync(...));
 *   await runVitest(dir, ['run', '--project', 'claims']);
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { childEnv } from '../../config';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const VITEST = path.join(REPO_ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const CONFIG = path.join(REPO_ROOT, 'vitest.config.ts');
const HARNESS = path.join(REPO_ROOT, 'src', 'vitest', 'harness.ts');
/** A training-phase worker that computes fake runs (src/runs/testing/fake-train-worker.ts), for BN_TRAIN_WORKER. */
export const FAKE_TRAIN_WORKER = path.join(REPO_ROOT, 'src', 'runs', 'testing', 'fake-train-worker.ts');

/** The fake claims: id → verdict their body produces. */
export const FAKE_CLAIMS = {
  'fake-holds': 'holds',
  'fake-fails': 'fails',
  'fake-inconclusive': 'inconclusive',
  'fake-crashes': 'error',
} as const;

function spec(id: string, verdict: 'holds' | 'fails' | 'inconclusive' | 'error'): string {
  const body =
    verdict === 'error'
      ? `c.figure(figure);\n    c.log('about to crash');\n    throw new Error('the fake claim crashed on purpose');`
      : verdict === 'inconclusive'
        ? `c.stat('control accuracy', 0.1, { paper: '~0.82' });\n    c.figure(figure);\n    if (!c.require('the control learned above chance', false, 'accuracy 0.10, chance 0.10')) return;\n    c.check('never reached', true);`
        : `c.log('measuring');\n    c.stat('effect', ${verdict === 'holds' ? 2.5 : 0.4}, { ci: [0.1, 3], p: 0.01, paper: '> 1' });\n    c.check('the effect exceeds 1', ${verdict === 'holds' ? 2.5 : 0.4} > 1, 'effect vs 1');\n    c.figure(figure);`;
  return `// A fake claim for the reporting tests: ${verdict}.
import { claim } from ${JSON.stringify(HARNESS)};

const figure = {
  kind: 'barsWithCI' as const,
  title: ${JSON.stringify(`${id}: effect`)},
  bars: [
    { name: 'with BN', value: 2.5, ci: [2, 3] as [number, number] },
    { name: 'without BN', value: ${verdict === 'holds' ? 1 : 0.4}, ci: [0.2, 1.2] as [number, number] },
  ],
  yLabel: 'effect',
};

claim({ id: ${JSON.stringify(id)}, title: ${JSON.stringify(`a fake claim that ${verdict === 'error' ? 'crashes' : verdict === 'inconclusive' ? 'is inconclusive' : verdict}`)}, paper: 'Fig. 0' }, async (c) => {
    c.scale({ model: 'none', seeds: 1 });
    ${body}
});
`;
}

/**
 * A fake training claim under a training claim's id: it reads the sweep and its runs from the run
 * cache, as the real spec does (readSweep, readClaimRuns), and holds when they are all there.
 */
export function trainingSpec(id: string): string {
  return `// A fake training claim for the training-phase tests.
import { claim } from ${JSON.stringify(HARNESS)};
import { readClaimRuns, readSweep } from ${JSON.stringify(path.join(REPO_ROOT, 'src', 'runs', 'sweep.ts'))};

claim({ id: ${JSON.stringify(id)}, title: 'a fake training claim', paper: 'Fig. 0' }, async (c) => {
  c.scale({ model: 'none', seeds: 1 });
  const sweep = readSweep();
  const runs = Object.values(readClaimRuns(${JSON.stringify(id)}, sweep)).flat();
  c.stat('runs read', runs.length);
  c.stat('low rate', sweep.low ?? NaN, { paper: '1e-4' });
  c.stat('high rate', sweep.high ?? NaN, { paper: '0.1' });
  const accs = runs.map((r) => r.final.testAcc ?? 0.1);
  c.stat('mean final test accuracy', accs.reduce((a, b) => a + b, 0) / accs.length, { paper: '~0.9' });
  c.check('its runs were trained before it started', runs.length > 0);
});
`;
}

/** Write the fake project's claim specs into `dir` (claims/<id>.spec.ts); returns `dir`. */
export function writeFakeClaimsProject(dir: string, extraSpecs: Record<string, string> = {}): string {
  fs.mkdirSync(path.join(dir, 'claims'), { recursive: true });
  // vitest resolves its html reporter (@vitest/ui) from the project's root, and keeps its cache
  // in <root>/node_modules/.vite: link only @vitest, so the cache stays in the project's folder.
  const scoped = path.join(dir, 'node_modules', '@vitest');
  if (!fs.existsSync(scoped)) {
    fs.mkdirSync(path.dirname(scoped), { recursive: true });
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules', '@vitest'), scoped, 'dir');
  }
  for (const [id, verdict] of Object.entries(FAKE_CLAIMS)) fs.writeFileSync(path.join(dir, 'claims', `${id}.spec.ts`), spec(id, verdict));
  for (const [name, text] of Object.entries(extraSpecs)) fs.writeFileSync(path.join(dir, 'claims', name), text);
  return dir;
}

/**
 * `npm run train -- <args>` (scripts/train.ts) in `dir`, with runVitest's clean environment
 * (the cpu backend and synthetic data unless `env` says otherwise) plus `env`.
 */
export function runTrain(dir: string, args: string[], env: Record<string, string> = {}): Promise<VitestRun> {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return runNode(dir, ['--import', tsx, path.join(REPO_ROOT, 'scripts', 'train.ts'), ...args], env, {});
}

export interface VitestRun {
  code: number | null;
  /** stdout and stderr interleaved, colour codes removed */
  output: string;
  /** each output line with the milliseconds since the start at which it arrived */
  lines: { ms: number; text: string }[];
}

/**
 * Run the repository's vitest with its vitest.config.ts, rooted at and started in `dir`, with a
 * clean environment (no BN_* or VITEST* of the calling run) plus `env`: the cpu backend and
 * synthetic data unless `env` says otherwise. It runs in a process group of its own, killed
 * whole (its workers too) after `timeoutMs`; `onSpawn` gets the child, e.g. to kill it earlier
 * (`process.kill(-child.pid, signal)`).
 */
export function runVitest(
  dir: string,
  args: string[],
  env: Record<string, string> = {},
  o: { timeoutMs?: number; onSpawn?: (child: ChildProcess) => void } = {},
): Promise<VitestRun> {
  return runNode(dir, [VITEST, ...args, '--config', CONFIG, '--root', dir], env, o);
}

function runNode(
  dir: string,
  args: string[],
  env: Record<string, string>,
  o: { timeoutMs?: number; onSpawn?: (child: ChildProcess) => void },
): Promise<VitestRun> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: dir,
    env: childEnv(
      { NO_COLOR: '1', FORCE_COLOR: '0', CI: '1', BN_BACKEND: 'cpu', BN_DATA: 'synthetic', ...env },
      (k) => /^(BN_|VITEST)/.test(k) || k === 'NODE_ENV' || k === 'TEST',
    ),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  o.onSpawn?.(child);
  const lines: VitestRun['lines'] = [];
  let output = '';
  let partial = '';
  const onData = (d: Buffer) => {
    const text = String(d);
    output += text;
    const parts = (partial + text).split('\n');
    partial = parts.pop() ?? '';
    const ms = performance.now() - t0;
    for (const p of parts) lines.push({ ms, text: p });
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }, o.timeoutMs ?? 120_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (partial) lines.push({ ms: performance.now() - t0, text: partial });
      // eslint-disable-next-line no-control-regex
      const strip = (s: string) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
      resolve({ code, output: strip(output), lines: lines.map((l) => ({ ms: l.ms, text: strip(l.text) })) });
    });
  });
}
