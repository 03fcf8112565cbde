import type { TestProject } from 'vitest/node';
import { provisionAll } from '../../scripts/temporal-servers.mjs';

// Resolve (and if needed install) both Temporal servers once per run, then hand the paths to every
// test file: `npm test` has already bootstrapped, so this is a cache hit in well under a second.
export default function setup(project: TestProject): void {
  const { cli, testServer } = provisionAll();
  project.provide('temporalCli', cli);
  project.provide('temporalTestServer', testServer);
}

type Resolved = ReturnType<typeof provisionAll>['cli'];

declare module 'vitest' {
  export interface ProvidedContext {
    temporalCli: Resolved;
    temporalTestServer: Resolved;
  }
}
