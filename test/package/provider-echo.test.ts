// The conformance kit from outside the package, as a provider author runs it: pack polyphone,
// install the tarball beside examples/provider-echo (a provider in its own package), and run that
// package's own vitest, whose test imports `polyphone/conformance`. Every scenario must end as
// the example declares: pass, or `unsupported` for the capabilities it declares away. Nothing fails.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readCells, SCENARIOS } from '../../src/conformance/matrix.js';
import { install, packPolyphone, ROOT } from './apps.js';

const work = mkdtempSync(join(tmpdir(), 'provider-echo-'));
const app = join(work, 'provider-echo');
const cells = join(work, 'cells');
/** The author's test tooling, taken from this repository's node_modules rather than a registry. */
const TOOLS = ['vitest', 'playwright-core', 'esbuild', 'ws'];
const UNSUPPORTED = { hold: 'hold', 'far end sees hold': 'hold', DTMF: 'dtmf', 'DTMF received': 'dtmf' } as Record<string, string>;

let run: { code: number; output: string };

beforeAll(async () => {
  const tarball = packPolyphone(work);
  cpSync(join(ROOT, 'examples', 'provider-echo'), app, { recursive: true, filter: (path) => !path.includes('node_modules') });
  // Only the tarball comes from npm (its dependencies from the cache); the tools are linked in.
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'polyphone-provider-echo', private: true, type: 'module' }));
  await install(app, [tarball]);
  for (const tool of TOOLS) symlinkSync(join(ROOT, 'node_modules', tool), join(app, 'node_modules', tool), 'dir');
  mkdirSync(cells);
  const vitest = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
  run = await promisify(execFile)(process.execPath, [vitest, 'run', '--reporter=dot'], {
    cwd: app,
    encoding: 'utf8',
    timeout: 400_000,
    env: { ...process.env, POLYPHONE_CONFORMANCE_DIR: cells },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: typeof error.code === 'number' ? error.code : 1, output: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
  );
}, 600_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

it("examples/provider-echo passes polyphone/conformance in its own vitest, from the packed tarball: every cell pass or declared unsupported", () => {
  expect(run.code, run.output.slice(-4000)).toBe(0);
  const column = readCells(cells).get('echo');
  expect(column, 'the kit recorded the echo column').toBeDefined();
  const outcomes = Object.fromEntries(SCENARIOS.map((scenario) => [scenario, column![scenario]?.outcome]));
  expect(outcomes).toEqual(Object.fromEntries(SCENARIOS.map((scenario) => [scenario, UNSUPPORTED[scenario] ? 'unsupported' : 'pass'])));
  // `unsupported` means the provider declared the lack and answered as required.
  for (const [scenario, capability] of Object.entries(UNSUPPORTED)) expect(column![scenario]!.reason).toContain(`capabilities.${capability} is false`);
});
