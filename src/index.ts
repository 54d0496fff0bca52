export { createVoiceClient, type CreateVoiceClientOptions } from './core/create.js';
export type { VoiceConfig, CommonConfig, ConfigOfProvider, DefinitionConfig, AnyProviderDefinition, VendorOf, VendorOfProviders } from './core/typed-config.js';
export type { FailoverOptions, FailbackOptions } from './core/failover-failback.js';
export type { VoiceClient, ConnectOptions, PrepareOptions, PrepareResult, Call, CallOptions, CallDirection } from './core/api.js';
export { VoiceError, isVoiceError, VOICE_ERRORS, VOICE_ERROR_CODES, type VoiceErrorCode, type VoiceErrorCause, type VoiceErrorOptions, type VoiceErrorInfo } from './core/errors.js';
export type { ClientEvents, CallEvents, ClientState, CallState, CallEndReason } from './core/events.js';
export type { VoiceClientConfig, Timeouts, Logger } from './core/config.js';
export { DEFAULT_TIMEOUTS } from './core/config.js';
export type {
  VoiceProviderV1,
  ProviderDefinitionV1,
  VendorObjects,
  ProviderCapabilities,
  ProviderSink,
  CallSink,
  ProviderCall,
  ProviderCallOptions,
  ProviderContext,
  SecretRegistry,
  ProviderConfigInput,
  ConnectResult,
  Credentials,
  LogLevel,
  IcePolicy,
  ReconnectPolicy,
} from './core/contract.js';
export { DEFAULT_RECONNECT, type ReconnectOptions } from './core/reconnect-policy.js';
export { createVoiceStore, type VoiceStore, type VoiceSnapshot, type ClientSnapshot, type CallSnapshot } from './core/store.js';
export { normalizeTrace, type TraceEntry } from './core/trace.js';
export type { TranscriptEntry, TranscriptRole, AgentToolCall, AgentData, AgentCapabilities, AgentCallSink, AgentProviderCall } from './core/agent/types.js';
export type { Devices, AudioDevice, AudioDeviceList, DeviceEvents } from './core/devices/devices.js';
export { preflight, PREFLIGHT_LIMITS, type PreflightOptions, type PreflightReport, type PreflightVerdict, type PreflightReason } from './core/preflight/preflight.js';
export {
  DEFAULT_THRESHOLDS,
  estimateMos,
  type QualitySample,
  type QualityThresholds,
  type QualityWarning,
  type QualityWarningName,
  type QualityOptions,
} from './core/quality/index.js';
export type { AgentCallEvents } from './core/agent/types.js';
export type { MediaTarget } from './core/devices/devices.js';
export type { IceCheck } from './core/preflight/ice.js';
export type { MediaCheck } from './core/preflight/media.js';
