// `.ci/run` sets CI=true, and that is what makes a stray `.only` fail the run (vitest's allowOnly
// is off in CI) instead of quietly running one test.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

/** What `.ci/run` exports before it runs the tests (lines `export NAME=value` above `npm test`). */
function ciEnvironment(): Record<string, string> {
  const lines = readFileSync(join(root, '.ci', 'run'), 'utf8').split('\n');
  const testLine = lines.findIndex((l) => /^\s*npm test\b/.test(l));
  expect(testLine, '.ci/run runs npm test').toBeGreaterThan(0);
  const env: Record<string, string> = {};
  for (const line of lines.slice(0, testLine)) {
    const match = /^\s*export\s+([A-Z_]+)=(\S+)\s*$/.exec(line);
    if (match) env[match[1]!] = match[2]!;
  }
  return env;
}

function runOnlyFixture(env: Record<string, string | undefined>) {
  const { CI: _ci, ...rest } = process.env;
  return spawnSync(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'test/fixtures/vitest.fixture.config.ts', 'test/fixtures/only.fixture.ts'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...rest, NO_COLOR: '1', ...env },
  });
}

describe('a stray .only fails CI', () => {
  it('.ci/run exports CI=true before it runs the tests', () => {
    expect(ciEnvironment().CI).toBe('true');
  });

  it('with the environment of .ci/run a run holding .only fails; without CI it would pass (the control)', () => {
    const ci = runOnlyFixture(ciEnvironment());
    expect(ci.status, ci.stdout + ci.stderr).not.toBe(0);
    expect(ci.stdout + ci.stderr).toMatch(/only/i);
    const local = runOnlyFixture({});
    expect(local.status, local.stdout + local.stderr).toBe(0);
  });
});
