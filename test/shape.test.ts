// The shape check of `npm run lint` (scripts/check-shape.mjs): it passes on the project and fails on each rule broken.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scratchTree } from './setup/scratch-tree.js';
import { checkShape, MAX_FILE_LINES, MAX_FUNCTION_LINES, providerNames } from '../scripts/check-shape.mjs';

const SRC = fileURLToPath(new URL('../src', import.meta.url));

describe('shape check (issue 31: src/workflows sizes, provider names in their places)', () => {
  const { dir: tree, write } = scratchTree('lbflow-shape-');
  // The names come from the providers' definitions (their `ProviderModels` keys), so the tree has the real ones.
  for (const provider of ['alibaba', 'huawei']) {
    const definition = join('providers', provider, 'definition', 'index.ts');
    write(definition, readFileSync(join(SRC, definition), 'utf8'));
  }
  const found = () => checkShape(tree);

  it("reads the provider names from the providers' definitions", () => {
    expect(providerNames(tree)).toEqual(['alibaba-gwlb', 'huawei-elb']);
    expect(providerNames(SRC)).toEqual(['alibaba-gwlb', 'huawei-elb']);
  });

  it('finds nothing wrong in the project itself', () => {
    expect(checkShape(SRC)).toEqual([]);
  });

  it(`fails a workflow function over ${MAX_FUNCTION_LINES} lines, nested closures counted in it, and passes one at the limit`, () => {
    const body = (lines: number) => Array.from({ length: lines - 2 }, (_, n) => `  const v${n} = ${n};`).join('\n');
    write('workflows/long.ts', `export function atLimit() {\n${body(MAX_FUNCTION_LINES)}\n}\n`);
    expect(found()).toEqual([]);
    write(
      'workflows/long.ts',
      `export function outer() {\n  const inner = () => {\n${body(MAX_FUNCTION_LINES - 2)}\n  };\n  return inner;\n}\n`,
    );
    expect(found().map((v) => v.message)).toEqual([
      `outer is ${MAX_FUNCTION_LINES + 1} lines (at most ${MAX_FUNCTION_LINES})`,
    ]);
    // The same function outside src/workflows is not measured.
    rmSync(join(tree, 'workflows/long.ts'));
    write('domain/long.ts', `export function outer() {\n${body(200)}\n}\n`);
    expect(found()).toEqual([]);
    rmSync(join(tree, 'domain/long.ts'));
  });

  it(`fails a workflow file over ${MAX_FILE_LINES} lines`, () => {
    write(
      'workflows/big.ts',
      Array.from({ length: MAX_FILE_LINES + 1 }, (_, n) => `export const v${n} = ${n};`).join('\n'),
    );
    expect(found().map((v) => v.message)).toEqual([`file of ${MAX_FILE_LINES + 1} lines (at most ${MAX_FILE_LINES})`]);
    rmSync(join(tree, 'workflows/big.ts'));
  });

  it('fails a provider name outside its folder, a registry and the simulators, in code or in a type', () => {
    write('workflows/branch.ts', "export const isA = (p: string) => p === 'alibaba-gwlb';\n");
    write('domain/types.ts', "export type H = { provider: 'huawei-elb' };\n// 'alibaba-gwlb' in a comment is words\n");
    write('providers/alibaba/client.ts', "export const NAME = 'alibaba-gwlb';\n");
    write('providers/registry.ts', "export const ALL = ['alibaba-gwlb', 'huawei-elb'];\n");
    write('simulator/huawei/front.ts', "export const NAME = 'huawei-elb';\n");
    expect(found().map((v) => [v.file, v.line])).toEqual([
      ['src/domain/types.ts', 1],
      ['src/workflows/branch.ts', 1],
    ]);
    write('workflows/branch.ts', "export const isA = (p: string) => p === 'alibaba-gwlb' || p === 'huawei-elb';\n");
    expect(found().find((v) => v.file === 'src/workflows/branch.ts')?.message).toBe(
      'names a provider (2×, lines 1, 1) outside its folder, a registry, the simulators and tests',
    );
  });
});
