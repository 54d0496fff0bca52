// The expected matrix is whole and says why: every scenario pins every built-in provider, every
// `unsupported` cell rests on a capability the provider declares away with a citation, and every
// capability declared away shows in at least one cell (unless another lack hides it, or the suite
// never uses it: its labs do not log in anonymously).
import { describe, expect, it } from 'vitest';
import { EXPECTED_EXTRA_ROWS, EXPECTED_MATRIX, PROVIDER_EXPECTATIONS, expectedColumn } from './expected-matrix.js';
import { differsFromPinned } from './extra-cells.js';
import { SCENARIOS } from './matrix.js';

const PROVIDERS = ['sipjs', 'cognigy', 'telnyx', 'sendbird'];
/**
 * Declared away without a cell of the suite's own: its labs log in with credentials, never
 * anonymously; the others are checked where their rows are run, outside suite.ts —
 * agent* by test/agents/agent-conversation.test.ts (row "agent conversation", UNSUPPORTED from
 * sendText), multipleCalls/transfer by test/calls/declared-unsupported.test.ts, mediaReconnect by
 * test/quality/network-scenarios.ts (rows "network: …"), preparedMicrophone by
 * test/prepare/prepare-scenario.ts (rows "prepare: …").
 */
const NOT_EXERCISED = new Set(['anonymous', 'agentTranscript', 'agentText', 'agentTools', 'multipleCalls', 'transfer', 'mediaReconnect', 'preparedMicrophone']);

describe('expected conformance matrix', () => {
  it('has one row per scenario, each naming every built-in provider', () => {
    expect(Object.keys(EXPECTED_MATRIX).sort()).toEqual([...SCENARIOS].sort());
    for (const scenario of SCENARIOS) expect(Object.keys(EXPECTED_MATRIX[scenario]).sort(), scenario).toEqual([...PROVIDERS].sort());
    expect(Object.keys(PROVIDER_EXPECTATIONS).sort()).toEqual([...PROVIDERS].sort());
  });

  it('every unsupported cell rests on a cited capability the provider declares away', () => {
    for (const scenario of SCENARIOS) {
      for (const [provider, cell] of Object.entries(EXPECTED_MATRIX[scenario])) {
        if (cell === 'pass') continue;
        const citation = PROVIDER_EXPECTATIONS[provider]!.lacks[cell.unsupported];
        expect(citation, `${provider} · ${scenario}: capabilities.${cell.unsupported} must be in its lacks`).toBeDefined();
        expect(citation!.why.length, `${provider} · ${cell.unsupported}: a reason`).toBeGreaterThan(20);
        expect(citation!.source.length, `${provider} · ${cell.unsupported}: where it shows`).toBeGreaterThan(10);
      }
    }
  });

  it('every capability declared away turns at least one cell unsupported (or is not exercised by the suite)', () => {
    for (const [provider, expectation] of Object.entries(PROVIDER_EXPECTATIONS)) {
      for (const capability of Object.keys(expectation.lacks)) {
        if (NOT_EXERCISED.has(capability)) continue;
        // A caller that cannot send digits hides whether its callee could receive them.
        if (capability === 'receiveDtmf' && expectation.lacks.dtmf) continue;
        const cells = SCENARIOS.filter((s) => {
          const cell = EXPECTED_MATRIX[s][provider];
          return cell !== 'pass' && cell!.unsupported === capability;
        });
        expect(cells, `${provider} · ${capability}`).not.toEqual([]);
      }
    }
  });

  it('no built-in provider waives getStats(): every call with audio must show it', () => {
    for (const provider of PROVIDERS) expect(PROVIDER_EXPECTATIONS[provider]!.getStatsWaiver, provider).toBeUndefined();
  });

  it('a provider that is not built in is held to all-pass unless its target pins otherwise', () => {
    const column = expectedColumn('acme');
    expect(SCENARIOS.map((s) => column.cell(s))).toEqual(SCENARIOS.map(() => 'pass'));
    expect(column.expectation.lacks).toEqual({});
    const own = expectedColumn('acme', { lacks: { dtmf: { why: 'x', source: 'y' } }, cells: { DTMF: { unsupported: 'dtmf' } } });
    expect(own.cell('DTMF')).toEqual({ unsupported: 'dtmf' });
    expect(own.cell('hold')).toBe('pass');
  });

  it('pins the rows run outside the suite for every built-in provider, and a cellTest differing from them fails', () => {
    for (const [row, cells] of Object.entries(EXPECTED_EXTRA_ROWS)) {
      expect(Object.keys(cells).sort(), row).toEqual([...PROVIDERS].sort());
      expect((SCENARIOS as readonly string[]).includes(row), `${row} is not also a suite scenario`).toBe(false);
    }
    const row = 'preflight: permission-denied';
    for (const provider of PROVIDERS) {
      expect(differsFromPinned(provider, row, 'pass')).toBeUndefined();
      expect(differsFromPinned(`${provider}@firefox`, row, 'pass')).toBeUndefined();
      expect(differsFromPinned(provider, row, { unsupported: 'no microphone here' })).toMatch(/pinned pass, got unsupported/);
    }
    expect(differsFromPinned('sipjs', 'a row nobody pins', { unsupported: 'x' })).toBeUndefined();
  });
});
