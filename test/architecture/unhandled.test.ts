import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

// The suite relies on vitest failing a run on any unhandled rejection or uncaught exception,
// even when every assertion passed. This keeps that promise checked rather than assumed.
describe('a test run fails on errors nobody handled', () => {
  it.each(['unhandled', 'uncaught'])('%s', (name) => {
    const run = spawnSync(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'test/fixtures/vitest.fixture.config.ts', `test/fixtures/${name}.fixture.ts`], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, CI: 'true', NO_COLOR: '1' },
    });
    expect(run.stdout + run.stderr).toMatch(/1 passed/);
    expect(run.status).not.toBe(0);
    expect(run.stdout + run.stderr).toMatch(/Unhandled/i);
  });
});
