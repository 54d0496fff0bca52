// polyphone/react: React bindings over the framework-neutral store (src/core/store.ts). React is
// an optional peer dependency; nothing here runs at import time, so importing it on a server
// creates no client and touches no browser API.
export { VoiceClientProvider, type VoiceClientProviderProps } from './provider.js';
export { useCall, useCalls, useClientState, useVoiceClient, useVoiceClientError, useVoiceSnapshot, useVoiceStore } from './hooks.js';
export { createVoiceStore, type CallSnapshot, type ClientSnapshot, type VoiceSnapshot, type VoiceStore } from '../core/store.js';
