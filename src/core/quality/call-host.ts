/**
 * Binds a call's QualityMonitor to the call: where stats come from, what a warning or a lost media
 * path does to the call's state and events. Kept apart from call.ts, which only starts and stops it.
 */
import { VoiceError } from '../errors.js';
import type { ProviderCall, ProviderCapabilities } from '../contract.js';
import type { CallEvents, CallState } from '../events.js';
import type { QualityHost } from './monitor.js';

export interface CallHooks {
  provider: string;
  answerer: boolean;
  providerCall(): ProviderCall | undefined;
  capabilities(): ProviderCapabilities;
  condition(): { state: CallState; muted: boolean };
  setState(to: CallState): void;
  emit<K extends keyof CallEvents>(type: K, payload: CallEvents[K]): void;
  /** Hangs up and ends the call `failed` with this error. */
  fail(error: VoiceError): void;
}

/** MEDIA_LOST, keeping what the vendor said (if it said anything) as the cause. */
export function mediaLostError(provider: string, vendorError?: VoiceError): VoiceError {
  const cause = vendorError ? { name: vendorError.code, message: vendorError.message, ...(vendorError.cause?.code !== undefined ? { code: vendorError.cause.code } : {}) } : undefined;
  return new VoiceError('MEDIA_LOST', 'The call lost its media path and could not restore it in time.', {
    provider,
    details: { reason: 'mediaLost' },
    ...(cause ? { cause } : {}),
  });
}

export function qualityHost(call: CallHooks): QualityHost {
  return {
    getStats: async () => call.providerCall()?.getStats?.(),
    condition: call.condition,
    answerer: call.answerer,
    canRestartMedia: () => call.capabilities().mediaReconnect === true && typeof call.providerCall()?.restartMedia === 'function',
    restartMedia: async () => call.providerCall()?.restartMedia?.(),
    sample: (sample) => call.emit('quality', sample),
    warning: ({ kind, warning }) => call.emit(kind === 'raised' ? 'qualityWarning' : 'qualityWarningCleared', warning),
    media: (action) => {
      const state = call.condition().state;
      if (action === 'reconnecting' && state === 'active') {
        call.setState('reconnecting');
        call.emit('reconnecting', {});
      } else if (action === 'reconnected' && state === 'reconnecting') {
        call.setState('active');
        call.emit('reconnected', {});
      } else if (action === 'fail' && state === 'reconnecting') {
        call.fail(mediaLostError(call.provider));
      }
    },
  };
}
