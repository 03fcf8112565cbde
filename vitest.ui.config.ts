import { defineConfig } from 'vitest/config';

// The browser tier (`npm run test:ui`): Debian's Chromium, driven by playwright-core, against the Web UI of
// `lbflow dev` after real runs. Apart from `npm test` because it needs a browser on the machine.
export default defineConfig({
  test: {
    include: ['test/ui/**/*.ui.test.ts'],
    pool: 'forks',
    globalSetup: ['test/setup/temporal-binaries.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
