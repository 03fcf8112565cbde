// `npm run build`, second step: the prebuilt workflow bundle the production worker loads (no webpack at start).
//   node dist/worker/build-bundle.js [out]      default: dist/workflow-bundle.js
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { DEFAULT_WORKFLOW_BUNDLE } from './config.js';
import { workflowBundlerOptions } from './worker.js';

const out = resolve(process.argv[2] ?? DEFAULT_WORKFLOW_BUNDLE);
const started = performance.now();
const { code } = await bundleWorkflowCode({
  ...workflowBundlerOptions(),
  logger: {
    trace() {},
    debug() {},
    info() {},
    warn: (m) => process.stderr.write(`${m}\n`),
    error: (m) => process.stderr.write(`${m}\n`),
    log() {},
  },
});
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, code);
process.stdout.write(
  `workflow bundle: ${out} (${(code.length / 1024).toFixed(0)} KiB, ${((performance.now() - started) / 1000).toFixed(1)} s)\n`,
);
