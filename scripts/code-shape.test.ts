import { describe, expect, it } from 'vitest';
import { envReaders, importCycles, importsOf, longFiles, MAX_LINES, sourceFiles, vitestGlueImports } from './code-shape';

const files = sourceFiles();
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const imports = (f: string) => graph.get(f) ?? [];

describe('the shape of the code (scripts/code-shape.ts)', () => {
  it('reads the whole project', () => {
    expect(files).toContain('src/config.ts');
    expect(files).toContain('vitest.config.ts');
    expect(imports('src/runs/protocol.ts')).toContain('src/config.ts');
  });

  it('has no import cycle between files', () => {
    expect(importCycles(files, imports)).toEqual([]);
  });

  it('finds a cycle, and a file that imports itself', () => {
    const g: Record<string, string[]> = { a: ['b'], b: ['c'], c: ['a'], d: ['a'], e: ['e'] };
    expect(importCycles(Object.keys(g), (f) => g[f]!)).toEqual([['a', 'b', 'c'], ['e']]);
  });

  it('no layer imports the vitest glue', () => {
    expect(vitestGlueImports(files, imports)).toEqual([]);
  });

  it(`no library file is over ${MAX_LINES} lines`, () => {
    expect(longFiles(files)).toEqual([]);
  });

  it('only src/config.ts reads the environment', () => {
    expect(envReaders(files)).toEqual([]);
  });
});
