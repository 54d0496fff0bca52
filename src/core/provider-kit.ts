/**
 * What a provider author needs from the core, in one import: the contract's types, VoiceError,
 * config-parsing helpers and the shared runtime helpers.
 */
export * from './contract.js';
export { VoiceError, describeCause, isVoiceError, type VoiceErrorCode, type VoiceErrorCause } from './errors.js';
export { Redactor } from './redact.js';
export { configInvalid, optionInteger, optionString, rejectUnknownOptions, parseWebSocketUrl } from './config.js';
export { importVendorSdk, bounded, delay, abortError, assertWebRtc, hasWebRtc, mediaError, getMicrophone } from './runtime.js';
export type { CallEndReason } from './events.js';
export type { AgentData, TranscriptEntry, AgentCapabilities } from './agent/types.js';
export { openMicrophone, replaceSendingTrack, exactDeviceId } from './devices/input.js';
export { DEFAULT_RECONNECT } from './reconnect-policy.js';
