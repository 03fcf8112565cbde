#!/usr/bin/env node
// The `lbflow` command. In a checkout it runs the TypeScript source through tsx; where only the build exists
// (an installed package, a container image), it runs dist/. LBFLOW_USE_DIST=1 forces the build.
// `lbflow worker` runs the production worker in this process, with the prebuilt workflow bundle when there is one.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const fromSource = existsSync(new URL('../src/cli/main.ts', import.meta.url)) && process.env.LBFLOW_USE_DIST !== '1';
const entry = process.argv[2] === 'worker' && process.argv.length === 3 ? 'worker/main' : 'cli/main';

if (entry === 'worker/main') {
  const bundle = fileURLToPath(new URL('../dist/workflow-bundle.js', import.meta.url));
  if (!fromSource && process.env.LBFLOW_WORKFLOW_BUNDLE === undefined && existsSync(bundle))
    process.env.LBFLOW_WORKFLOW_BUNDLE = bundle;
}
if (fromSource) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL(`../src/${entry}.ts`, import.meta.url).href);
} else {
  await import(new URL(`../dist/${entry}.js`, import.meta.url).href);
}
