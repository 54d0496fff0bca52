// The golden trace's sections for tests, read from test/conformance/golden/basic-call.json (the one
// file, written only by `npm run golden:update`), so no test holds a pasted copy that could drift.
import { GOLDEN } from '../../src/conformance/golden.js';

export { GOLDEN, golden } from '../../src/conformance/golden.js';

/** What connect() and then disconnect() trace, on every provider. */
export const GOLDEN_CONNECT_DISCONNECT: readonly string[] = [...GOLDEN.connect, ...GOLDEN.disconnect];
