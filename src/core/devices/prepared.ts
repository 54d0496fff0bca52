/**
 * The microphone `client.prepare()` opens ahead of the first call, so that call() (or answer())
 * does not wait for getUserMedia. It is held for a bounded time; a call that asks for the same
 * microphone takes it (the call owns it from then on and stops it when it ends); otherwise it is
 * released: by `client.release()`, by the bound, by disconnect(), or when the choice of
 * microphone changed before a call came.
 */
import { openMicrophone } from './input.js';

/** How long a prepared microphone waits for a call before it is released, unless told otherwise. */
export const DEFAULT_HOLD_MICROPHONE_MS = 30_000;

/** The same constraints, whatever object carries them. */
const keyOf = (audio: MediaTrackConstraints | undefined) => JSON.stringify(audio ?? {});

export function stopStream(stream: MediaStream): void {
  for (const track of stream.getTracks()) track.stop();
}

export class PreparedMicrophone {
  private stream: MediaStream | undefined;
  private key = '';
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by every release: an open() that finishes after one stops what it opened. */
  private generation = 0;
  private opening: Promise<void> | undefined;

  constructor(private readonly provider: () => string) {}

  /** A live microphone is held for the next call. */
  get held(): boolean {
    return this.stream?.getAudioTracks().some((t) => t.readyState === 'live') === true;
  }

  /**
   * Opens the microphone matching `audio` (keeping the one held if it matches) and holds it for
   * `holdMs`. Rejects MEDIA_DENIED where the browser refuses; resolves false where a release()
   * came while it was opening (nothing is then held).
   */
  async open(audio: MediaTrackConstraints | undefined, holdMs: number): Promise<boolean> {
    // Two prepare() calls at once open one microphone: the second waits for the first.
    while (this.opening) await this.opening.catch(() => {});
    if (!this.held || this.key !== keyOf(audio)) {
      this.release();
      const generation = this.generation;
      const opened = openMicrophone(this.provider(), audio);
      this.opening = opened.then(
        () => {},
        () => {},
      ).finally(() => (this.opening = undefined));
      const track = await opened;
      if (generation !== this.generation) {
        track.stop();
        return false;
      }
      this.stream = new MediaStream([track]);
      this.key = keyOf(audio);
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.release(), holdMs);
    return true;
  }

  /**
   * Hands the held stream to a call that will send `audio`; undefined where none is held or it
   * does not fit (a stale one is released). The caller owns what it gets.
   */
  take(audio: MediaTrackConstraints | undefined): MediaStream | undefined {
    if (!this.stream) return undefined;
    if (!this.held || this.key !== keyOf(audio)) {
      this.release();
      return undefined;
    }
    const stream = this.stream;
    this.stream = undefined;
    clearTimeout(this.timer);
    return stream;
  }

  /** Stops the held microphone, if any. Never throws. */
  release(): void {
    this.generation++;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stream) stopStream(this.stream);
    this.stream = undefined;
  }
}
