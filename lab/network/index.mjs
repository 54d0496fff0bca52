// A network you can break: one coturn on 127.0.0.1 and, per browser, a UDP impairment relay in
// front of it. A browser given `relay.iceServers` with iceTransportPolicy 'relay' sends every
// media packet through its relay. See README.md.
import { startTurn } from './turn.mjs';
import { startRelay } from './relay.mjs';

export { startTurn } from './turn.mjs';
export { startRelay } from './relay.mjs';

/**
 * Makes every RTCPeerConnection a page creates relay-only, whatever config the vendor SDK passes:
 * the lab's equivalent of a network where only the TURN path exists. Add it to a browser context
 * before the page loads (context.addInitScript), after lab/browser's own init script.
 */
export const FORCE_RELAY_INIT_SCRIPT = relayOnlyInitScript();

/**
 * As FORCE_RELAY_INIT_SCRIPT; with `iceServers`, the page's only TURN server is that one too,
 * whatever the vendor SDK was told (a vendor whose server hands out its own TURN credential, as
 * Sendbird's does, gets the lab's relay in its place, as its own TURN would be on a real network).
 * @param {RTCIceServer[]} [iceServers]
 */
export function relayOnlyInitScript(iceServers) {
  const servers = iceServers ? JSON.stringify(iceServers) : 'undefined';
  return `(() => {
  const Base = window.RTCPeerConnection;
  if (!Base || window.__relayOnly) return;
  window.__relayOnly = true;
  const servers = ${servers};
  const relayOnly = (config) => ({ ...(config || {}), ...(servers ? { iceServers: servers } : {}), iceTransportPolicy: 'relay' });
  class RelayOnly extends Base {
    constructor(config, ...rest) { super(relayOnly(config), ...rest); }
    setConfiguration(config) { return super.setConfiguration(relayOnly(config)); }
  }
  window.RTCPeerConnection = RelayOnly;
  window.webkitRTCPeerConnection = RelayOnly;
})();`;
}

/**
 * @param {{ relays?: number }} [options] how many relays (one per browser/user), default 2
 */
export async function startNetworkLab(options = {}) {
  const turn = await startTurn();
  /** @type {Array<Awaited<ReturnType<typeof startRelay>>>} */
  const relays = [];
  try {
    for (let i = 0; i < (options.relays ?? 2); i++) relays.push(await startRelay({ targetPort: turn.port }));
  } catch (error) {
    await Promise.all(relays.map((r) => r.stop()));
    await turn.stop();
    throw error;
  }
  /** @param {{ port: number }} relay */
  const iceServersFor = (relay) => [{ urls: `turn:127.0.0.1:${relay.port}?transport=udp`, username: turn.username, credential: turn.credential }];
  return {
    turn,
    relays: relays.map((relay) => Object.assign(relay, { iceServers: iceServersFor(relay) })),
    async stop() {
      await Promise.all(relays.map((r) => r.stop()));
      await turn.stop();
    },
  };
}

/**
 * Turns a lab page relay-only: adds the init script to its context and reloads it.
 * @param {import('playwright-core').Page} page
 * @param {{ iceServers?: RTCIceServer[] }} [options] replace whatever TURN the SDK was given
 */
export async function makeRelayOnly(page, options = {}) {
  await page.context().addInitScript(relayOnlyInitScript(options.iceServers));
  await page.reload();
  await page.waitForFunction('window.pageReady === true', undefined, { timeout: 20_000 });
}
