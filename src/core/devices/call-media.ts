/**
 * What the core watches on the media of an established call: the input and output levels (for a
 * meter and "your microphone seems muted"), and the microphone's track ending because its device
 * went away. Both come from the call's RTCPeerConnection, where the vendor exposes it.
 */
import type { ProviderCall } from '../contract.js';

export interface AudioLevels {
  /** The microphone as sent, 0..1 (0 while muted: the track sends silence). */
  input: number;
  /** The remote audio as received, 0..1. */
  output: number;
}

/** About ten a second: enough for a meter, cheap for getStats(). */
export const LEVEL_INTERVAL_MS = 100;

interface Hooks {
  provider(): ProviderCall | undefined;
  levels(levels: AudioLevels): void;
  /** Somebody listens to the levels: only then is getStats() polled. */
  wantsLevels(): boolean;
  /** The microphone's track ended while the call ran, and nothing took its place. */
  inputEnded(): void;
  /** The call's media is being restored (state `reconnecting`): the vendor may be renewing its track. */
  restoring(): boolean;
}

/**
 * How long an ended microphone track may go without a live successor before the device counts as
 * gone. A vendor SDK may stop its track and open another while it restores the media
 * (sendbird-calls does on reconnection); taking that for a vanished device would switch the input
 * under the SDK and break its recovery.
 */
const REPLACED_WITHIN_MS = 1_000;

function clamp(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}

/** Reads the levels out of a stats report (Chromium: media-source and inbound-rtp `audioLevel`). */
export function levelsFrom(report: RTCStatsReport, sending: MediaStreamTrack | undefined): AudioLevels {
  let input = 0;
  let output = 0;
  report.forEach((s: Record<string, unknown>) => {
    const kind = s.kind ?? s.mediaType;
    if (kind !== 'audio') return;
    if (s.type === 'media-source') input = Math.max(input, clamp(s.audioLevel));
    if (s.type === 'inbound-rtp') output = Math.max(output, clamp(s.audioLevel));
  });
  // A disabled track sends silence, whatever the capture still measures.
  if (sending && !sending.enabled) input = 0;
  return { input, output };
}

export function sendingTrack(pc: RTCPeerConnection | undefined): MediaStreamTrack | undefined {
  if (!pc || pc.signalingState === 'closed') return undefined;
  return pc.getSenders().find((s) => s.track?.kind === 'audio')?.track ?? undefined;
}

export class CallMedia {
  private timer: ReturnType<typeof setInterval> | undefined;
  private polling = false;
  private watched: MediaStreamTrack | undefined;
  /** When the watched track ended with no live successor yet. */
  private endedAt: number | undefined;
  private readonly onEnded = () => this.trackEnded();

  constructor(private readonly hooks: Hooks) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), LEVEL_INTERVAL_MS);
    this.follow();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.endedAt = undefined;
    this.unwatch();
  }

  /** The microphone track changed (a switch): watch the new one. */
  follow(): void {
    const track = sendingTrack(this.hooks.provider()?.peerConnection?.());
    if (track === this.watched) return;
    this.unwatch();
    this.watched = track;
    track?.addEventListener('ended', this.onEnded);
    if (track?.readyState === 'ended') this.trackEnded();
  }

  private unwatch(): void {
    this.watched?.removeEventListener('ended', this.onEnded);
    this.watched = undefined;
  }

  private trackEnded(): void {
    this.unwatch();
    if (this.timer) this.endedAt ??= Date.now();
  }

  /** Runs each tick after an ended track: a live successor clears it, none within the grace is a lost device. */
  private judgeEndedTrack(): void {
    if (this.endedAt === undefined) return;
    if (sendingTrack(this.hooks.provider()?.peerConnection?.())?.readyState === 'live') {
      this.endedAt = undefined;
    } else if (this.hooks.restoring()) {
      this.endedAt = Date.now();
    } else if (Date.now() - this.endedAt >= REPLACED_WITHIN_MS) {
      this.endedAt = undefined;
      this.hooks.inputEnded();
    }
  }

  private async tick(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      this.follow();
      this.judgeEndedTrack();
      if (!this.hooks.wantsLevels()) return;
      const provider = this.hooks.provider();
      const report = await provider?.getStats?.().catch(() => undefined);
      if (!report || !this.timer) return;
      this.hooks.levels(levelsFrom(report, sendingTrack(provider?.peerConnection?.())));
    } finally {
      this.polling = false;
    }
  }
}
