// The type tests are compile-time: tsc checks test/types (and so every @ts-expect-error there
// must be needed, or TS2578 fails it).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

it('test/types compiles: typed configs accept what they should and reject misspellings', () => {
  const tsc = join(root, 'node_modules', '.bin', 'tsc');
  let output = '';
  try {
    execFileSync(tsc, ['-p', join(root, 'test', 'types', 'tsconfig.json')], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  } catch (error) {
    output = String((error as { stdout?: string }).stdout ?? error);
  }
  expect(output).toBe('');
});
