import type { ProviderCall, ProviderCapabilities } from './contract.js';
import { VoiceError } from './errors.js';
import { CALL_OPERATIONS, declares, type CallOperation, type CallOperationRule, type CallState } from './states.js';

/** What the check of a call operation reads of the call. */
export interface CallCondition {
  direction: 'incoming' | 'outgoing';
  state: CallState;
  capabilities: ProviderCapabilities;
  providerCall: ProviderCall | undefined;
  provider: string;
  invalidState(operation: string, why?: string): VoiceError;
}

/**
 * The one check before a call operation reaches the provider, read from CALL_OPERATIONS:
 * direction and state (INVALID_STATE), capability and the provider's method (UNSUPPORTED).
 * Undefined: the operation has nothing to do in this state and resolves at once.
 */
export function permitCallOperation(operation: CallOperation, call: CallCondition): ProviderCall | undefined {
  const rule: CallOperationRule = CALL_OPERATIONS[operation];
  if (rule.direction && call.direction !== rule.direction) throw call.invalidState(operation, `it is ${call.direction}`);
  if (rule.later?.includes(call.state)) return undefined;
  if (rule.capability && !declares(call.capabilities, rule.capability)) throw unsupported(operation, call.provider);
  if (!rule.states.includes(call.state)) throw call.invalidState(operation);
  if (rule.noop?.includes(call.state)) return undefined;
  if (!call.providerCall) throw call.invalidState(operation, 'the call is still being set up');
  if (typeof call.providerCall[operation] !== 'function') throw unsupported(operation, call.provider);
  return call.providerCall;
}

function unsupported(operation: CallOperation, provider: string): VoiceError {
  return new VoiceError('UNSUPPORTED', `The ${provider} provider cannot ${operation}.`, { provider, details: { operation } });
}
