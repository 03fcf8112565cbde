// The dev server (real time) for a workflow test file: one server and one lbflow bundle per file, a fresh harness
// (simulators, providers, activities) per test. For tests where things must race as they would: forgeries, watches,
// stranded task queues, pages fetched while others submit.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { integrationWorld, startDevServer } from '../integration/support.js';
import { bundleLbflowWorkflows, startHarness, type Harness } from './harness.js';

export interface DevServerTests {
  readonly env: TestWorkflowEnvironment;
  readonly bundle: WorkflowBundleWithSourceMap;
  readonly h: Harness;
}

/** Registers the file's hooks; the returned fields are set once they ran (read them inside tests). */
export function devServerTests(
  options: Omit<Parameters<typeof startHarness>[2], 'followTemporalTime' | 'world'> = {},
): DevServerTests {
  const state = {} as { env: TestWorkflowEnvironment; bundle: WorkflowBundleWithSourceMap; h: Harness };
  beforeAll(async () => {
    [state.env, state.bundle] = await Promise.all([startDevServer(), bundleLbflowWorkflows()]);
  });
  afterAll(async () => {
    await state.env?.teardown();
  });
  beforeEach(async () => {
    state.h = await startHarness(state.env, state.bundle, {
      followTemporalTime: false,
      world: integrationWorld(),
      ...options,
    });
  });
  afterEach(async () => {
    await state.h?.close();
  });
  return state;
}
