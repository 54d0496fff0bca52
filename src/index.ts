export { createVoiceClient, type VoiceConfig } from './core/create.js';
export type { VoiceClient, ConnectOptions } from './core/client.js';
export { Call, type CallOptions, type CallDirection } from './core/call.js';
export { VoiceError, isVoiceError, VOICE_ERROR_CODES, type VoiceErrorCode, type VoiceErrorCause } from './core/errors.js';
export type { ClientEvents, CallEvents, ClientState, CallState, CallEndReason } from './core/events.js';
export type { VoiceClientConfig, Timeouts, Logger } from './core/config.js';
export { DEFAULT_TIMEOUTS } from './core/config.js';
export type {
  VoiceProviderV1,
  ProviderDefinitionV1,
  ProviderCapabilities,
  ProviderSink,
  CallSink,
  ProviderCall,
  ProviderCallOptions,
  ProviderContext,
  ProviderConfigInput,
  ConnectResult,
  Credentials,
  LogLevel,
} from './core/contract.js';
export { normalizeTrace, type TraceEntry } from './core/trace.js';
export { BUILT_IN_PROVIDERS } from './core/registry.js';
export {
  DEFAULT_THRESHOLDS,
  estimateMos,
  type QualitySample,
  type QualityThresholds,
  type QualityWarning,
  type QualityWarningName,
  type QualityOptions,
} from './core/quality/index.js';
