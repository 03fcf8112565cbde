import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The browser tier and the consumer tier have their own commands (npm run test:ui, test:consumer) and configs.
    exclude: ['test/ui/**', 'test/consumer/**', 'test/cluster/**', 'test/conformance/**', 'node_modules/**'],
    // The Temporal core bridge is a native addon: child processes, not worker threads.
    pool: 'forks',
    globalSetup: ['test/setup/temporal-binaries.ts'],
    // Server start (≤5 s) plus workflow bundling (~1 s) outlive vitest's defaults.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
