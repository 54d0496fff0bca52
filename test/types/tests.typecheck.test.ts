// The tests are type-checked like the source: tsc over tsconfig.test.json (the suite's machinery,
// the support code, the core, package and type tests, with the lab's JSDoc types through allowJs).
// Still outside it, to be brought in folder by folder: the other test folders (agents, calls,
// demo, devices, failover, lab, network, providers, quality, react, reliability: 249 errors with
// allowJs, most of them lab pages typed as Chromium-or-Firefox passed where a Playwright Page is
// expected, and 63 `@ts-expect-error` lines over lab imports that allowJs makes unneeded), and
// checkJs for lab/**/*.mjs (193 errors, most in page-side code reading window globals).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

it('tsconfig.test.json compiles: the tests in it are type-checked', () => {
  let output = '';
  try {
    execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(root, 'tsconfig.test.json')], { cwd: root, encoding: 'utf8', timeout: 480_000 });
  } catch (error) {
    output = String((error as { stdout?: string }).stdout ?? error);
  }
  expect(output).toBe('');
}, 540_000);
