// The domain is bundled into workflow code: it must stay deterministic and free of I/O.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DOMAIN = fileURLToPath(new URL('../../src/domain/', import.meta.url));
const files = readdirSync(DOMAIN).filter((f) => f.endsWith('.ts'));

describe('src/domain purity', () => {
  it.each(files)('%s uses no clock, randomness, process, Buffer or require', (file) => {
    const source = readFileSync(DOMAIN + file, 'utf8');
    expect(source).not.toMatch(
      /\bDate\.now\b|\bnew Date\b|\bMath\.random\b|\bprocess\.|\bBuffer\b|\brequire\(|\bsetTimeout\b|\bperformance\./,
    );
  });

  it.each(files)('%s imports only zod, @temporalio/common and other domain files', (file) => {
    const source = readFileSync(DOMAIN + file, 'utf8');
    for (const [, specifier] of source.matchAll(/\bfrom\s+'([^']+)'/g)) {
      expect(specifier).toMatch(/^(?:zod|@temporalio\/common|\.\/[\w-]+\.js)$/);
    }
  });
});
