// `npm run golden:update`: the one writer of test/conformance/golden/basic-call.json. Runs the
// recorded call (test/calls/golden-recording.ts) and writes its trace, unless the run itself is
// wrong (an error line, a failed step, a page error, a secret). Review the diff before committing.
import { writeFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { GOLDEN_BASIC_CALL, recordBasicCall } from '../test/calls/golden-recording.js';

it('records test/conformance/golden/basic-call.json from a real SIP.js call', async () => {
  const { trace, problems } = await recordBasicCall();
  expect(problems).toEqual([]);
  writeFileSync(GOLDEN_BASIC_CALL, `${JSON.stringify(trace, null, 2)}\n`);
  console.info(`wrote ${GOLDEN_BASIC_CALL}: review it with git diff before committing`);
});
