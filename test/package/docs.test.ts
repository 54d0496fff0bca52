// The API reference builds from the TSDoc with TypeDoc's warnings treated as errors
// (typedoc.json), as `npm run docs` builds it into docs/api.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const out = mkdtempSync(join(tmpdir(), 'api-docs-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

it('TypeDoc builds the API reference without a warning', () => {
  const run = spawnSync(join(root, 'node_modules', '.bin', 'typedoc'), ['--out', out], { cwd: root, encoding: 'utf8', timeout: 240_000 });
  const log = `${run.stdout}${run.stderr}`;
  expect(log).not.toMatch(/\[warning\]|\[error\]/);
  expect(run.status).toBe(0);
  for (const page of ['index.html', 'modules/index.html']) expect(existsSync(join(out, page)), page).toBe(true);
}, 240_000);
