// Moved into the conformance kit (src/conformance/audio.ts), which polyphone/conformance ships.
export * from '../../src/conformance/audio.js';
