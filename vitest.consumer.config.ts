import { defineConfig } from 'vitest/config';

// The consumer tier (`npm run test:consumer`): the packed tarball installed into a fresh project, used from
// TypeScript (service, parent workflow, `npx lbflow`) and from Python. Apart from `npm test` because it packs,
// installs from the registry cache and creates a Python venv.
export default defineConfig({
  test: {
    include: ['test/consumer/**/*.consumer.test.ts'],
    pool: 'forks',
    globalSetup: ['test/setup/temporal-binaries.ts'],
    testTimeout: 180_000,
    hookTimeout: 600_000,
  },
});
