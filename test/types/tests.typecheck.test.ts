// The tests and the lab are type-checked like the source: tsc over tsconfig.test.json (every test
// folder, with the lab's JSDoc types through allowJs; lab pages typed by lab/browser/lab-page.d.mts)
// and over tsconfig.lab.json (checkJs for lab/**/*.mjs, page globals in lab/page-globals.d.ts,
// scripts/*.mjs, and the demo modules the tests import: demo/drive.mjs, demo/lab.mjs,
// demo/server.mjs). Still outside checkJs, about 320 errors, most of them parameters without JSDoc
// types or unchecked indexed reads: bench/*.mjs (about 310) and demo/run.mjs (11; among them,
// `--browser firefox` hands the transfer tours a Firefox page, which lacks the Playwright calls
// they make).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

/** tsc's complaints about one config ('' when it compiles). */
function typeErrors(config: string): string {
  try {
    execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(root, config)], { cwd: root, encoding: 'utf8', timeout: 480_000 });
    return '';
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error);
  }
}

it('tsconfig.test.json compiles: the tests in it are type-checked', () => {
  expect(typeErrors('tsconfig.test.json')).toBe('');
}, 540_000);

it('tsconfig.lab.json compiles: the lab\'s JavaScript is type-checked (checkJs)', () => {
  expect(typeErrors('tsconfig.lab.json')).toBe('');
}, 540_000);
