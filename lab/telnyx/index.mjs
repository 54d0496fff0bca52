// A local stand-in for Telnyx's WebRTC signalling server (Verto JSON-RPC over WebSocket), shaped
// by what the real @telnyx/webrtc 2.27.x client sends and accepts. Point the SDK's `host` option
// at `url`. See README.md for the wire subset and the fault switches.
import { createServer } from 'node:http';
import { randomBytes, randomUUID, createHash, timingSafeEqual } from 'node:crypto';
import { WebSocketServer } from 'ws';
import { signJwt, verifyJwt } from './jwt.mjs';
import { CallRelay, RpcError, ASSISTANT_LOGIN } from './calls.mjs';
import { AiAssistant } from './assistant.mjs';

export { ASSISTANT_LOGIN };

/** Fixed users for functional tests; passwords are not guessable from the name on purpose. */
export const TELNYX_USERS = Object.freeze({
  alice: 'alice-tx-pw-91f',
  bob: 'bob-tx-pw-4c2',
  [ASSISTANT_LOGIN]: 'assistant-tx-pw',
});

// Bounded so a fuzz or load loop cannot grow the emulator without limit.
const MAX_FRAMES = 20_000;
const MAX_PAYLOAD_BYTES = 1024 * 1024;
const MAX_RAW_FRAME_RECORDED = 2_000;
// Server-initiated request ids are numbers; the SDK's own ids are UUID strings, so they never meet.
const FIRST_PUSH_ID = 1000;

/**
 * @typedef {object} TelnyxFaults
 * @property {boolean} rejectLogin every login is answered with an authentication error
 * @property {boolean} neverReply the server reads every frame and sends nothing at all
 * @property {boolean | 'text' | 'no-members'} malformedReply the login reply is non-JSON text
 *   (true or 'text') or a JSON-RPC reply carrying neither `result` nor `error` ('no-members')
 * @property {number} slowReplyMs every frame the server sends leaves this much later
 * @property {boolean} gatewayFailed gatewayState answers FAILED instead of REGED
 */

/**
 * @typedef {object} LoginRecord
 * @property {'login' | 'anonymous_login'} method
 * @property {string} [login]
 * @property {'password' | 'jwt' | 'anonymous'} via
 * @property {string} [target_id]
 * @property {Record<string, unknown>} [target_params]
 * @property {number} connection which socket (1-based, in accept order)
 */

/**
 * @typedef {object} RejectedLoginRecord
 * @property {'login' | 'anonymous_login'} method
 * @property {string} [login]
 * @property {'password' | 'jwt' | 'anonymous'} via
 * @property {'bad_credentials' | 'bad_token' | 'token_expired' | 'invalid_params' | 'fault'} reason
 * @property {number} connection
 */

/**
 * @typedef {object} FrameRecord
 * @property {'in' | 'out'} dir
 * @property {string} [login] login of the socket at that moment (undefined before login / anonymous)
 * @property {number} connection
 * @property {unknown} msg parsed JSON, or the raw text (cut to 2000 chars) when it was not JSON
 */

/**
 * @typedef {import('./calls.mjs').RelayConnection} RelayConnection
 */

/**
 * @typedef {object} TelnyxEmulator
 * @property {string} url 'ws://127.0.0.1:PORT', for the SDK's `host` option
 * @property {number} port
 * @property {(login: string, options?: { expiresInSec?: number }) => string} issueJwt
 * @property {TelnyxFaults} faults
 * @property {import('./assistant.mjs').AiAssistant} ai the AI assistant of anonymous_login sessions
 * @property {(code?: number) => void} dropSockets closes every client socket now (default 1001)
 * @property {{ connections: number, logins: LoginRecord[], rejectedLogins: RejectedLoginRecord[],
 *   calls: import('./calls.mjs').CallRecord[] }} stats
 * @property {FrameRecord[]} frames
 * @property {(login?: string) => string} dtmfSeen digits of inbound telnyx_rtc.info frames, in order
 * @property {(hook: LoginReplyHook | undefined) => void} setLoginReply replaces the server's answer
 *   to a login the hook claims (a fuzz test's generated replies); undefined puts the real server back
 * @property {(frame: string, login?: string) => number} pushRaw sends `frame` as it is (any text,
 *   JSON or not) to every logged-in socket, or to those of `login`; returns how many got it
 * @property {() => void} freeze the server stops, as if its process were stopped (SIGSTOP): no
 *   socket is closed, nothing is read or sent, new connections get no upgrade answer
 * @property {() => void} thaw carries on where it stopped: what arrived meanwhile is read in order,
 *   held upgrades are answered, held sends go out
 * @property {() => number} openSockets
 * @property {() => Promise<void>} stop
 */

/**
 * Asked for every `login` / `anonymous_login` before the server handles it. Returns the text to
 * send instead of the whole answer (no reply, no clientReady), or undefined to let the server
 * answer as usual. `id` is the request's id, for a reply the SDK can match.
 * @typedef {(request: { method: string, id: unknown, params: Record<string, unknown> }) => string | undefined} LoginReplyHook
 */

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isRecord(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * @param {string} a
 * @param {string} b
 */
function sameSecret(a, b) {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/**
 * @param {{ users?: Record<string, string>, jwtSecret?: string }} [options]
 * @returns {Promise<TelnyxEmulator>}
 */
export async function startTelnyxEmulator({ users = TELNYX_USERS, jwtSecret = randomBytes(32).toString('hex') } = {}) {
  /** @type {TelnyxFaults} */
  const faults = { rejectLogin: false, neverReply: false, malformedReply: false, slowReplyMs: 0, gatewayFailed: false };
  const stats = {
    connections: 0,
    /** @type {LoginRecord[]} */ logins: [],
    /** @type {RejectedLoginRecord[]} */ rejectedLogins: [],
    /** @type {import('./calls.mjs').CallRecord[]} */ calls: [],
  };
  /** @type {FrameRecord[]} */
  const frames = [];
  /** @type {Set<Connection>} */
  const connections = new Set();
  /** @type {Set<ReturnType<typeof setTimeout>>} */
  const pendingSends = new Set();
  let nextPushId = FIRST_PUSH_ID;
  /** @type {LoginReplyHook | undefined} */
  let loginReplyHook;
  // freeze(): a stopped process reads nothing (the kernel keeps what arrives) and sends nothing.
  let frozen = false;
  /** @type {Array<() => void>} */
  const heldSends = [];
  /** @type {Array<{ req: import('node:http').IncomingMessage, socket: import('node:stream').Duplex, head: Buffer }>} */
  const heldUpgrades = [];

  /** @param {FrameRecord} frame */
  function record(frame) {
    frames.push(frame);
    if (frames.length > MAX_FRAMES) frames.splice(0, frames.length - MAX_FRAMES);
  }

  /**
   * One client socket and what the server knows about it.
   * @implements {RelayConnection}
   */
  class Connection {
    /**
     * @param {import('ws').WebSocket} ws
     * @param {number} id
     */
    constructor(ws, id) {
      this.ws = ws;
      this.id = id;
      /** @type {string | undefined} */ this.login = undefined;
      /** @type {string | undefined} */ this.sessid = undefined;
      /** @type {import('./calls.mjs').RelayConnection['anonymous']} */ this.anonymous = undefined;
      this.loggedIn = false;
      this.loggedInAt = 0;
    }

    /** @param {Record<string, unknown> | string} msg */
    send(msg) {
      if (faults.neverReply) return;
      const deliver = () => {
        if (this.ws.readyState !== this.ws.OPEN) return;
        record({ dir: 'out', login: this.login, connection: this.id, msg: typeof msg === 'string' ? msg.slice(0, MAX_RAW_FRAME_RECORDED) : msg });
        this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
      };
      if (frozen) {
        heldSends.push(deliver);
        return;
      }
      const delay = Number(faults.slowReplyMs) || 0;
      if (delay <= 0) return deliver();
      // Equal delays keep their order (timers of the same duration fire FIFO).
      const timer = setTimeout(() => {
        pendingSends.delete(timer);
        if (frozen) heldSends.push(deliver);
        else deliver();
      }, delay);
      pendingSends.add(timer);
    }

    /**
     * @param {unknown} id
     * @param {Record<string, unknown>} result
     */
    reply(id, result) {
      this.send({ jsonrpc: '2.0', id, result });
    }

    /**
     * @param {unknown} id
     * @param {number} code
     * @param {string} message
     */
    replyError(id, code, message) {
      this.send({ jsonrpc: '2.0', id: id ?? null, error: { code, message } });
    }

    /**
     * @param {string} method
     * @param {Record<string, unknown>} params
     */
    push(method, params) {
      this.send({ jsonrpc: '2.0', id: nextPushId++, method, params });
    }
  }

  const relay = new CallRelay((login) => {
    /** @type {Connection | undefined} */
    let newest;
    for (const conn of connections) {
      if (conn.loggedIn && !conn.anonymous && conn.login === login && (!newest || conn.loggedInAt >= newest.loggedInAt)) newest = conn;
    }
    return newest;
  });
  stats.calls = relay.calls;

  /**
   * @param {Connection} conn
   * @param {unknown} id
   * @param {string} method
   * @param {'password' | 'jwt' | 'anonymous'} via
   * @param {RejectedLoginRecord['reason']} reason
   * @param {string} [login]
   */
  function rejectLogin(conn, id, method, via, reason, login) {
    stats.rejectedLogins.push({ method: /** @type {any} */ (method), login, via, reason, connection: conn.id });
    // Never -32000: the SDK treats that code as "authentication required" and logs in again at once.
    if (reason === 'token_expired') conn.replyError(id, -32001, 'Authentication Failure: login token expired');
    else if (reason === 'invalid_params') conn.replyError(id, -32602, 'Invalid params: credentials missing');
    else conn.replyError(id, -32001, 'Authentication Failure');
  }

  /**
   * Success as the SDK needs it for telnyx.ready: the reply with a sessid, then clientReady, to
   * which the client answers with a gatewayState request.
   * @param {Connection} conn
   * @param {unknown} id
   * @param {Record<string, unknown>} params
   */
  function acceptLogin(conn, id, params) {
    // A re-login on a live socket (token refresh) keeps its session and the calls in it. The SDK
    // hangs up every call of its own that clientReady does not list as reattached (48501), so a
    // server that kept the session names them.
    if (!conn.sessid) conn.sessid = randomUUID();
    conn.loggedIn = true;
    conn.loggedInAt = Date.now();
    conn.reply(id, { sessid: conn.sessid, message: 'logged in' });
    void params;
    conn.push('telnyx_rtc.clientReady', { reattached_sessions: relay.liveCallIds(conn) });
  }

  /**
   * Malformed replies stand in for a broken server; both shapes leave the SDK waiting.
   * @param {Connection} conn
   * @param {unknown} id
   * @returns {boolean} whether a malformed reply was sent
   */
  function sendMalformedLoginReply(conn, id) {
    const mode = faults.malformedReply;
    if (!mode) return false;
    if (mode === 'no-members') conn.send({ jsonrpc: '2.0', id });
    else conn.send('<html>502 Bad Gateway</html>');
    return true;
  }

  /**
   * @param {Connection} conn
   * @param {unknown} id
   * @param {Record<string, unknown>} params
   */
  function handleLogin(conn, id, params) {
    const token = params.login_token;
    const via = typeof token === 'string' && token !== '' ? 'jwt' : 'password';
    const claimedLogin = typeof params.login === 'string' ? params.login : undefined;
    if (faults.rejectLogin) return rejectLogin(conn, id, 'login', via, 'fault', claimedLogin);
    if (sendMalformedLoginReply(conn, id)) return;
    /** @type {string} */
    let login;
    if (via === 'jwt') {
      const verdict = verifyJwt(token, jwtSecret);
      if (!verdict.ok) {
        return rejectLogin(conn, id, 'login', via, verdict.reason === 'expired' ? 'token_expired' : 'bad_token');
      }
      login = verdict.login;
    } else {
      const passwd = params.passwd;
      if (typeof claimedLogin !== 'string' || typeof passwd !== 'string') {
        return rejectLogin(conn, id, 'login', via, 'invalid_params', claimedLogin);
      }
      const known = Object.prototype.hasOwnProperty.call(users, claimedLogin) ? users[claimedLogin] : undefined;
      if (typeof known !== 'string' || !sameSecret(known, passwd)) {
        return rejectLogin(conn, id, 'login', via, 'bad_credentials', claimedLogin);
      }
      login = claimedLogin;
    }
    conn.login = login;
    conn.anonymous = undefined;
    stats.logins.push({ method: 'login', login, via, connection: conn.id });
    acceptLogin(conn, id, params);
  }

  /**
   * @param {Connection} conn
   * @param {unknown} id
   * @param {Record<string, unknown>} params
   */
  function handleAnonymousLogin(conn, id, params) {
    if (faults.rejectLogin) return rejectLogin(conn, id, 'anonymous_login', 'anonymous', 'fault');
    if (sendMalformedLoginReply(conn, id)) return;
    const { target_type: targetType, target_id: targetId, target_params: targetParams } = params;
    if (typeof targetType !== 'string' || typeof targetId !== 'string' || targetId === '') {
      return rejectLogin(conn, id, 'anonymous_login', 'anonymous', 'invalid_params');
    }
    conn.login = undefined;
    conn.anonymous = { target_type: targetType, target_id: targetId, target_params: isRecord(targetParams) ? targetParams : undefined };
    /** @type {LoginRecord} */
    const entry = { method: 'anonymous_login', via: 'anonymous', target_id: targetId, connection: conn.id };
    if (isRecord(targetParams)) entry.target_params = targetParams;
    stats.logins.push(entry);
    acceptLogin(conn, id, params);
  }

  /**
   * @param {Connection} conn
   * @param {string} text
   */
  function handleFrame(conn, text) {
    /** @type {unknown} */
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      record({ dir: 'in', login: conn.login, connection: conn.id, msg: text.slice(0, MAX_RAW_FRAME_RECORDED) });
      return conn.replyError(null, -32700, 'Parse error');
    }
    record({ dir: 'in', login: conn.login, connection: conn.id, msg });
    if (!isRecord(msg)) return conn.replyError(null, -32600, 'Invalid Request');
    const id = typeof msg.id === 'string' || typeof msg.id === 'number' ? msg.id : undefined;
    const method = msg.method;
    // The SDK acknowledges every server push with {id, result: {method}}; nothing to answer.
    if (method === undefined && ('result' in msg || 'error' in msg)) return;
    if (typeof method !== 'string') return conn.replyError(id, -32600, 'Invalid Request');
    const params = isRecord(msg.params) ? msg.params : {};
    /** @param {Record<string, unknown>} result */
    const reply = (result) => {
      if (id !== undefined) conn.reply(id, result);
    };
    if ((method === 'login' || method === 'anonymous_login') && loginReplyHook) {
      const substitute = loginReplyHook({ method, id, params });
      if (substitute !== undefined) {
        conn.send(substitute);
        return;
      }
    }
    try {
      switch (method) {
        case 'login':
          return handleLogin(conn, id, params);
        case 'anonymous_login':
          return handleAnonymousLogin(conn, id, params);
        case 'telnyx_rtc.ping':
          // The SDK's health probe: any result counts.
          return reply({ method });
      }
      // Verto's "authentication required"; the SDK logs in again and replays nothing.
      if (!conn.loggedIn) return conn.replyError(id, -32000, 'Authentication Required');
      switch (method) {
        case 'telnyx_rtc.gatewayState':
          return reply({ params: { state: faults.gatewayFailed ? 'FAILED' : 'REGED' } });
        case 'telnyx_rtc.invite':
          return relay.invite(conn, params, reply);
        case 'telnyx_rtc.answer':
          return relay.answer(conn, params, reply);
        case 'telnyx_rtc.bye':
          return relay.bye(conn, params, reply);
        case 'telnyx_rtc.info':
          return relay.info(conn, params, reply);
        case 'telnyx_rtc.modify':
          return relay.modify(conn, params, reply);
        case 'telnyx_rtc.candidate':
        case 'telnyx_rtc.endOfCandidates':
          return relay.candidate(conn, method, params, reply);
        case 'ai_conversation':
          return assistant.onClientFrame(id, params, reply);
        default:
          return conn.replyError(id, -32601, 'Method not found');
      }
    } catch (error) {
      if (error instanceof RpcError) return conn.replyError(id, error.code, error.message);
      return conn.replyError(id, -32603, 'Internal error');
    }
  }

  const assistant = new AiAssistant(() => [...connections].filter((c) => c.loggedIn && c.anonymous));

  const http = createServer((req, res) => {
    // Only WebSocket upgrades are served; the SDK posts /call_report only if REGED names a call_report_id.
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES });
  wss.on('error', () => {});
  /**
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:stream').Duplex} socket
   * @param {Buffer} head
   */
  const upgrade = (req, socket, head) => {
    if (socket.destroyed) return;
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  http.on('upgrade', (req, socket, head) => {
    socket.on('error', () => {});
    if (frozen) heldUpgrades.push({ req, socket, head });
    else upgrade(req, socket, head);
  });
  wss.on('connection', (ws) => {
    stats.connections += 1;
    const conn = new Connection(ws, stats.connections);
    connections.add(conn);
    if (frozen) ws.pause();
    ws.on('error', () => {});
    ws.on('message', (data) => {
      try {
        const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(/** @type {ArrayBuffer} */ (data)).toString('utf8');
        handleFrame(conn, text);
      } catch {
        // A frame must never take the emulator down.
      }
    });
    ws.on('close', () => {
      connections.delete(conn);
      conn.loggedIn = false;
      try {
        relay.dropConnection(conn);
      } catch {
        // ignore: the socket is gone either way
      }
    });
  });

  await new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', () => {
      http.off('error', reject);
      resolve(undefined);
    });
  });
  const address = http.address();
  if (!address || typeof address === 'string') throw new Error('telnyx emulator: no TCP address');
  const port = address.port;
  let stopped = false;

  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    issueJwt: (login, { expiresInSec = 3600 } = {}) => signJwt(login, jwtSecret, { expiresInSec }),
    faults,
    /** The AI assistant of anonymous_login sessions: `say`, `heard`, `callTool`, `push`, `received` (assistant.mjs). */
    ai: assistant,
    dropSockets(code = 1001) {
      for (const conn of connections) {
        try {
          conn.ws.close(code, 'emulator dropSockets');
        } catch {
          conn.ws.terminate();
        }
      }
    },
    stats,
    frames,
    dtmfSeen(login) {
      let digits = '';
      for (const frame of frames) {
        if (frame.dir !== 'in' || (login !== undefined && frame.login !== login)) continue;
        const msg = frame.msg;
        if (!isRecord(msg) || msg.method !== 'telnyx_rtc.info' || !isRecord(msg.params)) continue;
        if (typeof msg.params.dtmf === 'string') digits += msg.params.dtmf;
      }
      return digits;
    },
    setLoginReply(hook) {
      loginReplyHook = hook;
    },
    pushRaw(frame, login) {
      let sent = 0;
      for (const conn of connections) {
        if (!conn.loggedIn || (login !== undefined && conn.login !== login)) continue;
        conn.send(frame);
        sent += 1;
      }
      return sent;
    },
    freeze() {
      frozen = true;
      for (const conn of connections) conn.ws.pause();
    },
    thaw() {
      if (!frozen) return;
      frozen = false;
      for (const conn of connections) conn.ws.resume();
      for (const deliver of heldSends.splice(0)) deliver();
      for (const { req, socket, head } of heldUpgrades.splice(0)) upgrade(req, socket, head);
    },
    openSockets: () => connections.size,
    async stop() {
      if (stopped) return;
      stopped = true;
      frozen = false;
      heldSends.length = 0;
      for (const { socket } of heldUpgrades.splice(0)) socket.destroy();
      for (const timer of pendingSends) clearTimeout(timer);
      pendingSends.clear();
      relay.clear();
      for (const conn of connections) conn.ws.terminate();
      await new Promise((resolve) => wss.close(() => resolve(undefined)));
      await new Promise((resolve) => http.close(() => resolve(undefined)));
    },
  };
}
