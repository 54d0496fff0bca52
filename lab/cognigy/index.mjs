// Plays the Cognigy Click-to-Call backend on 127.0.0.1: the HTTP endpoint whose GET hands the
// client its SIP parameters (WebSocket URI, SIP identity, short-lived password) for the real
// Kamailio of lab/kamailio, and, on demand, every way that endpoint can let a client down.
//
// The reply format is polyphone's assumption (Cognigy does not publish it); it is written down in
// docs/cognigy-config.md and validated in src/providers/cognigy/config-schema.ts.

import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import net from 'node:net';
import { unusedLoopbackPort } from '../ports.mjs';

/**
 * Every behaviour the endpoint can show, chosen per request by the path `/endpoint/<mode>`.
 * - ok: a valid config for a user Kamailio knows
 * - widget-inactive: valid, but `widgetActive: false`
 * - slow: answers after `slowDelayMs` (default 12 s, beyond the client's 10 s bound)
 * - error500 / unauthorized (401) / forbidden (403): non-2xx answers
 * - malformed: a body that is not JSON
 * - missing-fields: JSON without `password` and `websocketUri`
 * - bad-credentials: a password Kamailio refuses (403 to REGISTER)
 * - sip-unreachable: a WebSocket URI on a port where nothing listens
 * - sip-blackhole: a WebSocket URI whose server accepts TCP and never answers the upgrade
 * - sip-refusing: a WebSocket URI whose server drops every TCP connection at once, counting them
 *   (`refusedConnections()`), so a test can see whether the client keeps retrying
 * - with-ice: ok, plus `iceServers: []`
 * - live: whatever `setLiveMode()` chose last (default ok), so one client URL can change behaviour
 *   between its connect and a later refresh
 * - custom: the reply `setCustomReply()` set last, byte for byte (a fuzz test's generated bodies);
 *   a function reply is asked per request, with the SIP user a real reply would give out
 * @typedef {'ok' | 'widget-inactive' | 'slow' | 'error500' | 'unauthorized' | 'forbidden' | 'malformed'
 *   | 'missing-fields' | 'bad-credentials' | 'sip-unreachable' | 'sip-blackhole' | 'sip-refusing' | 'with-ice' | 'live' | 'custom'} CognigyMode
 */

/**
 * What the `custom` mode answers: any status, content type and body (a string, or bytes that need
 * not be UTF-8).
 * @typedef {{ status?: number, contentType?: string, body: string | Uint8Array }} CustomReply
 */

export const MODES = Object.freeze([
  'ok',
  'widget-inactive',
  'slow',
  'error500',
  'unauthorized',
  'forbidden',
  'malformed',
  'missing-fields',
  'bad-credentials',
  'sip-unreachable',
  'sip-blackhole',
  'sip-refusing',
  'with-ice',
  'live',
  'custom',
]);

const USER_PREFIX = 'cognigy-';
// How long the lab says a password lives by default; the client is told through `expiresAt`.
const CREDENTIAL_LIFETIME_MS = 10 * 60_000;

/**
 * SIP users to hand to startKamailio() for the backend to give out: cognigy-0..cognigy-{n-1},
 * each with a random password (a fresh one per test run, never written in a test).
 * @param {number} n
 * @returns {Record<string, string>}
 */
export function cognigyUsers(n) {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`cognigyUsers: n must be a positive integer, got ${n}`);
  /** @type {Record<string, string>} */
  const users = {};
  for (let i = 0; i < n; i++) users[`${USER_PREFIX}${i}`] = `cg-${randomBytes(9).toString('base64url')}`;
  return users;
}

/**
 * @typedef {object} CognigyBackendOptions
 * @property {{ wsUrl: string, domain: string, users: Record<string, string> }} kamailio what startKamailio() returned
 * @property {Record<string, string>} [users] the users to give out (default: kamailio's `cognigy-*` users, else all of them)
 * @property {number} [slowDelayMs] how long `slow` waits before answering (default 12 000)
 * @property {string} [applicationId] default 'polyphone-lab-app'
 * @property {number} [credentialLifetimeMs] the `expiresAt` given out is this far ahead (default 10 min),
 *   so a test can bring a client's expiry warning near
 */

/**
 * @typedef {object} RecordedRequest
 * @property {string} method
 * @property {string} mode
 * @property {string | null} userId the `userId` query parameter the client sent
 * @property {string | undefined} origin the Origin header (set by browsers on a cross-origin fetch)
 * @property {string | undefined} username the SIP user the reply gave out, if any
 * @property {number} at Date.now() on arrival
 */

/**
 * @typedef {object} CognigyBackend
 * @property {(mode?: CognigyMode) => string} url the endpoint URL for a mode (default ok)
 * @property {number} port
 * @property {RecordedRequest[]} requests every request, in order of arrival
 * @property {(mode: CognigyMode) => void} setLiveMode what `/endpoint/live` does from now on
 * @property {(reply: CustomReply | ((ctx: { username: string, validConfig: Record<string, unknown> }) => CustomReply)) => void} setCustomReply
 *   what `/endpoint/custom` answers from now on
 * @property {(userId: string) => string | undefined} userFor the SIP user given to a userId
 * @property {() => number} refusedConnections TCP connections the `sip-refusing` server dropped so far
 * @property {() => Promise<void>} stop
 */

/**
 * @param {CognigyBackendOptions} options
 * @returns {Promise<CognigyBackend>}
 */
export async function startCognigyBackend(options) {
  const { kamailio } = options;
  if (!kamailio?.wsUrl) throw new TypeError('startCognigyBackend: pass { kamailio } as returned by startKamailio()');
  const pool = options.users ?? pickUsers(kamailio.users);
  const poolNames = Object.keys(pool);
  if (poolNames.length === 0) throw new TypeError('startCognigyBackend: no SIP users to give out');
  const slowDelayMs = options.slowDelayMs ?? 12_000;
  const applicationId = options.applicationId ?? 'polyphone-lab-app';
  const credentialLifetimeMs = options.credentialLifetimeMs ?? CREDENTIAL_LIFETIME_MS;
  /** @type {CustomReply | ((ctx: { username: string, validConfig: Record<string, unknown> }) => CustomReply)} */
  let customReply = { status: 404, contentType: 'text/plain', body: 'no custom reply set' };

  /** @type {RecordedRequest[]} */
  const requests = [];
  /** @type {Map<string, string>} userId → SIP user, so a returning user keeps one identity */
  const stickyUsers = new Map();
  let nextUser = 0;
  /** @type {CognigyMode} */
  let liveMode = 'ok';
  /** @type {Set<NodeJS.Timeout>} */
  const pendingTimers = new Set();

  const blackhole = await startTcpSink('hold');
  const refusing = await startTcpSink('drop');
  const deadPort = await unusedLoopbackPort();

  /** @param {string | null} userId */
  const assignUser = (userId) => {
    if (userId !== null && stickyUsers.has(userId)) return /** @type {string} */ (stickyUsers.get(userId));
    const name = /** @type {string} */ (poolNames[nextUser++ % poolNames.length]);
    if (userId !== null) stickyUsers.set(userId, name);
    return name;
  };

  /**
   * @param {CognigyMode} mode
   * @param {string} username
   */
  const configFor = (mode, username) => {
    const password = /** @type {string} */ (pool[username]);
    /** @type {Record<string, unknown>} */
    const config = {
      applicationId,
      widgetActive: mode !== 'widget-inactive',
      websocketUri: kamailio.wsUrl,
      sipUri: `sip:${username}@${kamailio.domain}`,
      username,
      password,
      expiresAt: Date.now() + credentialLifetimeMs,
    };
    if (mode === 'bad-credentials') config.password = `${password}-expired`;
    if (mode === 'sip-unreachable') config.websocketUri = `ws://127.0.0.1:${deadPort}`;
    if (mode === 'sip-blackhole') config.websocketUri = `ws://127.0.0.1:${blackhole.port}`;
    if (mode === 'sip-refusing') config.websocketUri = `ws://127.0.0.1:${refusing.port}`;
    if (mode === 'with-ice') config.iceServers = [];
    if (mode === 'missing-fields') {
      delete config.password;
      delete config.websocketUri;
    }
    return config;
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // A page on another origin (the lab page server) fetches this endpoint.
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-allow-methods', 'GET, OPTIONS');
    res.setHeader('access-control-allow-headers', 'content-type');
    res.setHeader('cache-control', 'no-store');
    if (req.method === 'OPTIONS') {
      res.writeHead(204);
      res.end();
      return;
    }
    const match = /^\/endpoint\/([a-z0-9-]+)$/.exec(url.pathname);
    let mode = /** @type {CognigyMode | undefined} */ (match?.[1]);
    if (!mode || !MODES.includes(mode) || req.method !== 'GET') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'not found' }));
      return;
    }
    const requestedMode = mode;
    if (mode === 'live') mode = liveMode;
    const userId = url.searchParams.get('userId');
    /** @type {RecordedRequest} */
    const record = { method: req.method, mode: requestedMode, userId, origin: req.headers.origin, username: undefined, at: Date.now() };
    requests.push(record);

    const json = (/** @type {number} */ status, /** @type {unknown} */ body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    switch (mode) {
      case 'error500':
        return json(500, { error: 'internal error' });
      case 'unauthorized':
        return json(401, { error: 'endpoint token missing or expired' });
      case 'forbidden':
        return json(403, { error: 'endpoint disabled for this origin' });
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"applicationId": "polyphone-lab-app", "websocketUri": ');
        return;
      case 'custom': {
        const username = assignUser(userId);
        const reply = typeof customReply === 'function' ? customReply({ username, validConfig: configFor('ok', username) }) : customReply;
        record.username = username;
        res.writeHead(reply.status ?? 200, { 'content-type': reply.contentType ?? 'application/json' });
        res.end(reply.body);
        return;
      }
      case 'slow': {
        const timer = setTimeout(() => {
          pendingTimers.delete(timer);
          if (res.writableEnded || res.destroyed) return;
          const username = assignUser(userId);
          record.username = username;
          json(200, configFor('ok', username));
        }, slowDelayMs);
        pendingTimers.add(timer);
        req.on('close', () => {
          clearTimeout(timer);
          pendingTimers.delete(timer);
        });
        return;
      }
      default: {
        const username = assignUser(userId);
        record.username = username;
        return json(200, configFor(mode, username));
      }
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    port,
    url: (mode = 'ok') => `http://127.0.0.1:${port}/endpoint/${mode}`,
    requests,
    setLiveMode: (mode) => {
      if (!MODES.includes(mode) || mode === 'live') throw new RangeError(`setLiveMode: unknown mode ${mode}`);
      liveMode = mode;
    },
    setCustomReply: (reply) => {
      customReply = reply;
    },
    userFor: (userId) => stickyUsers.get(userId),
    refusedConnections: () => refusing.connections(),
    stop: async () => {
      for (const timer of pendingTimers) clearTimeout(timer);
      pendingTimers.clear();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
      await blackhole.stop();
      await refusing.stop();
    },
  };
}

/** @param {Record<string, string>} users */
function pickUsers(users) {
  const own = Object.fromEntries(Object.entries(users).filter(([name]) => name.startsWith(USER_PREFIX)));
  return Object.keys(own).length > 0 ? own : { ...users };
}

/**
 * A TCP server that is no SIP server. 'hold': accepts and then says nothing, so a WebSocket
 * handshake hangs until the client gives up (a server behind a firewall that drops replies).
 * 'drop': closes every connection at once, so each handshake fails in milliseconds.
 * @param {'hold' | 'drop'} behaviour
 * @returns {Promise<{ port: number, connections(): number, stop(): Promise<void> }>}
 */
async function startTcpSink(behaviour) {
  /** @type {Set<net.Socket>} */
  const sockets = new Set();
  let count = 0;
  const server = net.createServer((socket) => {
    count += 1;
    socket.on('error', () => {});
    if (behaviour === 'drop') {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    connections: () => count,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
    },
  };
}

