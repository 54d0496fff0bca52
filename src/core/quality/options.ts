/** The client's `quality` option: sampling, warning thresholds and the media-reconnection bound. */
import { VoiceError } from '../errors.js';
import { DEFAULT_THRESHOLDS, type QualityThresholds } from './thresholds.js';

export interface QualityOptions {
  /** Sample calls at all (default true where the provider declares `quality`). */
  enabled?: boolean;
  /** Thresholds of the warnings; any not given keep their default. */
  thresholds?: Partial<QualityThresholds>;
  /**
   * How long a call may stay `reconnecting` before it ends `failed` with MEDIA_LOST.
   * Default 15 000 ms (Chromium declares a silent ICE path failed after ~20–30 s; the call ends first).
   */
  mediaReconnectMs?: number;
}

export interface ResolvedQualityOptions {
  enabled: boolean;
  thresholds: QualityThresholds;
  mediaReconnectMs: number;
  /** One sample a second (not configurable: the warning windows count samples). */
  intervalMs: number;
  /** While reconnecting, the media restart is tried again this often. */
  restartEveryMs: number;
}

export const DEFAULT_QUALITY_OPTIONS: Readonly<ResolvedQualityOptions> = Object.freeze({
  enabled: true,
  thresholds: { ...DEFAULT_THRESHOLDS },
  mediaReconnectMs: 15_000,
  intervalMs: 1_000,
  restartEveryMs: 5_000,
});

const invalid = (field: string, message: string) => new VoiceError('CONFIG_INVALID', message, { details: { field: `quality.${field}` } });
const positive = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0;

export function parseQualityOptions(value: unknown): ResolvedQualityOptions {
  const out: ResolvedQualityOptions = { ...DEFAULT_QUALITY_OPTIONS, thresholds: { ...DEFAULT_THRESHOLDS } };
  if (value === undefined) return out;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('', 'quality must be an object.');
  const given = value as QualityOptions;
  for (const key of Object.keys(given)) {
    if (!['enabled', 'thresholds', 'mediaReconnectMs'].includes(key)) throw invalid(key, `Unknown quality option "${key}".`);
  }
  if (given.enabled !== undefined) {
    if (typeof given.enabled !== 'boolean') throw invalid('enabled', 'quality.enabled must be a boolean.');
    out.enabled = given.enabled;
  }
  if (given.mediaReconnectMs !== undefined) {
    if (!positive(given.mediaReconnectMs)) throw invalid('mediaReconnectMs', 'quality.mediaReconnectMs must be a positive number of milliseconds.');
    out.mediaReconnectMs = given.mediaReconnectMs;
  }
  if (given.thresholds !== undefined) {
    if (typeof given.thresholds !== 'object' || given.thresholds === null) throw invalid('thresholds', 'quality.thresholds must be an object.');
    for (const [key, v] of Object.entries(given.thresholds)) {
      if (!(key in DEFAULT_THRESHOLDS)) throw invalid(`thresholds.${key}`, `Unknown quality threshold "${key}".`);
      if (!positive(v)) throw invalid(`thresholds.${key}`, `quality.thresholds.${key} must be a positive number.`);
      out.thresholds[key as keyof QualityThresholds] = v as number;
    }
  }
  return out;
}
