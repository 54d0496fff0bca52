// A user-space UDP relay between one browser and the TURN server: every packet of that browser's
// media (and of its TURN/ICE control) crosses it, so loss, delay, jitter and blackouts set here
// are what the browser's network does. The kernel here has no netem; this is the way.
import { createSocket } from 'node:dgram';

/**
 * @typedef {{ loss: number, delayMs: number, jitterMs: number, blackout: boolean }} PathState
 * @typedef {'up' | 'down' | 'both'} Direction  up: browser → TURN server; down: TURN server → browser
 * @typedef {{ forwarded: number, dropped: number }} PathCounters
 */

const clean = () => ({ loss: 0, delayMs: 0, jitterMs: 0, blackout: false });

/**
 * @param {{ targetPort: number, targetHost?: string, random?: () => number }} options
 */
export async function startRelay(options) {
  const targetHost = options.targetHost ?? '127.0.0.1';
  const random = options.random ?? Math.random;
  /** @type {Record<'up' | 'down', PathState>} */
  const paths = { up: clean(), down: clean() };
  /** @type {Record<'up' | 'down', PathCounters>} */
  const counters = { up: { forwarded: 0, dropped: 0 }, down: { forwarded: 0, dropped: 0 } };
  /** Packets waiting out their delay; cleared on stop so nothing outlives the relay. */
  const pending = new Set();
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let blackoutTimer;
  let stopped = false;

  /** @param {'up' | 'down'} direction @param {() => void} send */
  const pass = (direction, send) => {
    const path = paths[direction];
    if (stopped || path.blackout || (path.loss > 0 && random() < path.loss)) {
      counters[direction].dropped++;
      return;
    }
    counters[direction].forwarded++;
    const delay = Math.max(0, path.delayMs + (path.jitterMs > 0 ? (random() * 2 - 1) * path.jitterMs : 0));
    if (delay === 0) return send();
    const timer = setTimeout(() => {
      pending.delete(timer);
      if (!stopped) send();
    }, delay);
    pending.add(timer);
  };

  const front = createSocket('udp4');
  /** One upstream socket per browser address, so coturn sees each as its own client. */
  const upstreams = new Map();
  front.on('message', (packet, from) => {
    const key = `${from.address}:${from.port}`;
    let upstream = upstreams.get(key);
    if (!upstream) {
      upstream = createSocket('udp4');
      upstream.on('message', (/** @type {Buffer} */ reply) => pass('down', () => front.send(reply, from.port, from.address)));
      upstream.on('error', () => {});
      upstream.bind(0, '127.0.0.1');
      upstreams.set(key, upstream);
    }
    const socket = upstream;
    pass('up', () => socket.send(packet, options.targetPort, targetHost));
  });
  front.on('error', () => {});
  await new Promise((resolve) => front.bind(0, '127.0.0.1', () => resolve(undefined)));
  const port = front.address().port;

  /** @param {Direction} direction */
  const chosen = (direction) => (direction === 'both' ? /** @type {const} */ (['up', 'down']) : [direction]);

  return {
    port,
    /**
     * Sets loss (0–1), delay and jitter (ms) for a direction; fields not given stay as they are.
     * @param {Partial<Omit<PathState, 'blackout'>>} settings
     * @param {Direction} [direction]
     */
    impair(settings, direction = 'both') {
      if (settings.loss !== undefined && !(settings.loss >= 0 && settings.loss <= 1)) throw new RangeError(`loss must be 0..1, got ${settings.loss}`);
      for (const d of chosen(direction)) Object.assign(paths[d], settings);
    },
    /**
     * Drops everything for `ms`, or for good when `ms` is undefined.
     * @param {number} [ms]
     * @param {Direction} [direction]
     */
    blackout(ms, direction = 'both') {
      clearTimeout(blackoutTimer);
      for (const d of chosen(direction)) paths[d].blackout = true;
      if (ms !== undefined) {
        blackoutTimer = setTimeout(() => {
          for (const d of chosen(direction)) paths[d].blackout = false;
        }, ms);
      }
    },
    /** Back to a clean path in both directions. */
    restore() {
      clearTimeout(blackoutTimer);
      paths.up = clean();
      paths.down = clean();
    },
    /** @returns {{ up: PathState & PathCounters, down: PathState & PathCounters }} */
    state: () => ({ up: { ...paths.up, ...counters.up }, down: { ...paths.down, ...counters.down } }),
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(blackoutTimer);
      for (const timer of pending) clearTimeout(timer);
      pending.clear();
      await Promise.all([front, ...upstreams.values()].map((s) => new Promise((resolve) => s.close(() => resolve(undefined)))));
      upstreams.clear();
    },
  };
}
