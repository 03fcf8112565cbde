// `npm run lint`'s ESLint part, on code planted for it: the rules the project relies on must fail when broken,
// or a passing lint means nothing. The planted files live under test/ (inside tsconfig.json's include, so the
// type-aware rules see them as they see the project's own files) and are removed afterwards.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('lint (eslint.config.js)', () => {
  const dir = join(ROOT, 'test', `lint-planted-${process.pid}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const plant = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const eslint = new ESLint({ cwd: ROOT });
  const rulesOf = async (...files: string[]) =>
    (await eslint.lintFiles(files)).flatMap((r) =>
      r.messages.map((m) => ({ file: r.filePath.slice(dir.length + 1), line: m.line, rule: m.ruleId })),
    );

  it('fails on a floating promise, and passes the same code once the promise is handled', async () => {
    const floating = plant(
      'floating.ts',
      [
        'async function send(): Promise<void> {}',
        'export function go(): void {',
        '  send();',
        '}',
        'export async function handled(): Promise<void> {',
        '  await send();',
        '  void send();',
        '  send().catch(() => undefined);',
        '}',
        '',
      ].join('\n'),
    );
    expect(await rulesOf(floating)).toEqual([
      { file: 'floating.ts', line: 3, rule: '@typescript-eslint/no-floating-promises' },
    ]);
  }, 120_000);

  it('fails on an import cycle (two modules that import each other), and not on a one-way import', async () => {
    const a = plant('cycle-a.ts', "import { b } from './cycle-b.js';\nexport const a = (): number => b() + 1;\n");
    const b = plant(
      'cycle-b.ts',
      "import { a } from './cycle-a.js';\nexport const b = (): number => (a.length > 5 ? 1 : 0);\n",
    );
    const c = plant('one-way.ts', "import { b } from './cycle-b.js';\nexport const c = (): number => b();\n");
    const found = await rulesOf(a, b, c);
    expect(found).toEqual([
      { file: 'cycle-a.ts', line: 1, rule: 'import-x/no-cycle' },
      { file: 'cycle-b.ts', line: 1, rule: 'import-x/no-cycle' },
    ]);
  }, 120_000);
});
