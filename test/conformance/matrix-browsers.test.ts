// The matrix's browser dimension: a column per provider and engine, grouped by provider.
import { describe, expect, it } from 'vitest';
import { columnOf, formatMatrix, parseColumn, type Cell } from './matrix.js';

describe('conformance matrix: provider × scenario × browser', () => {
  it('a Chromium column keeps the provider\'s name; another engine\'s is provider@engine', () => {
    expect(columnOf('sipjs')).toBe('sipjs');
    expect(columnOf('sipjs', 'chromium')).toBe('sipjs');
    expect(columnOf('sipjs', 'firefox')).toBe('sipjs@firefox');
    expect(parseColumn('sipjs@firefox')).toEqual({ provider: 'sipjs', browser: 'firefox' });
    expect(parseColumn('acme')).toEqual({ provider: 'acme', browser: 'chromium' });
  });

  it('prints each provider\'s engines side by side, Chromium first, headed by provider and browser', () => {
    const pass: Cell = { outcome: 'pass' };
    const columns = new Map<string, Record<string, Cell>>([
      ['telnyx@firefox', { register: pass, hold: { outcome: 'fail', reason: 'still hears' } }],
      ['acme', { register: pass }],
      ['sipjs@firefox', { register: pass }],
      ['telnyx', { register: pass, hold: pass }],
      ['sipjs', { register: pass }],
    ]);
    const lines = formatMatrix(columns).split('\n');
    expect(lines[0]!.split('|').map((c) => c.trim()).filter(Boolean)).toEqual([
      'scenario',
      'sipjs chromium',
      'sipjs firefox',
      'telnyx chromium',
      'telnyx firefox',
      'acme chromium',
    ]);
    expect(lines.find((l) => l.startsWith('| hold '))!.split('|').map((c) => c.trim()).slice(2, 6)).toEqual(['—', '—', 'pass', 'fail']);
    expect(lines).toContain('- fail · telnyx firefox · hold: still hears');
  });
});
