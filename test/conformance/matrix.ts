// Moved into the conformance kit (src/conformance/matrix.ts), which polyphone/conformance ships.
export * from '../../src/conformance/matrix.js';
