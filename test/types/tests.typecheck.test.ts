// The tests are type-checked like the source: tsc over tsconfig.test.json (every test folder, with
// the lab's JSDoc types through allowJs; lab pages typed by lab/browser/lab-page.d.mts).
// Still outside it: checkJs for lab/**/*.mjs (193 errors, most in page-side code reading window globals).
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
