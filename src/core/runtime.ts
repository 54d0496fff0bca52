/** Helpers providers share: loading a vendor SDK, bounding waits, taking the microphone. */
import { VoiceError, describeCause, isVoiceError, type VoiceErrorCode } from './errors.js';

/** Imports a vendor SDK, turning a missing package into PROVIDER_SDK_MISSING. */
export async function importVendorSdk<T>(provider: string, packageName: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    throw new VoiceError('PROVIDER_SDK_MISSING', `The provider "${provider}" needs the package "${packageName}": npm install ${packageName}`, {
      provider,
      cause: describeCause(error),
      details: { package: packageName },
    });
  }
}

/**
 * How long disconnect() (and the teardown of a failed connect, or of a reconnection given up) may
 * take: an unREGISTER and a WebSocket close handshake to a hung server would otherwise take a minute.
 */
export const TEARDOWN_MS = 3_000;

export function abortError(signal: AbortSignal, provider?: string): VoiceError {
  const reason = signal.reason;
  if (isVoiceError(reason)) return reason;
  return new VoiceError('ABORTED', 'The operation was aborted.', { provider });
}

/**
 * A signal that aborts with TIMEOUT after `ms`, or when `parent` aborts: handed to a provider so it
 * learns the moment the core stops waiting (a late login reply can then be dropped).
 */
export function deadline(parent: AbortSignal, ms: number, what: string, provider?: string): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const onParent = () => controller.abort(parent.reason);
  parent.addEventListener('abort', onParent, { once: true });
  const timer = setTimeout(
    () => controller.abort(new VoiceError('TIMEOUT', `${what} did not finish within ${ms} ms.`, { provider, details: { timeoutMs: ms } })),
    ms,
  );
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer);
      parent.removeEventListener('abort', onParent);
    },
  };
}

/**
 * Races a promise against a signal and a time bound. The loser is not cancelled here: the caller
 * owns cleanup (the core tears the provider down on TIMEOUT and ABORTED).
 */
export function bounded<T>(
  promise: Promise<T>,
  options: { signal?: AbortSignal; timeoutMs?: number; what: string; provider?: string; code?: VoiceErrorCode },
): Promise<T> {
  const { signal, timeoutMs, what, provider } = options;
  if (signal?.aborted) {
    promise.catch(() => {});
    return Promise.reject(abortError(signal, provider));
  }
  return new Promise<T>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => finish(() => reject(abortError(signal!, provider)));
    const finish = (settle: () => void) => {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      settle();
    };
    if (timeoutMs !== undefined) {
      timer = setTimeout(
        () => finish(() => reject(new VoiceError(options.code ?? 'TIMEOUT', `${what} did not finish within ${timeoutMs} ms.`, { provider, details: { timeoutMs } }))),
        timeoutMs,
      );
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => finish(() => resolve(value)),
      (error) => finish(() => reject(error)),
    );
  });
}

/** Resolves after `ms`, or rejects when the signal aborts. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return bounded(new Promise<void>(() => {}), { signal, timeoutMs: ms, what: 'delay' }).catch((error: unknown) => {
    if (isVoiceError(error) && error.code === 'TIMEOUT') return;
    throw error;
  });
}

export function hasWebRtc(): boolean {
  return typeof globalThis.RTCPeerConnection === 'function' && typeof globalThis.navigator?.mediaDevices?.getUserMedia === 'function';
}

export function assertWebRtc(provider: string): void {
  if (!hasWebRtc()) {
    throw new VoiceError('WEBRTC_UNSUPPORTED', 'This environment has no WebRTC (RTCPeerConnection and getUserMedia are needed for calls).', { provider });
  }
}

/** Maps a getUserMedia failure onto MEDIA_DENIED, whoever called getUserMedia. */
export function mediaError(error: unknown, provider: string): VoiceError | undefined {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError' || name === 'NotFoundError' || name === 'NotReadableError' || name === 'OverconstrainedError') {
    return new VoiceError('MEDIA_DENIED', 'The microphone could not be used (permission denied or no device).', { provider, cause: describeCause(error) });
  }
  return undefined;
}

export async function getMicrophone(provider: string): Promise<MediaStream> {
  assertWebRtc(provider);
  try {
    return await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
  } catch (error) {
    throw mediaError(error, provider) ?? new VoiceError('MEDIA_DENIED', 'The microphone could not be opened.', { provider, cause: describeCause(error) });
  }
}
