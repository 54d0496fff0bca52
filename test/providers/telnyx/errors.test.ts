// The SDK's error codes onto polyphone's, checked against the error table @telnyx/webrtc ships.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sdkError } from '../../../src/providers/telnyx/errors.js';

const sdkRoot = dirname(createRequire(import.meta.url).resolve('@telnyx/webrtc/package.json'));
const table = readFileSync(join(sdkRoot, 'lib/src/Modules/Verto/util/constants/errors.d.ts'), 'utf8');
const sdkCodes = [...new Set([...table.matchAll(/readonly (\d{5}): \{\s*readonly name: "(\w+)"/g)].map((m) => `${m[1]} ${m[2]}`))];

describe('telnyx error codes', () => {
  it('the installed SDK still ships its error table', () => {
    expect(sdkCodes.length).toBeGreaterThan(20);
  });

  it.each(sdkCodes)('%s has a polyphone code of its own (only UNEXPECTED_ERROR is INTERNAL)', (entry) => {
    const [code, name] = entry.split(' ') as [string, string];
    const error = sdkError({ code: Number(code), name });
    if (name === 'UNEXPECTED_ERROR') expect(error.code).toBe('INTERNAL');
    else expect(error.code, name).not.toBe('INTERNAL');
    expect(error.cause).toMatchObject({ code: Number(code), name });
  });

  it('a refused ICE restart is a lost media path', () => {
    expect(sdkError({ code: 47001, name: 'ICE_RESTART_FAILED' }).code).toBe('MEDIA_LOST');
  });
});
