/**
 * Media reconnection as a table: the media path is `flowing` or `reconnecting`; each sample says
 * whether the path is lost, flowing again, or the bound has passed. The core asks the provider to
 * restart ICE; where it cannot (capability `mediaReconnect` false), the path may still come back
 * by itself, and past the bound the call ends `failed` with MEDIA_LOST either way.
 *
 *   flowing      ──lost──▶  reconnecting   (emit reconnecting, restart media)
 *   reconnecting ──flowing─▶ flowing        (emit reconnected)
 *   reconnecting ──stalled─▶ reconnecting   (restart again every restartEveryMs)
 *   reconnecting ──bound──▶  lost for good  (end failed, MEDIA_LOST)
 *
 * Both ends of a call lose the path together; were both to re-INVITE at once the requests would
 * cross (SIP glare, 491). The side that answered the call waits `answererDelayMs` (10 s) before its
 * first restart, so the caller's restarts (at once, then every 5 s) restore both; the answerer
 * restarts only when the caller does not (e.g. a PBX that never restarts ICE).
 */
import type { QualitySample } from './sample.js';

export type MediaPath = 'flowing' | 'reconnecting' | 'lost';
export type MediaSignal = 'lost' | 'flowing' | 'stalled' | 'bound' | 'none';
export type MediaAction = 'reconnecting' | 'reconnected' | 'restart' | 'fail';

const TABLE: Record<MediaPath, Partial<Record<MediaSignal, { to: MediaPath; actions: MediaAction[] }>>> = {
  flowing: { lost: { to: 'reconnecting', actions: ['reconnecting', 'restart'] } },
  reconnecting: {
    flowing: { to: 'flowing', actions: ['reconnected'] },
    bound: { to: 'lost', actions: ['fail'] },
  },
  lost: {},
};

const ICE_UP = new Set(['connected', 'completed']);

/** Nothing at all received on the ICE path for this long: the path is lost (Chromium itself
 * takes 5–10 s to call it `disconnected`). */
export const SILENT_PATH_MS = 3_000;

/**
 * What one sample says about the media path. `bytesReceivedDelta` is undefined when unknown.
 * Lost: ICE failed, ICE disconnected with no byte received since the last sample, or the path
 * received not one packet (RTP, RTCP, STUN) for SILENT_PATH_MS.
 */
export function classify(sample: QualitySample, bytesReceivedDelta: number | undefined, pathSilentMs?: number): 'lost' | 'flowing' | 'unknown' {
  const ice = sample.iceState;
  const silent = pathSilentMs !== undefined && pathSilentMs >= SILENT_PATH_MS;
  if (ice === 'failed' || (ice === 'disconnected' && (bytesReceivedDelta ?? 0) <= 0) || silent) return 'lost';
  // Bytes arriving are the path itself: Chromium may report ICE `disconnected` for a while after
  // they are back (seen on a loaded machine, where a call then ended MEDIA_LOST with its audio back).
  if ((bytesReceivedDelta ?? 0) > 0 && (ice === undefined || ICE_UP.has(ice) || ice === 'disconnected' || ice === 'checking')) return 'flowing';
  return 'unknown';
}

export class MediaWatch {
  private path: MediaPath = 'flowing';
  private since = 0;
  private lastRestart = 0;

  constructor(private readonly options: { boundMs: number; restartEveryMs: number; answererDelayMs?: number }) {}

  get state(): MediaPath {
    return this.path;
  }

  /** Feeds one observation at time `now`; returns what the caller must do. */
  step(observation: 'lost' | 'flowing' | 'unknown', now: number): MediaAction[] {
    let signal: MediaSignal = observation === 'unknown' ? 'none' : observation;
    if (this.path === 'reconnecting') {
      if (observation !== 'flowing' && now - this.since >= this.options.boundMs) signal = 'bound';
      else if (observation !== 'flowing' && now - this.lastRestart >= this.options.restartEveryMs) signal = 'stalled';
    }
    if (signal === 'stalled') {
      this.lastRestart = now;
      return ['restart'];
    }
    const move = TABLE[this.path][signal];
    if (!move) return [];
    this.path = move.to;
    if (move.to === 'reconnecting') {
      this.since = now;
      this.lastRestart = now;
      const delay = this.options.answererDelayMs ?? 0;
      if (delay > 0) {
        // The first restart comes as a `stalled` once the delay has passed.
        this.lastRestart = now - this.options.restartEveryMs + delay;
        return move.actions.filter((a) => a !== 'restart');
      }
    }
    return move.actions;
  }
}
