import { VoiceError } from '../errors.js';

/** Rejects ABORTED as soon as `signal` aborts, whatever `promise` does. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function abortReason(signal: AbortSignal): VoiceError {
  return signal.reason instanceof VoiceError ? signal.reason : new VoiceError('ABORTED', 'The preflight was cancelled.');
}
