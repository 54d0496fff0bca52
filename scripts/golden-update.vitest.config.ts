// Config of `npm run golden:update` only: runs the golden recorder, never a test file.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['scripts/golden-update.record.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    setupFiles: ['test/setup/node-globals.ts'],
  },
});
