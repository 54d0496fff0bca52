// Proves audio from the receiver's side: inbound-rtp packets and decoded energy, read through
// lab/browser's page.inboundAudio() (getStats() of every peer connection in the page).

export interface AudioStats {
  packetsReceived: number;
  totalAudioEnergy: number;
}

export interface AudioPage {
  inboundAudio(): Promise<AudioStats & Record<string, number>>;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Received audio over a window of `ms`: the change in packets and energy. */
export async function audioOver(page: AudioPage, ms: number): Promise<{ before: AudioStats; after: AudioStats; packets: number; energy: number }> {
  const before = await page.inboundAudio();
  await sleep(ms);
  const after = await page.inboundAudio();
  return { before, after, packets: after.packetsReceived - before.packetsReceived, energy: after.totalAudioEnergy - before.totalAudioEnergy };
}

/**
 * Waits (bounded) until received packets and energy both rise over a window, i.e. sound arrives
 * now, not just arrived once. Returns the last window.
 */
export async function waitForRisingAudio(page: AudioPage, options: { windowMs?: number; timeoutMs?: number; minPackets?: number; minEnergy?: number } = {}) {
  const windowMs = options.windowMs ?? 500;
  const minPackets = options.minPackets ?? 10;
  const minEnergy = options.minEnergy ?? SILENT_ENERGY;
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let last = await audioOver(page, windowMs);
  while (!(last.packets >= minPackets && last.energy > minEnergy) && Date.now() < deadline) last = await audioOver(page, windowMs);
  return last;
}

// Measured here: the fake microphone's beeps add ~0.1–0.3 energy per second at the receiver; once
// a sender goes silent the decoder fades out within ~1 s and then adds exactly 0.
export const SILENT_ENERGY = 1e-4;
/** A looser bound for a window measured without waiting for the fade-out (waitForSilence). */
export const SILENT_ENERGY_PER_S = 1e-3;

/**
 * Waits (bounded) until a window of received audio carries no energy, i.e. sound has stopped
 * after the decoder's fade-out. Returns how long that took; throws if it never stops.
 */
export async function waitForSilence(page: AudioPage, options: { windowMs?: number; timeoutMs?: number } = {}): Promise<number> {
  const started = Date.now();
  const deadline = started + (options.timeoutMs ?? 4_000);
  for (;;) {
    const window = await audioOver(page, options.windowMs ?? 400);
    if (window.energy < SILENT_ENERGY) return Date.now() - started;
    if (Date.now() > deadline) throw new Error(`received audio did not stop: +${window.energy} energy in the last window`);
  }
}
