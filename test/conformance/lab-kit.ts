// Small helpers for conformance labs.
// A loopback port that was free a moment ago and is closed now: connecting to it is refused.
export { unusedLoopbackPort as closedPort } from '../../lab/ports.mjs';
