// The few browser globals @telnyx/webrtc 2.27.x touches to construct a client and log in, so its
// signalling can run in Node against the emulator. Calls need RTCPeerConnection and media, which
// stay in Chromium; nothing here pretends to provide them.
import { setMaxListeners } from 'node:events';
import { WebSocket } from 'ws';

class MemoryStorage {
  constructor() {
    /** @type {Map<string, string>} */
    this.items = new Map();
  }
  get length() { return this.items.size; }
  /** @param {string} key */
  getItem(key) { return this.items.has(key) ? /** @type {string} */ (this.items.get(key)) : null; }
  /** @param {string} key @param {string} value */
  setItem(key, value) { this.items.set(key, String(value)); }
  /** @param {string} key */
  removeItem(key) { this.items.delete(key); }
  clear() { this.items.clear(); }
  /** @param {number} i */
  key(i) { return [...this.items.keys()][i] ?? null; }
}

/**
 * Installs the globals that are missing and returns a function that removes exactly those.
 * Call it before importing the SDK bundle.
 * @returns {() => void}
 */
export function installTelnyxNodeShims() {
  const events = new EventTarget();
  // Every client adds a beforeunload listener and never removes it; a test file makes dozens.
  setMaxListeners(0, events);
  /** @type {Record<string, unknown>} */
  const shims = {
    WebSocket,
    window: {
      addEventListener: events.addEventListener.bind(events),
      removeEventListener: events.removeEventListener.bind(events),
      setTimeout,
      clearTimeout,
    },
    document: {
      visibilityState: 'visible',
      // The SDK looks up the app's audio element for an incoming call; Node has none to find.
      getElementById: () => null,
      addEventListener() {},
      removeEventListener() {},
    },
    navigator: { userAgent: `Node.js/${process.version} (polyphone telnyx lab)`, onLine: true },
    sessionStorage: new MemoryStorage(),
  };
  /** @type {string[]} */
  const installed = [];
  const scope = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (globalThis));
  for (const [name, value] of Object.entries(shims)) {
    if (scope[name] !== undefined) continue;
    Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
    installed.push(name);
  }
  return () => {
    for (const name of installed) delete scope[name];
  };
}
