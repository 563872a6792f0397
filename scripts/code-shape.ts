/**
 * The shape of the code, checked by `npm test` (scripts/code-shape.test.ts) and printed by
 * `npx tsx scripts/code-shape.ts`:
 *   - no import cycle between files (type-only imports count: a cycle of types is still two files
 *     that cannot be read one before the other);
 *   - no layer imports the vitest glue: only src/vitest/, the tests and the specs import src/vitest/;
 *   - no library file under src/ over MAX_LINES lines (tests and test fakes excepted);
 *   - no file but src/config.ts reads the environment (`process` `.env`).
 * Imports are read with TypeScript's own pre-processor (no type check), relative specifiers only.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
export const MAX_LINES = 400;
const DIRS = ['src', 'claims', 'scripts'];
const TOP = ['vitest.config.ts'];

/** Every TypeScript file of the project, relative to the root, with `/` separators. */
export function sourceFiles(root = ROOT): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else if (e.name.endsWith('.ts')) out.push(r);
    }
  };
  for (const d of DIRS) if (fs.existsSync(path.join(root, d))) walk(d);
  for (const f of TOP) if (fs.existsSync(path.join(root, f))) out.push(f);
  return out.sort();
}

/** The project files `file` imports (relative specifiers, resolved as the bundler resolution does). */
export function importsOf(file: string, root = ROOT): string[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const { importedFiles } = ts.preProcessFile(text, true, true);
  const out = new Set<string>();
  for (const { fileName } of importedFiles) {
    if (!fileName.startsWith('.')) continue;
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), fileName)).replace(/\.js$/, '');
    const hit = [`${base}.ts`, `${base}/index.ts`, base].find((c) => c.endsWith('.ts') && fs.existsSync(path.join(root, c)));
    if (hit) out.add(hit);
  }
  return [...out].sort();
}

/** The import graph's strongly connected components with more than one file (or a file importing itself): the cycles. */
export function importCycles(files: readonly string[], imports: (f: string) => readonly string[]): string[][] {
  const graph = new Map(files.map((f) => [f, imports(f)]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(scc.sort());
    }
  };
  for (const f of files) if (!index.has(f)) visit(f);
  return cycles;
}

const isTestCode = (f: string) => /\.test\.ts$/.test(f) || f.includes('/testing/');

/** Library files (src/, not tests or test fakes) longer than MAX_LINES. */
export function longFiles(files: readonly string[], root = ROOT): { file: string; lines: number }[] {
  return files
    .filter((f) => f.startsWith('src/') && !isTestCode(f))
    .map((file) => ({ file, lines: fs.readFileSync(path.join(root, file), 'utf8').split('\n').length - 1 }))
    .filter((x) => x.lines > MAX_LINES);
}

/** Files outside src/vitest/ (and outside tests and specs) that import src/vitest/. */
export function vitestGlueImports(files: readonly string[], imports: (f: string) => readonly string[]): string[] {
  return files
    .filter((f) => f.startsWith('src/') && !f.startsWith('src/vitest/') && !isTestCode(f))
    .flatMap((f) =>
      imports(f)
        .filter((i) => i.startsWith('src/vitest/'))
        .map((i) => `${f} → ${i}`),
    );
}

// spelt in two pieces so that this file does not match itself
const ENV = new RegExp(['process', '\\.env\\b'].join(''));

/** Files other than src/config.ts that read (or write) the process's environment. */
export function envReaders(files: readonly string[], root = ROOT): string[] {
  return files.filter((f) => f !== 'src/config.ts' && ENV.test(fs.readFileSync(path.join(root, f), 'utf8')));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const files = sourceFiles();
  const imports = (f: string) => importsOf(f);
  const report: [string, string[]][] = [
    ['import cycles', importCycles(files, imports).map((c) => c.join(' ↔ '))],
    ['imports of src/vitest/ from outside it', vitestGlueImports(files, imports)],
    [`library files over ${MAX_LINES} lines`, longFiles(files).map((x) => `${x.file} (${x.lines})`)],
    ['files other than src/config.ts that read the environment', envReaders(files)],
  ];
  for (const [what, found] of report) console.log(`${what}: ${found.length ? `\n  ${found.join('\n  ')}` : 'none'}`);
  process.exitCode = report.some(([, f]) => f.length) ? 1 : 0;
}
