// Moved into the conformance kit (src/conformance/basic-call.ts), which polyphone/conformance ships.
export * from '../../src/conformance/basic-call.js';
