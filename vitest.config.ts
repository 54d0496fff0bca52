import { defineConfig } from 'vitest/config';

// Real servers and a real browser sit behind most tests, so timeouts are generous and files run
// two at a time at most (the machine has two cores; Chromium and Kamailio share them).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    setupFiles: ['test/setup/node-globals.ts'],
    // Collects the conformance cells of the run and prints the scenario × provider matrix at the end.
    globalSetup: ['test/conformance/matrix-setup.ts'],
    reporters: ['default'],
  },
});
