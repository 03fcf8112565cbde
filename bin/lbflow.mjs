#!/usr/bin/env node
// The `lbflow` command. In a checkout it runs the TypeScript source through tsx; where only the build exists
// (a container image), it runs dist/. LBFLOW_USE_DIST=1 forces the build.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
if (existsSync(source) && process.env.LBFLOW_USE_DIST !== '1') {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../dist/cli/main.js', import.meta.url).href);
}
