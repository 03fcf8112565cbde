import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scratchTree } from './setup/scratch-tree.js';
import { checkLayers, layerTable } from '../scripts/check-layers.mjs';

const SRC = fileURLToPath(new URL('../src', import.meta.url));

describe('layer check (docs/design.md, "Layers")', () => {
  const { dir: tree, write } = scratchTree('lbflow-layers-');

  it('finds no violation in the project itself', () => {
    expect(checkLayers(SRC)).toEqual([]);
  });

  it('flags workflow code that imports Node built-ins, undici, providers or activity values', () => {
    write(
      'workflows/bad.ts',
      [
        "import { readFileSync } from 'node:fs';",
        "import { request } from 'undici';",
        "import { createClient } from '../providers/alibaba/client.js';",
        "import { addServers } from '../activities/index.js';",
        "import type * as activities from '../activities/index.js';",
        "import { proxyActivities } from '@temporalio/workflow';",
        "import { plan } from '../domain/index.js';",
      ].join('\n'),
    );
    const found = checkLayers(tree).filter((v) => v.file.includes('workflows'));
    expect(found.map((v) => [v.line, v.message.split(':')[0]])).toEqual([
      [1, 'workflows must stay deterministic and I/O-free'],
      [2, 'workflows may not import the package undici (allowed'],
      [3, 'workflows may not import providers'],
      [4, 'workflows may not import activities (types only'],
    ]);
  });

  it('flags a simulator that shares code with the domain or the clients', () => {
    write('simulator/alibaba/front.ts', "import { chunk } from '../../domain/chunk.js';\nexport const x = 1;");
    const found = checkLayers(tree).filter((v) => v.file.includes('simulator'));
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toMatch(/simulator may not import domain/);
  });

  it('flags a domain module that reaches for I/O or a room above it', () => {
    write('domain/bad.ts', "import { createHash } from 'crypto';\nexport * from '../providers/index.js';");
    const found = checkLayers(tree).filter((v) => v.file.includes('domain'));
    expect(found.map((v) => v.line)).toEqual([1, 2]);
  });

  it("counts a provider's definition/ in the registry: workflow code may read it, it may read only the domain", () => {
    write(
      'workflows/reads-registry.ts',
      [
        "import { definitionOf } from '../registry/index.js';",
        "import { alibabaGwlb } from '../providers/alibaba/definition/index.js';",
        "import { AlibabaGwlbProvider } from '../providers/alibaba/client.js';",
      ].join('\n'),
    );
    write(
      'providers/alibaba/definition/index.ts',
      [
        "import type { ProviderDefinition } from '../../../domain/index.js';",
        "import { request } from 'undici';",
        "import { alibabaSigner } from '../signer.js';",
      ].join('\n'),
    );
    write('domain/reads-registry.ts', "import { definitionOf } from '../registry/index.js';");
    const found = (file: string) =>
      checkLayers(tree)
        .filter((v) => v.file.endsWith(file))
        .map((v) => [v.line, v.message.split(':')[0]]);
    expect(found('workflows/reads-registry.ts')).toEqual([[3, 'workflows may not import providers']]);
    expect(found('providers/alibaba/definition/index.ts')).toEqual([
      [2, 'registry may not import the package undici (allowed'],
      [3, 'registry may not import providers'],
    ]);
    expect(found('domain/reads-registry.ts')).toEqual([[1, 'domain may not import registry']]);
  });

  it("is the table README.md shows: the README's copy is printed from LAYERS, so the two cannot drift", () => {
    const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
    const block = /<!-- layers:begin[^>]*-->\n([\s\S]*?)\n<!-- layers:end -->/.exec(readme)?.[1];
    expect(block).toBe(layerTable());
    // One row per room the check enforces.
    expect(block?.split('\n').filter((l) => l.startsWith('| `src/'))).toHaveLength(9);
  });

  it('flags a folder that is not a room of the design', () => {
    write('utils/helpers.ts', 'export const y = 2;');
    expect(checkLayers(tree).some((v) => v.message.startsWith('src/utils is not a room'))).toBe(true);
  });
});
