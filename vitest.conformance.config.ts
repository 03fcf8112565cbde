import { defineConfig } from 'vitest/config';

// The conformance tier (`npm run test:conformance`, issue 18): the vendors' official Python SDKs, installed from
// PyPI into a venv the test creates, as the oracle for the simulators' wire shapes and errors, and for what
// lbflow's clients send. Apart from `npm test` because it installs from PyPI.
export default defineConfig({
  test: {
    include: ['test/conformance/**/*.conformance.test.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 900_000,
  },
});
