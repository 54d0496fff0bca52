// Moved into the conformance kit (src/conformance/page-client.ts), which polyphone/conformance ships.
export * from '../../src/conformance/page-client.js';
