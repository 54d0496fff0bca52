/**
 * Samples one call's stats once a second while it lives: normalised samples, warning episodes and
 * the media-path watch. One getStats() per second, one timer at a time, none after stop().
 */
import type { CallState } from '../events.js';
import { MediaWatch, classify, type MediaAction } from './media-watch.js';
import type { ResolvedQualityOptions } from './options.js';
import { readSample, type QualitySample, type SampleCounters } from './sample.js';
import { WarningTracker, type WarningChange } from './warnings.js';

// The caller's first restart can wait out a blackout's ICE gathering; the answerer's must not cross it.
const ANSWERER_DELAY_MS = 10_000;

export interface QualityHost {
  getStats(): Promise<RTCStatsReport | undefined>;
  condition(): { state: CallState; muted: boolean };
  /** Whether the provider can restart the media (capability `mediaReconnect`). */
  canRestartMedia(): boolean;
  /** The call was answered here (it waits before its first restart: see media-watch.ts). */
  answerer: boolean;
  restartMedia(): Promise<void>;
  sample(sample: QualitySample): void;
  warning(change: WarningChange): void;
  media(action: Exclude<MediaAction, 'restart'>): void;
}

export class QualityMonitor {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private counters: SampleCounters | undefined;
  private previous: QualitySample | undefined;
  private readonly warnings: WarningTracker;
  private readonly watch: MediaWatch;

  constructor(
    private readonly host: QualityHost,
    private readonly options: ResolvedQualityOptions,
  ) {
    this.warnings = new WarningTracker(options.thresholds);
    this.watch = new MediaWatch({ boundMs: options.mediaReconnectMs, restartEveryMs: options.restartEveryMs, answererDelayMs: host.answerer ? ANSWERER_DELAY_MS : 0 });
  }

  /** The latest sample, if one was taken. */
  get latest(): QualitySample | undefined {
    return this.previous;
  }

  start(): void {
    if (this.stopped || this.timer) return;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.tick().then(
        () => this.schedule(),
        () => this.schedule(),
      );
    }, this.options.intervalMs);
  }

  private async tick(): Promise<void> {
    let report: RTCStatsReport | undefined;
    try {
      report = await this.host.getStats();
    } catch {
      report = undefined; // a closed or replaced peer connection: no sample this second
    }
    if (this.stopped) return;
    const { state, muted } = this.host.condition();
    if (state !== 'active' && state !== 'held' && state !== 'reconnecting') return;
    const now = Date.now();
    if (!report) {
      // No stats at all still counts against the reconnection bound.
      if (state === 'reconnecting') this.act(this.watch.step('unknown', now));
      return;
    }
    const read = readSample(report, this.counters, now);
    const previous = this.previous;
    this.counters = read.counters;
    this.previous = read.sample;
    const delta = (field: 'bytesReceived' | 'bytesSent') =>
      read.sample[field] !== undefined && previous?.[field] !== undefined ? read.sample[field]! - previous[field]! : undefined;
    const bytesReceived = delta('bytesReceived');
    this.host.sample(read.sample);
    if (this.stopped) return;

    const held = state === 'held';
    const changes = this.warnings.update(
      read.sample,
      { bytesReceived, bytesSent: delta('bytesSent'), inputEnergy: read.inputEnergyDelta },
      { inbound: held, outbound: held || muted },
    );
    for (const change of changes) {
      if (this.stopped) return;
      this.host.warning(change);
    }
    if (!held && !this.stopped) this.act(this.watch.step(classify(read.sample, bytesReceived, read.pathSilentMs), now));
  }

  private act(actions: MediaAction[]): void {
    for (const action of actions) {
      if (this.stopped) return;
      if (action === 'restart') {
        if (this.host.canRestartMedia()) this.host.restartMedia().catch(() => {});
      } else this.host.media(action);
    }
  }
}
