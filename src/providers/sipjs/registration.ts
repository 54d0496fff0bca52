import type { Registerer } from 'sip.js';
import { VoiceError, bounded, describeCause } from '../../core/provider-kit.js';
import { registerFailure } from './errors.js';

type SipModule = typeof import('sip.js');

/**
 * Sends REGISTER and waits for its final answer (sip.js's register() resolves once the request is
 * sent). Bounded by `signal` and, where given, `timeoutMs`: sip.js's own transaction timer is 32 s.
 */
export function registerOnce(sip: SipModule, registerer: Registerer, signal: AbortSignal, timeoutMs?: number): Promise<void> {
  const outcome = new Promise<void>((resolve, reject) => {
    const stop = () => registerer.stateChange.removeListener(onState);
    const onState = (state: string) => {
      if (state === sip.RegistererState.Registered) {
        stop();
        resolve();
      }
    };
    registerer.stateChange.addListener(onState);
    registerer
      .register({
        requestDelegate: {
          onAccept: () => {
            stop();
            resolve();
          },
          onReject: (response) => {
            stop();
            reject(registerFailure(response.message.statusCode ?? 0, response.message.reasonPhrase ?? ''));
          },
        },
      })
      .catch((error: unknown) => {
        stop();
        reject(new VoiceError('NETWORK_UNREACHABLE', 'REGISTER could not be sent.', { provider: 'sipjs', cause: describeCause(error) }));
      });
  });
  return bounded(outcome, { signal, timeoutMs, what: 'REGISTER', provider: 'sipjs' });
}
