/**
 * preflight(config): will a call work from here, before the user places one? For any provider:
 * the microphone, the signalling server (connect and authenticate, then disconnect), the ICE
 * candidates the configured servers give, and a short loopback media test through them. Bounded
 * step by step, cancellable, and nothing it opened outlives it.
 */
import type { Credentials } from '../contract.js';
import { createVoiceClient } from '../create.js';
import type { AnyProviderDefinition, VoiceConfig } from '../typed-config.js';
import { VoiceError, isVoiceError, type VoiceErrorCode } from '../errors.js';
import { gatherCandidates, type IceCheck } from './ice.js';
import { loopbackMedia, type MediaCheck } from './media.js';
import { raceAbort } from './steps.js';

export type PreflightVerdict = 'ready' | 'degraded' | 'blocked' | 'permission-denied';

/** Why the verdict is what it is: stable words a UI can map to advice. */
export type PreflightReason =
  | 'ok'
  | 'microphone-denied'
  | 'signalling-failed'
  | 'stun-unreachable'
  | 'turn-unreachable'
  | 'media-failed'
  | 'high-loss'
  | 'high-latency'
  | 'high-jitter';

export interface PreflightOptions {
  signal?: AbortSignal;
  /** The providers the config may name, as for `createVoiceClient` (`polyphone/all` hands over all four). */
  providers?: readonly AnyProviderDefinition[];
  /** Credentials, where the config does not hold them. */
  credentials?: Credentials;
  /** ICE servers to test, overriding the config's. */
  iceServers?: RTCIceServer[];
  /** Sends the media test through TURN only (iceTransportPolicy 'relay'). */
  forceRelay?: boolean;
  /** How long the loopback media runs (default 3000 ms). */
  mediaTestMs?: number;
}

export interface PreflightReport {
  verdict: PreflightVerdict;
  reason: PreflightReason;
  provider: string | undefined;
  microphone: { ok: boolean; ms: number; error?: VoiceErrorCode };
  signalling: { ok: boolean; ms: number; error?: VoiceErrorCode };
  ice: IceCheck | undefined;
  media: MediaCheck | undefined;
  totalMs: number;
}

export const PREFLIGHT_LIMITS = {
  /** A permission prompt nobody answers counts as refused after this. */
  microphoneMs: 15_000,
  iceMs: 5_000,
  mediaConnectMs: 5_000,
  mediaTestMs: 3_000,
  /** What makes a call `degraded` (the usual VoIP comfort limits). */
  maxLossFraction: 0.05,
  maxRttMs: 400,
  maxJitterMs: 50,
} as const;

function code(error: unknown): VoiceErrorCode {
  return isVoiceError(error) ? error.code : 'INTERNAL';
}

async function openMicrophone(signal: AbortSignal): Promise<MediaStreamTrack> {
  if (typeof navigator === 'undefined' || !navigator.mediaDevices?.getUserMedia) {
    throw new VoiceError('WEBRTC_UNSUPPORTED', 'This environment has no getUserMedia.');
  }
  const request = navigator.mediaDevices.getUserMedia({ audio: true, video: false });
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new VoiceError('MEDIA_DENIED', 'The microphone permission was not granted in time.')), PREFLIGHT_LIMITS.microphoneMs),
  );
  try {
    const stream = await raceAbort(Promise.race([request, timeout]), signal);
    return stream.getAudioTracks()[0]!;
  } catch (error) {
    // A prompt answered after we gave up must not leave the microphone open.
    void request.then((s) => s.getTracks().forEach((t) => t.stop()), () => {});
    if (isVoiceError(error)) throw error;
    throw new VoiceError('MEDIA_DENIED', 'The microphone could not be used.', { cause: { name: (error as { name?: string })?.name ?? 'Error' } });
  }
}

function judge(report: Omit<PreflightReport, 'verdict' | 'reason' | 'totalMs'>): { verdict: PreflightVerdict; reason: PreflightReason } {
  if (!report.microphone.ok) return { verdict: 'permission-denied', reason: 'microphone-denied' };
  if (!report.signalling.ok) return { verdict: 'blocked', reason: 'signalling-failed' };
  const { ice, media } = report;
  if (ice?.turnUnreachable) return { verdict: 'degraded', reason: 'turn-unreachable' };
  if (ice?.stunUnreachable) return { verdict: 'degraded', reason: 'stun-unreachable' };
  if (!media?.connected) return { verdict: 'degraded', reason: 'media-failed' };
  if (media.lossFraction > PREFLIGHT_LIMITS.maxLossFraction) return { verdict: 'degraded', reason: 'high-loss' };
  if ((media.rttMs ?? 0) > PREFLIGHT_LIMITS.maxRttMs) return { verdict: 'degraded', reason: 'high-latency' };
  if ((media.jitterMs ?? 0) > PREFLIGHT_LIMITS.maxJitterMs) return { verdict: 'degraded', reason: 'high-jitter' };
  return { verdict: 'ready', reason: 'ok' };
}

/**
 * Checks, without a real conversation, whether calls will work with this config. Resolves with a
 * report whatever it finds; rejects only ABORTED (the signal) or CONFIG_INVALID (the config).
 */
export async function preflight(config: VoiceConfig<readonly AnyProviderDefinition[]>, options: PreflightOptions = {}): Promise<PreflightReport> {
  const started = Date.now();
  const abort = new AbortController();
  const onAbort = () => abort.abort(new VoiceError('ABORTED', 'The preflight was cancelled.'));
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const signal = abort.signal;
  let track: MediaStreamTrack | undefined;
  let client: Awaited<ReturnType<typeof createVoiceClient>> | undefined;
  try {
    const voice = await createVoiceClient(config, { providers: options.providers ?? [] });
    client = voice;
    const base: Omit<PreflightReport, 'verdict' | 'reason' | 'totalMs'> = {
      provider: voice.provider,
      microphone: { ok: false, ms: 0 },
      signalling: { ok: false, ms: 0 },
      ice: undefined,
      media: undefined,
    };

    let t = Date.now();
    try {
      track = await openMicrophone(signal);
      base.microphone = { ok: true, ms: Date.now() - t };
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      base.microphone = { ok: false, ms: Date.now() - t, error: code(error) };
    }

    t = Date.now();
    try {
      if (options.credentials) await raceAbort(voice.authenticate(options.credentials), signal);
      await voice.connect({ signal });
      base.signalling = { ok: true, ms: Date.now() - t };
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      base.signalling = { ok: false, ms: Date.now() - t, error: code(error) };
    }
    await voice.disconnect().catch(() => {});

    const parsedIce = typeof config === 'object' && !Array.isArray(config) ? config.iceServers : undefined;
    const iceServers = options.iceServers ?? parsedIce ?? [];
    if (base.signalling.ok) {
      base.ice = await gatherCandidates(iceServers, PREFLIGHT_LIMITS.iceMs, signal);
      if (track) {
        base.media = await loopbackMedia(
          track,
          iceServers,
          { durationMs: options.mediaTestMs ?? PREFLIGHT_LIMITS.mediaTestMs, connectMs: PREFLIGHT_LIMITS.mediaConnectMs, forceRelay: options.forceRelay ?? false },
          signal,
        );
      }
    }
    return { ...judge(base), ...base, totalMs: Date.now() - started };
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    track?.stop();
    await client?.disconnect().catch(() => {});
  }
}
