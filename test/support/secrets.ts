// Moved into the conformance kit (src/conformance/secrets.ts), which polyphone/conformance ships.
export * from '../../src/conformance/secrets.js';
