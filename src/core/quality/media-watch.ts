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

/**
 * What one sample says about the media path. `bytesReceivedDelta` is undefined when unknown.
 * Lost: ICE failed, or ICE disconnected with no byte received since the last sample.
 */
export function classify(sample: QualitySample, bytesReceivedDelta: number | undefined): 'lost' | 'flowing' | 'unknown' {
  const ice = sample.iceState;
  if (ice === 'failed' || (ice === 'disconnected' && (bytesReceivedDelta ?? 0) <= 0)) return 'lost';
  if ((bytesReceivedDelta ?? 0) > 0 && (ice === undefined || ICE_UP.has(ice))) return 'flowing';
  return 'unknown';
}

export class MediaWatch {
  private path: MediaPath = 'flowing';
  private since = 0;
  private lastRestart = 0;

  constructor(private readonly options: { boundMs: number; restartEveryMs: number }) {}

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
    if (move.to === 'reconnecting') {
      this.since = now;
      this.lastRestart = now;
    }
    this.path = move.to;
    return move.actions;
  }
}
