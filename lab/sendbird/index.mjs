// A local stand-in for Sendbird Calls' servers, speaking the wire protocol the real `sendbird-calls`
// 1.10 client uses: REST (login, missed_signal, dial_rcv, summary, logs) and the signalling
// WebSocket, on one loopback port. Faults can be switched on at run time to see how the SDK, and an
// app on top of it, behaves when the vendor misbehaves.
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocketServer, WebSocket } from 'ws';
import { Accounts } from './accounts.mjs';
import { CallRelay } from './calls.mjs';
import { SENDBIRD_APP_ID, SENDBIRD_USERS } from './codes.mjs';
import { createRestHandler } from './rest.mjs';
import { errorFrame } from './wire.mjs';

export { SENDBIRD_APP_ID, SENDBIRD_USERS, SERVER_ERRORS } from './codes.mjs';

const MAX_FRAME_BYTES = 1 << 20;
const MAX_LOGGED_FRAMES = 5000;
const MAX_LINES_PER_MESSAGE = 64;

/**
 * @typedef {{ dir: 'in' | 'out', userId?: string, msg: unknown }} FrameRecord
 * @typedef {import('./rest.mjs').Faults} Faults
 * @typedef {{
 *   apiHost: string, wsHost: string, port: number, appId: string,
 *   issueToken(userId: string, options?: { expiresInSec?: number }): string,
 *   expireToken(token: string): void,
 *   faults: Faults,
 *   dropSockets(code?: number): void,
 *   stats: {
 *     logins: Array<{ userId: string, ok: boolean, code?: number }>,
 *     connections: number,
 *     refusedSockets: number,
 *     openSockets(): number,
 *     summaries: Array<{ callId: string, userId: string }>,
 *     logUploads: number,
 *   },
 *   frames: FrameRecord[],
 *   setLoginReply(hook: LoginReplyHook | undefined): void,
 *   pushRaw(frame: string, userId?: string): number,
 *   stop(): Promise<void>,
 * }} SendbirdEmulator
 */

/**
 * Fuzzing hook, apart from the emulator's behaviour: asked for every `POST /v1/users/{id}/login`;
 * what it returns is sent instead of the real answer, byte for byte (undefined: the real answer).
 * @typedef {(request: { userId: string }) => { status?: number, contentType?: string, body: string | Uint8Array } | undefined} LoginReplyHook
 */

/**
 * @param {{ appId?: string, users?: Record<string, string>, connectionLostAfterMs?: number }} [options]
 *   `connectionLostAfterMs`: how long a participant's socket may stay away mid-call before the
 *   server ends the call with `connection_lost` (default 30 s).
 * @returns {Promise<SendbirdEmulator>}
 */
export async function startSendbirdEmulator(options = {}) {
  const appId = options.appId ?? SENDBIRD_APP_ID;
  const accounts = new Accounts(options.users ?? SENDBIRD_USERS);
  const relay = new CallRelay({
    userExists: (userId) => accounts.hasUser(userId),
    connectionLostAfterMs: options.connectionLostAfterMs ?? 30_000,
  });
  /** @type {Faults} */
  const faults = { rejectToken: false, malformedLogin: false, loginWithoutUser: false, slowLoginMs: 0, refuseSockets: false };
  /** @type {FrameRecord[]} */
  const frames = [];
  /** @type {Set<WebSocket>} */
  const sockets = new Set();
  /** @type {Map<WebSocket, string>} whose session each open socket carries, for pushRaw */
  const socketUsers = new Map();
  const abort = new AbortController();
  const stats = {
    /** @type {Array<{ userId: string, ok: boolean, code?: number }>} */
    logins: [],
    connections: 0,
    refusedSockets: 0,
    openSockets: () => [...sockets].filter((ws) => ws.readyState === WebSocket.OPEN).length,
    /** @type {Array<{ callId: string, userId: string }>} */
    summaries: [],
    logUploads: 0,
  };

  /** @param {FrameRecord} record */
  const logFrame = (record) => {
    frames.push(record);
    if (frames.length > MAX_LOGGED_FRAMES) frames.splice(0, frames.length - MAX_LOGGED_FRAMES);
  };

  /** @type {LoginReplyHook | undefined} */
  let loginReplyHook;
  const rest = createRestHandler({
    appId,
    accounts,
    relay,
    faults,
    stats,
    delay: (ms) => sleep(Math.min(ms, 600_000), undefined, { signal: abort.signal }).catch(() => {}),
  });
  const server = createServer((req, res) => {
    const login = req.method === 'POST' && loginReplyHook ? /^\/v1\/users\/([^/]+)\/login$/.exec(new URL(req.url ?? '/', 'http://emulator.invalid').pathname) : null;
    const substitute = login && loginReplyHook ? loginReplyHook({ userId: decodeURIComponent(login[1] ?? '') }) : undefined;
    if (!substitute) return rest(req, res);
    req.resume();
    res.writeHead(substitute.status ?? 200, { 'Content-Type': substitute.contentType ?? 'application/json; charset=utf-8', 'Access-Control-Allow-Origin': '*' });
    res.end(substitute.body);
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  wss.on('error', () => {});

  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => {});
    const refuse = (/** @type {number} */ status, /** @type {string} */ reason) => {
      stats.refusedSockets += 1;
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    try {
      if (faults.refuseSockets) return refuse(503, 'Service Unavailable');
      const url = new URL(req.url ?? '/', 'http://emulator.invalid');
      // After deauthenticate() the SDK's stray retries arrive with `sbcall_session_token=null`.
      const session = accounts.session(url.searchParams.get('sbcall_session_token'));
      if (!session) return refuse(401, 'Unauthorized');
      const clientId = url.searchParams.get('sbcall_client_id');
      wss.handleUpgrade(req, socket, head, (ws) => onSocket(ws, session.userId, clientId));
    } catch {
      socket.destroy();
    }
  });

  /**
   * @param {WebSocket} ws
   * @param {string} userId
   * @param {string | null} clientId
   */
  function onSocket(ws, userId, clientId) {
    stats.connections += 1;
    sockets.add(ws);
    socketUsers.set(ws, userId);
    /** @type {import('./calls.mjs').Client} */
    const client = {
      userId,
      clientId,
      isOpen: () => ws.readyState === WebSocket.OPEN,
      send: (frame) => {
        if (ws.readyState !== WebSocket.OPEN) return;
        logFrame({ dir: 'out', userId, msg: frame });
        ws.send(JSON.stringify(frame));
      },
    };
    relay.attach(client);
    ws.on('error', () => {});
    ws.on('close', () => {
      sockets.delete(ws);
      socketUsers.delete(ws);
      relay.detach(client);
    });
    ws.on('message', (data, isBinary) => {
      try {
        onMessage(client, isBinary ? '' : data.toString());
      } catch {
        // A frame the relay chokes on must not take the server down; the sender just gets no answer.
      }
    });
  }

  /**
   * Client frames are JSON followed by "\n"; tolerate several per message and anything else.
   * @param {import('./calls.mjs').Client} client
   * @param {string} text
   */
  function onMessage(client, text) {
    const lines = text.split('\n').filter((line) => line.trim() !== '').slice(0, MAX_LINES_PER_MESSAGE);
    for (const line of lines) {
      let message;
      try {
        message = JSON.parse(line);
      } catch {
        logFrame({ dir: 'in', userId: client.userId, msg: line.slice(0, 2000) });
        continue;
      }
      logFrame({ dir: 'in', userId: client.userId, msg: message });
      const outcome = relay.handle({ userId: client.userId, clientId: client.clientId }, message);
      const requestId = typeof message?.request_id === 'string' ? message.request_id : undefined;
      if (outcome.error) client.send(errorFrame(requestId, outcome.error));
      else if (outcome.reply) client.send(outcome.reply);
    }
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(undefined);
    });
  });
  server.on('error', () => {});
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    apiHost: `http://127.0.0.1:${port}`,
    wsHost: `ws://127.0.0.1:${port}`,
    port,
    appId,
    issueToken: (userId, tokenOptions = {}) => accounts.issueToken(userId, tokenOptions.expiresInSec),
    expireToken: (token) => accounts.expireToken(token),
    faults,
    dropSockets(code) {
      for (const ws of sockets) {
        // 1005/1006 cannot be sent in a close frame; the abrupt end is what produces them.
        if (code === undefined || code === 1005 || code === 1006) ws.terminate();
        else {
          try {
            ws.close(code);
          } catch {
            ws.terminate();
          }
        }
      }
    },
    stats,
    frames,
    setLoginReply(hook) {
      loginReplyHook = hook;
    },
    pushRaw(frame, userId) {
      let sent = 0;
      for (const [ws, owner] of socketUsers) {
        if (ws.readyState !== WebSocket.OPEN || (userId !== undefined && owner !== userId)) continue;
        ws.send(frame);
        sent += 1;
      }
      return sent;
    },
    async stop() {
      abort.abort();
      relay.stop();
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
    },
  };
}
