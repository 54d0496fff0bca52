// The public API report (api/polyphone.api.d.ts) is the declarations reachable from the package's
// entry points as they are built now: a public change cannot slip through unreviewed. On a
// difference: `npm run api:update`, then review the report's diff like any other code.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPORT, buildReport } from '../../scripts/api-report.mjs';

const root = join(import.meta.dirname, '..', '..');

describe('public API report', () => {
  it('api/polyphone.api.d.ts is the current public API (npm run api:update to refresh it)', () => {
    const current = (buildReport as () => string)();
    expect(readFileSync(REPORT as string, 'utf8') === current, 'the public API changed: run npm run api:update and review the diff').toBe(true);
  }, 600_000);

  it("Call's and the client's machinery stays out of it", () => {
    const report = readFileSync(REPORT as string, 'utf8');
    for (const internal of ['DefaultCall', 'DefaultVoiceClient', 'CallCore', 'ClientCore', 'attach(', 'terminate(', 'sink(): CallSink']) expect(report).not.toContain(internal);
  });

  it('the provider contract imports types only, never an implementation', () => {
    const source = readFileSync(join(root, 'src', 'core', 'contract.ts'), 'utf8');
    const imports = source.split('\n').filter((line) => /^import\b/.test(line));
    expect(imports.length).toBeGreaterThan(0);
    for (const line of imports) expect(line).toMatch(/^import type \{[^}]+\} from '\.\/(errors|events|agent\/types)\.js';$/);
  });
});
