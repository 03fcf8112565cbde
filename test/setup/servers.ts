import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { inject } from 'vitest';
import { SEARCH_ATTRIBUTE_KEYS } from '../../src/domain/names.js';
import { executableOption } from '../../scripts/temporal-servers.mjs';

/** `server.executable` for `TestWorkflowEnvironment.createTimeSkipping`, from the provisioned binary. */
export const testServerExecutable = () => executableOption(inject('temporalTestServer'));

/** `server.executable` for `TestWorkflowEnvironment.createLocal`, from the provisioned Temporal CLI. */
export const devServerExecutable = () => executableOption(inject('temporalCli'));

/**
 * Registers lbflow's search attributes on a server that was started without them (the
 * time-skipping server takes no `searchAttributes` option): workflows that upsert them fail otherwise.
 */
export async function registerSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  const KEYWORD = 2; // temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTE_KEYS.map((key) => [key.name, KEYWORD])),
  });
}

// Worker state changes and workflow failures the tests provoke on purpose log at INFO/WARN; keep test output to
// what matters. Every Temporal test file imports this module, once per forked process.
try {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
} catch {
  // Already installed in this process.
}
