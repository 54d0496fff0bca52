// The engines the lab can run, and what is the same in all of them: which one a run uses, and the
// receiver-side audio proof built on a page's inboundAudio().

/** @typedef {'chromium' | 'firefox'} Engine */

/** @type {readonly Engine[]} */
export const ENGINES = Object.freeze(['chromium', 'firefox']);

/** Which engine a tool uses when none is given: `POLYPHONE_BROWSER` (default chromium). */
export const ENGINE_ENV = 'POLYPHONE_BROWSER';

/**
 * @param {string | undefined} [value]
 * @returns {Engine}
 */
export function engineFrom(value = process.env[ENGINE_ENV]) {
  const engine = (value ?? '').trim().toLowerCase() || 'chromium';
  if (!ENGINES.includes(/** @type {Engine} */ (engine))) throw new Error(`unknown browser engine "${value}": one of ${ENGINES.join(', ')}`);
  return /** @type {Engine} */ (engine);
}

/**
 * Waits (bounded) until at least `minPackets` more audio packets and some decoded energy arrived
 * than `since`. Works on any page with inboundAudio().
 * @param {{ inboundAudio(): Promise<import('./lab-page.mjs').AudioStats> }} page
 * @param {import('./lab-page.mjs').WaitForAudioOptions} [options]
 * @returns {Promise<import('./lab-page.mjs').AudioStats>}
 */
export async function waitForAudio(page, { minPackets = 20, timeoutMs = 10_000, since } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await page.inboundAudio();
    const packets = last.packetsReceived - (since?.packetsReceived ?? 0);
    const energy = last.totalAudioEnergy - (since?.totalAudioEnergy ?? 0);
    if (packets >= minPackets && energy > 0) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no inbound audio within ${timeoutMs} ms: ${JSON.stringify(last)}`);
}
