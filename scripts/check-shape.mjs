// @ts-check
// The shape rules of issue 31, measured with the TypeScript compiler API:
//   - src/workflows: no function over MAX_FUNCTION_LINES lines (a nested closure counts in its outer function too),
//     no file over MAX_FILE_LINES lines;
//   - a provider's name (the literal 'alibaba-gwlb', 'huawei-elb', …) is written only in its own folder
//     (src/providers/<folder>/), the provider registry (src/registry/, or a file named registry.ts), the simulators
//     and tests.
//   node scripts/check-shape.mjs [root]    prints each violation; exits 1 if there is any
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
/** @type {typeof import('typescript')} */
const ts = require('typescript');

export const MAX_FUNCTION_LINES = 80;
export const MAX_FILE_LINES = 400;

/** @param {string} dir @returns {string[]} */
function tsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** @param {string} file */
const parse = (file) => ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);

/**
 * The provider names: the keys each provider's definition adds to `ProviderModels`
 * (src/providers/<name>/definition/index.ts, `declare module … { interface ProviderModels { '<name>': … } }`).
 * @param {string} srcRoot
 */
export function providerNames(srcRoot) {
  /** @type {string[]} */
  const names = [];
  const providersDir = join(srcRoot, 'providers');
  for (const entry of readdirSync(providersDir, { withFileTypes: true })) {
    const file = join(providersDir, entry.name, 'definition', 'index.ts');
    if (!entry.isDirectory() || !existsSync(file)) continue;
    const visit = (/** @type {import('typescript').Node} */ node) => {
      if (ts.isInterfaceDeclaration(node) && node.name.text === 'ProviderModels')
        for (const member of node.members)
          if (member.name && ts.isStringLiteral(member.name)) names.push(member.name.text);
      node.forEachChild(visit);
    };
    visit(parse(file));
  }
  return names;
}

/**
 * @param {import('typescript').SourceFile} source
 * @param {string} rel
 * @returns {{ file: string, line: number, message: string }[]}
 */
function sizeViolations(source, rel) {
  /** @type {{ file: string, line: number, message: string }[]} */
  const found = [];
  const lineOf = (/** @type {number} */ pos) => source.getLineAndCharacterOfPosition(pos).line + 1;
  const lines = source.text.split('\n').length - (source.text.endsWith('\n') ? 1 : 0);
  if (lines > MAX_FILE_LINES)
    found.push({ file: rel, line: 1, message: `file of ${lines} lines (at most ${MAX_FILE_LINES})` });
  const visit = (/** @type {import('typescript').Node} */ node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = lineOf(node.getStart(source));
      const span = lineOf(node.getEnd()) - first + 1;
      const name =
        node.name?.getText(source) ??
        (ts.isVariableDeclaration(node.parent) ? node.parent.name.getText(source) : 'a function');
      if (span > MAX_FUNCTION_LINES)
        found.push({ file: rel, line: first, message: `${name} is ${span} lines (at most ${MAX_FUNCTION_LINES})` });
    }
    node.forEachChild(visit);
  };
  visit(source);
  return found;
}

/** Where a provider may be named: its folder, a registry, the simulators. @param {string} rel path under src/ */
const mayName = (rel) =>
  /^providers\/[^/]+\//.test(rel) ||
  rel.startsWith('registry/') ||
  rel.endsWith('/registry.ts') ||
  rel.startsWith('simulator/');

/** @param {import('typescript').SourceFile} source @param {string[]} names @returns {number[]} lines */
function providerLiterals(source, names) {
  /** @type {number[]} */
  const lines = [];
  const visit = (/** @type {import('typescript').Node} */ node) => {
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && names.includes(node.text))
      lines.push(source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1);
    node.forEachChild(visit);
  };
  visit(source);
  return lines;
}

/**
 * @param {string} srcRoot the `src` folder
 * @returns {{ file: string, line: number, message: string }[]}
 */
export function checkShape(srcRoot) {
  const names = providerNames(srcRoot);
  /** @type {{ file: string, line: number, message: string }[]} */
  const violations = [];
  for (const file of tsFiles(srcRoot)) {
    const rel = relative(srcRoot, file).split(sep).join('/');
    const source = parse(file);
    if (rel.startsWith('workflows/')) violations.push(...sizeViolations(source, `src/${rel}`));
    if (mayName(rel)) continue;
    const lines = providerLiterals(source, names);
    if (lines.length > 0)
      violations.push({
        file: `src/${rel}`,
        line: lines[0] ?? 1,
        message: `names a provider (${lines.length}×, lines ${lines.join(', ')}) outside its folder, a registry, the simulators and tests`,
      });
  }
  return violations;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = process.argv[2] ?? fileURLToPath(new URL('../src', import.meta.url));
  const violations = checkShape(root);
  for (const v of violations) console.error(`${v.file}:${v.line}: ${v.message}`);
  if (violations.length > 0) process.exit(1);
  console.log(
    `shape: ${relative(process.cwd(), root) || '.'} keeps the shape rules (functions ≤ ${MAX_FUNCTION_LINES} lines, files ≤ ${MAX_FILE_LINES} in src/workflows; provider names in their places)`,
  );
}
