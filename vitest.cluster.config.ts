import { defineConfig } from 'vitest/config';

// The cluster tier (`npm run test:cluster`): lbflow on a Temporal server built from source, on PostgreSQL, its
// four services as separate processes (scripts/cluster.mjs). Apart from `npm test` because it needs the server
// build (cached: ~/.cache/lbflow) and Debian's PostgreSQL, and it kills and restarts the cluster's parts.
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.cluster.test.ts'],
    pool: 'forks',
    globalSetup: ['test/setup/temporal-binaries.ts'],
    testTimeout: 240_000,
    hookTimeout: 600_000,
  },
});
