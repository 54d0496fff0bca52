// The normalised trace of a whole SIP.js call (caller and callee) must equal the golden file
// every provider is held to. This test only reads it: `npm run golden:update` rewrites it from a
// real run (review the diff by eye before committing it). A missing golden file is a failure.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BasicCallTrace } from '../support/basic-call-scenario.js';
import { GOLDEN_BASIC_CALL, recordBasicCall } from './golden-recording.js';

describe('golden trace of a whole call (SIP.js)', () => {
  it('caller and callee traces equal test/conformance/golden/basic-call.json', async () => {
    const golden = JSON.parse(readFileSync(GOLDEN_BASIC_CALL, 'utf8')) as BasicCallTrace;
    const { trace, problems } = await recordBasicCall();
    expect(problems, 'what is wrong with the run whatever the golden file says').toEqual([]);
    expect(trace).toEqual(golden);
  });
});
