/** Playing a call's remote audio on the app's element: the speaker choice and the autoplay refusal. */
import { VoiceError, describeCause } from '../errors.js';

type SinkElement = HTMLMediaElement & { setSinkId?(id: string): Promise<void> };

/** Points the element at a speaker ('' is the default); a no-op where the browser cannot. */
export async function applySink(element: HTMLMediaElement | undefined, deviceId: string, provider: string): Promise<void> {
  const el = element as SinkElement | undefined;
  if (!el?.setSinkId) return;
  try {
    await el.setSinkId(deviceId);
  } catch (error) {
    throw new VoiceError('INVALID_ARGUMENT', 'The speaker could not be chosen.', { provider, cause: describeCause(error), details: { field: 'deviceId' } });
  }
}

/** Starts the element again after an autoplay refusal; must run inside a user gesture. */
export async function resumePlayback(element: HTMLMediaElement, provider: string): Promise<void> {
  try {
    await element.play();
  } catch (error) {
    throw new VoiceError('MEDIA_DENIED', 'The browser still refuses to play the call audio: call resumeAudio() from a user gesture.', {
      provider,
      cause: describeCause(error),
    });
  }
}

/** Plays the stream; `blocked` runs when the browser's autoplay policy refuses. */
export function playRemote(element: HTMLMediaElement, stream: MediaStream, blocked: () => void): void {
  element.srcObject = stream;
  element.play?.()?.catch?.((error: unknown) => {
    if ((error as { name?: unknown } | null)?.name === 'NotAllowedError') blocked();
  });
}
