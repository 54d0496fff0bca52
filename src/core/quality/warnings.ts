/**
 * Quality warnings as a table of rules: what breaches, and how many of the recent samples must
 * breach to raise (and be clean to clear) one episode. Defaults follow the common anchors (Twilio
 * Voice SDK): RTT > 400 ms, jitter > 30 ms, loss > 1 %, MOS < 3.5, no bytes for 3 samples.
 */
import type { QualitySample } from './sample.js';

export type QualityWarningName =
  | 'high-rtt'
  | 'high-jitter'
  | 'high-packet-loss'
  | 'low-mos'
  | 'no-inbound-audio'
  | 'no-outbound-audio'
  | 'silent-input';

// The thresholds live apart (thresholds.ts): config parsing needs them in the entry chunk, the tracker here loads with the monitor.
import type { QualityThresholds } from './thresholds.js';
export { DEFAULT_THRESHOLDS, type QualityThresholds } from './thresholds.js';

export interface QualityWarning {
  name: QualityWarningName;
  /** The value that breached (or, when cleared, the latest value). */
  value: number;
  threshold: number;
}

/** What one sample shows, besides the sample: changes since the previous one. */
export interface SampleDeltas {
  bytesReceived?: number;
  bytesSent?: number;
  inputEnergy?: number;
}

/** Which side of the media a rule watches: outbound rules pause while muted. */
type Side = 'inbound' | 'outbound' | 'both';

interface Rule {
  side: Side;
  /** The value and threshold of this sample, or undefined when the sample cannot tell. */
  measure(sample: QualitySample, deltas: SampleDeltas, t: QualityThresholds): { value: number; threshold: number; breach: boolean } | undefined;
  /** Raise when `raise` of the last `window` samples breach; clear after `clear` clean samples. */
  window(t: QualityThresholds): { window: number; raise: number; clear: number };
  /**
   * The value is a reading that refreshes slower than the samples (RTT comes with RTCP reports,
   * every few seconds): a sample repeating the previous reading is not a new observation.
   */
  freshOnly?: boolean;
}

const SUSTAINED = { window: 5, raise: 3, clear: 3 };
const above = (value: number | undefined, threshold: number) => (value === undefined ? undefined : { value, threshold, breach: value > threshold });

export const WARNING_RULES: Readonly<Record<QualityWarningName, Rule>> = {
  'high-rtt': { side: 'both', measure: (s, _d, t) => above(s.rttMs, t.rttMs), window: () => SUSTAINED, freshOnly: true },
  'high-jitter': { side: 'inbound', measure: (s, _d, t) => above(s.jitterMs, t.jitterMs), window: () => SUSTAINED },
  'high-packet-loss': { side: 'inbound', measure: (s, _d, t) => above(s.packetLossPct, t.packetLossPct), window: () => SUSTAINED },
  'low-mos': {
    side: 'both',
    measure: (s, _d, t) => (s.mos === undefined ? undefined : { value: s.mos, threshold: t.mos, breach: s.mos < t.mos }),
    window: () => SUSTAINED,
  },
  'no-inbound-audio': {
    side: 'inbound',
    measure: (_s, d) => (d.bytesReceived === undefined ? undefined : { value: d.bytesReceived, threshold: 0, breach: d.bytesReceived <= 0 }),
    window: (t) => ({ window: t.noAudioSamples, raise: t.noAudioSamples, clear: 1 }),
  },
  'no-outbound-audio': {
    side: 'outbound',
    measure: (_s, d) => (d.bytesSent === undefined ? undefined : { value: d.bytesSent, threshold: 0, breach: d.bytesSent <= 0 }),
    window: (t) => ({ window: t.noAudioSamples, raise: t.noAudioSamples, clear: 1 }),
  },
  'silent-input': {
    side: 'outbound',
    measure: (_s, d) => (d.inputEnergy === undefined ? undefined : { value: d.inputEnergy, threshold: 0, breach: d.inputEnergy <= 0 }),
    window: (t) => ({ window: t.silentInputSamples, raise: t.silentInputSamples, clear: 1 }),
  },
};

export type WarningChange = { kind: 'raised' | 'cleared'; warning: QualityWarning };

/** Tracks episodes: each warning is raised once and cleared once per episode. */
export class WarningTracker {
  private readonly history = new Map<QualityWarningName, boolean[]>();
  private readonly raised = new Map<QualityWarningName, QualityWarning>();
  private readonly lastReading = new Map<QualityWarningName, number>();

  constructor(private readonly thresholds: QualityThresholds) {}

  /** Feeds one sample; `paused` sides are treated as clean (a muted mic is not silent input). */
  update(sample: QualitySample, deltas: SampleDeltas, paused: { inbound: boolean; outbound: boolean }): WarningChange[] {
    const changes: WarningChange[] = [];
    for (const name of Object.keys(WARNING_RULES) as QualityWarningName[]) {
      const rule = WARNING_RULES[name];
      const isPaused = rule.side === 'both' ? paused.inbound && paused.outbound : paused[rule.side];
      const measured = isPaused ? undefined : rule.measure(sample, deltas, this.thresholds);
      if (rule.freshOnly && measured) {
        const repeated = this.lastReading.get(name) === measured.value;
        this.lastReading.set(name, measured.value);
        if (repeated) continue;
      }
      const { window, raise, clear } = rule.window(this.thresholds);
      const history = this.history.get(name) ?? [];
      history.push(measured?.breach === true);
      while (history.length > Math.max(window, clear)) history.shift();
      this.history.set(name, history);
      const active = this.raised.get(name);
      const recent = history.slice(-window);
      if (!active && measured?.breach && recent.filter(Boolean).length >= raise) {
        const warning = { name, value: measured.value, threshold: measured.threshold };
        this.raised.set(name, warning);
        changes.push({ kind: 'raised', warning });
      } else if (active && history.length >= clear && history.slice(-clear).every((b) => !b)) {
        this.raised.delete(name);
        changes.push({ kind: 'cleared', warning: { name, value: measured?.value ?? active.value, threshold: active.threshold } });
      }
    }
    return changes;
  }

  /** Warnings raised and not cleared. */
  active(): QualityWarningName[] {
    return [...this.raised.keys()];
  }
}
