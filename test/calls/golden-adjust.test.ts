// How a provider lacking a step is held to the golden trace (no browser needed).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectedTraceFor, type BasicCallTrace } from '../support/basic-call-scenario.js';
import { mergeMarkers } from '../support/browser-clients.js';

const golden = JSON.parse(readFileSync(new URL('../conformance/golden/basic-call.json', import.meta.url), 'utf8')) as BasicCallTrace;

describe('golden trace helpers', () => {
  it('a provider without hold: op/await hold UNSUPPORTED and no held lines, the rest unchanged', () => {
    const expected = expectedTraceFor(golden, { caller: ['hold', 'unhold'], callee: ['hold', 'unhold'] });
    expect(expected.caller.filter((l) => /held|hold/.test(l))).toEqual(['op hold UNSUPPORTED', 'op unhold UNSUPPORTED']);
    expect(expected.callee.filter((l) => /held|hold/.test(l))).toEqual(['await hold UNSUPPORTED', 'await unhold UNSUPPORTED']);
    expect(expected.caller.length).toBe(golden.caller.length - 4);
    expect(expected.callee.filter((l) => l.includes('dtmf'))).toEqual(golden.callee.filter((l) => l.includes('dtmf')));
  });

  it('a callee that cannot receive DTMF: await sendDtmf UNSUPPORTED, no dtmf lines', () => {
    const expected = expectedTraceFor(golden, { callee: ['sendDtmf'] });
    expect(expected.callee).toContain('await sendDtmf UNSUPPORTED');
    expect(expected.callee.some((l) => l.includes('dtmf digit'))).toBe(false);
    expect(expected.caller).toEqual(golden.caller);
  });

  it('markers go before the trace line at their index, in the order given', () => {
    expect(mergeMarkers(['a', 'b'], [{ index: 1, line: 'x' }, { index: 0, line: 'y' }, { index: 1, line: 'z' }, { index: 2, line: 'w' }])).toEqual(['y', 'a', 'x', 'z', 'b', 'w']);
  });
});
