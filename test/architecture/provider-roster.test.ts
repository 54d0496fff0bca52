// Every provider folder has the same roster of files, so a reader (or a new vendor's author) finds
// the same job in the same place: the contract mapping, the connection's phase machine, one call,
// the vendor's codes as tables, every reach into the SDK's internals, dead-connection detection.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const PROVIDERS = join(import.meta.dirname, '../../src/providers');
const ROSTER = ['index.ts', 'options.ts', 'provider.ts', 'session.ts', 'call.ts', 'errors.ts', 'quirks.ts', 'keep-alive.ts'];
/** Shared layers, not providers: `sip/` serves sipjs and cognigy. */
const SHARED = new Set(['sip']);

const folders = readdirSync(PROVIDERS).filter((name) => statSync(join(PROVIDERS, name)).isDirectory() && !SHARED.has(name));

describe('provider roster', () => {
  it('finds the four built-in providers', () => {
    expect(folders.sort()).toEqual(['cognigy', 'sendbird', 'sipjs', 'telnyx']);
  });

  it.each(folders)('%s has every file of the roster', (name) => {
    const files = readdirSync(join(PROVIDERS, name));
    expect(ROSTER.filter((file) => !files.includes(file))).toEqual([]);
  });
});
