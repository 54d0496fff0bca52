// Plays Cognigy's Click-to-Call backend on 127.0.0.1: the HTTP endpoint whose GET hands the
// client its configuration, in the shape Cognigy's own browser SDK reads (GitHub
// Cognigy/click-to-call-sdk; docs/cognigy-config.md), for the real Kamailio of lab/kamailio, and,
// on demand, every way that endpoint can let a client down. Legacy endpoints (a shared digest
// user, a realm, an application to call) and runtime ones (an endpointId and a wsUri only).

import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import net from 'node:net';
import { COGNIGY_REALM } from '../kamailio/index.mjs';
import { unusedLoopbackPort } from '../ports.mjs';

import { AGENT_USER } from './agent.mjs';

export { startLabAgent, AGENT_USER } from './agent.mjs';

/**
 * Every behaviour the endpoint can show, chosen per request by the path `/endpoint/<mode>` (the
 * last path segment plays the endpoint's URL token).
 * - ok: a legacy endpoint's reply (shared digest user, realm, applicationSid, wsUri)
 * - runtime: a runtime endpoint's reply (endpointId, wsUri; no credentials, realm or applicationSid)
 * - widget-inactive / widget-absent: valid, with `webrtcWidgetConfig.active: false` / no webrtcWidgetConfig
 * - slow: answers after `slowDelayMs` (default 12 s, beyond the client's 10 s bound)
 * - error500 / unauthorized (401) / forbidden (403): non-2xx answers
 * - malformed: a body that is not JSON
 * - missing-fields: legacy JSON without `realm` and `password`
 * - bad-credentials: a password Kamailio refuses (403 to REGISTER)
 * - sip-unreachable: a wsUri on a port where nothing listens
 * - sip-blackhole: a wsUri whose server accepts TCP and never answers the upgrade
 * - sip-refusing: a wsUri whose server drops every TCP connection at once, counting them
 *   (`refusedConnections()`), so a test can see whether the client keeps retrying
 * - live: whatever `setLiveMode()` chose last (default ok), so one client URL can change behaviour
 *   between its connect and a later refresh
 * - custom: the reply `setCustomReply()` set last, byte for byte, with any status and headers (a
 *   fuzz test's generated bodies, a gzip bomb, a redirect); a function reply is asked per request
 * @typedef {'ok' | 'runtime' | 'widget-inactive' | 'widget-absent' | 'slow' | 'error500' | 'unauthorized' | 'forbidden' | 'malformed'
 *   | 'missing-fields' | 'bad-credentials' | 'sip-unreachable' | 'sip-blackhole' | 'sip-refusing' | 'live' | 'custom'} CognigyMode
 */

/**
 * What the `custom` mode answers: any status, content type, headers and body (a string, or bytes
 * that need not be UTF-8).
 * @typedef {{ status?: number, contentType?: string, headers?: Record<string, string>, body: string | Uint8Array }} CustomReply
 */

export const MODES = Object.freeze([
  'ok',
  'runtime',
  'widget-inactive',
  'widget-absent',
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
  'live',
  'custom',
]);

const USER_PREFIX = 'cognigy-';
/** The lab endpoint's application (legacy agent: app-<sid>) and runtime endpoint id. */
export const LAB_APPLICATION_SID = '7d3c2b1a-5e4f-4a3b-9c8d-00000000c0de';
export const LAB_ENDPOINT_ID = 'lab-endpoint-1';
export const LAB_ORGANISATION_ID = 'lab-org-1';
export const LAB_PROJECT_ID = 'lab-project-1';

/**
 * SIP digest users for endpoints to give out: cognigy-0..cognigy-{n-1}, each with a random
 * password (a fresh one per test run, never written in a test).
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
 * What startKamailio() needs to play Cognigy's gateway: the lab agent's user and the routes
 * from the agent addresses (app-<applicationSid>, the runtime endpoint id) to it.
 * @returns {{ users: Record<string, string>, agents: Record<string, string> }}
 */
export function cognigyGateway() {
  return {
    users: { [AGENT_USER]: `ag-${randomBytes(9).toString('base64url')}` },
    agents: { [`app-${LAB_APPLICATION_SID}`]: AGENT_USER, [LAB_ENDPOINT_ID]: AGENT_USER },
  };
}

/**
 * @typedef {object} CognigyBackendOptions
 * @property {{ wsUrl: string, users: Record<string, string> }} kamailio what startKamailio() returned
 * @property {string} [digestUser] the endpoint's shared digest user (default: kamailio's first `cognigy-*` user)
 * @property {number} [slowDelayMs] how long `slow` waits before answering (default 12 000)
 * @property {string} [endpointName] default 'Polyphone Lab'
 */

/**
 * @typedef {object} RecordedRequest
 * @property {string} method
 * @property {string} mode
 * @property {string} search the query string as received ('' when none)
 * @property {string[]} headerNames every request header's name, lower case
 * @property {string | undefined} origin the Origin header (set by browsers on a cross-origin fetch)
 * @property {number} at Date.now() on arrival
 */

/**
 * @typedef {object} CognigyBackend
 * @property {(mode?: CognigyMode) => string} url the endpoint URL for a mode (default ok)
 * @property {number} port
 * @property {string} digestUser
 * @property {string} realm
 * @property {RecordedRequest[]} requests every request, in order of arrival
 * @property {(mode: CognigyMode) => void} setLiveMode what `/endpoint/live` does from now on
 * @property {(reply: CustomReply | ((ctx: { validConfig: Record<string, any>, runtimeConfig: Record<string, any> }) => CustomReply)) => void} setCustomReply
 *   what `/endpoint/custom` answers from now on
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
  const digestUser = options.digestUser ?? Object.keys(kamailio.users).find((name) => name.startsWith(USER_PREFIX));
  if (!digestUser || kamailio.users[digestUser] === undefined) throw new TypeError('startCognigyBackend: no digest user known to Kamailio (start it with cognigyUsers())');
  const password = /** @type {string} */ (kamailio.users[digestUser]);
  const slowDelayMs = options.slowDelayMs ?? 12_000;
  const endpointName = options.endpointName ?? 'Polyphone Lab';
  /** @type {CustomReply | ((ctx: { validConfig: Record<string, any>, runtimeConfig: Record<string, any> }) => CustomReply)} */
  let customReply = { status: 404, contentType: 'text/plain', body: 'no custom reply set' };

  /** @type {RecordedRequest[]} */
  const requests = [];
  /** @type {CognigyMode} */
  let liveMode = 'ok';
  /** @type {Set<NodeJS.Timeout>} */
  const pendingTimers = new Set();

  const blackhole = await startTcpSink('hold');
  const refusing = await startTcpSink('drop');
  const deadPort = await unusedLoopbackPort();

  /**
   * The reply as a real endpoint gives it (fields as Cognigy's SDK reads them, plus some it does
   * not read, which a client must tolerate).
   * @param {CognigyMode} mode
   * @param {string} token
   */
  const configFor = (mode, token) => {
    /** @type {Record<string, any>} */
    const sip = { applicationSid: LAB_APPLICATION_SID, clientSid: 'lab-client-sid', username: digestUser, password, realm: COGNIGY_REALM, wsUri: kamailio.wsUrl };
    /** @type {Record<string, any>} */
    const config = {
      organisationId: LAB_ORGANISATION_ID,
      projectId: LAB_PROJECT_ID,
      endpointSettings: {
        snapshotId: null,
        endpointUrlToken: token,
        endpointName,
        channel: 'voiceGateway2',
        localeReferenceId: 'lab-locale',
        collectAnalytics: false,
        active: true,
        sipConnectivityInfo: sip,
        webrtcWidgetConfig: { active: mode !== 'widget-inactive', label: 'Call us', transcription: { enabled: false }, theme: { primaryColor: '#222' } },
      },
      settings: { privacyNotice: { enabled: false, text: '', cancelButtonText: 'Cancel', submitButtonText: 'Accept', urlText: '', url: '' } },
    };
    if (mode === 'runtime') {
      config.endpointSettings.endpointId = LAB_ENDPOINT_ID;
      config.endpointSettings.sipConnectivityInfo = { wsUri: kamailio.wsUrl };
    }
    if (mode === 'widget-absent') delete config.endpointSettings.webrtcWidgetConfig;
    if (mode === 'bad-credentials') sip.password = `${password}-expired`;
    if (mode === 'sip-unreachable') sip.wsUri = `ws://127.0.0.1:${deadPort}`;
    if (mode === 'sip-blackhole') sip.wsUri = `ws://127.0.0.1:${blackhole.port}`;
    if (mode === 'sip-refusing') sip.wsUri = `ws://127.0.0.1:${refusing.port}`;
    if (mode === 'missing-fields') {
      delete sip.password;
      delete sip.realm;
    }
    return config;
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // A page on another origin (the lab page server) fetches this endpoint; the SDK's request is
    // a simple one, so no preflight is answered here on purpose beyond the basics.
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('cache-control', 'no-store');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-methods': 'GET' });
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
    requests.push({ method: req.method, mode: requestedMode, search: url.search, headerNames: Object.keys(req.headers), origin: req.headers.origin, at: Date.now() });

    const json = (/** @type {number} */ status, /** @type {unknown} */ body) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
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
        res.end('{"organisationId": "lab-org-1", "endpointSettings": ');
        return;
      case 'custom': {
        const reply = typeof customReply === 'function' ? customReply({ validConfig: configFor('ok', requestedMode), runtimeConfig: configFor('runtime', requestedMode) }) : customReply;
        res.writeHead(reply.status ?? 200, { 'content-type': reply.contentType ?? 'application/json', ...(reply.headers ?? {}) });
        res.end(reply.body);
        return;
      }
      case 'slow': {
        const timer = setTimeout(() => {
          pendingTimers.delete(timer);
          if (res.writableEnded || res.destroyed) return;
          json(200, configFor('ok', requestedMode));
        }, slowDelayMs);
        pendingTimers.add(timer);
        req.on('close', () => {
          clearTimeout(timer);
          pendingTimers.delete(timer);
        });
        return;
      }
      default:
        return json(200, configFor(mode, requestedMode));
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    port,
    digestUser,
    realm: COGNIGY_REALM,
    url: (mode = 'ok') => `http://127.0.0.1:${port}/endpoint/${mode}`,
    requests,
    setLiveMode: (mode) => {
      if (!MODES.includes(mode) || mode === 'live') throw new RangeError(`setLiveMode: unknown mode ${mode}`);
      liveMode = mode;
    },
    setCustomReply: (reply) => {
      customReply = reply;
    },
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

