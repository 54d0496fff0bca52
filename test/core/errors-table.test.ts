// One error table: VOICE_ERRORS (src/core/errors.ts) is the source; the README's table under
// "## Errors" must list the same codes with the same meaning and advice, and nothing else.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VOICE_ERROR_CODES, VOICE_ERRORS } from '../../src/index.js';

function readmeErrorRows(): Record<string, { meaning: string; action: string }> {
  const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Errors\n'), readme.indexOf('\n## ', readme.indexOf('\n## Errors\n') + 5));
  const rows: Record<string, { meaning: string; action: string }> = {};
  for (const match of section.matchAll(/^\| `([A-Z_]+)` \| (.+) \| (.+) \|$/gm)) rows[match[1]!] = { meaning: match[2]!, action: match[3]! };
  return rows;
}

describe('the error table', () => {
  it('the README lists every code of VOICE_ERRORS with the same meaning and advice, and no other', () => {
    const table = Object.fromEntries(Object.entries(VOICE_ERRORS).map(([code, info]) => [code, { meaning: info.meaning, action: info.action }]));
    expect(readmeErrorRows()).toEqual(table);
  });

  it('every code has a meaning, a when and a what-to-do; VOICE_ERROR_CODES is the table in order', () => {
    expect(VOICE_ERROR_CODES).toEqual(Object.keys(VOICE_ERRORS));
    for (const [code, info] of Object.entries(VOICE_ERRORS)) {
      expect(code).toMatch(/^[A-Z_]+$/);
      for (const text of [info.meaning, info.when, info.action]) expect(text.length, code).toBeGreaterThan(5);
    }
  });
});
