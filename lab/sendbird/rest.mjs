// The REST half of the emulator: login, missed signals, the `dial_rcv` action and the fire-and-forget
// summary/log uploads. Pages are served from another origin, so every answer carries CORS headers
// and preflights for the SDK's custom headers are allowed.
import { SERVER_ERRORS } from './codes.mjs';
import { loginUser } from './wire.mjs';

const MAX_BODY_BYTES = 1 << 20;
const STATS_INTERVAL_SEC = 10;

/**
 * @typedef {import('node:http').IncomingMessage} Req
 * @typedef {import('node:http').ServerResponse} Res
 * @typedef {{ rejectToken: boolean, malformedLogin: boolean, loginWithoutUser: boolean, slowLoginMs: number, refuseSockets: boolean }} Faults
 * @typedef {{
 *   appId: string,
 *   accounts: import('./accounts.mjs').Accounts,
 *   relay: import('./calls.mjs').CallRelay,
 *   faults: Faults,
 *   stats: { logins: Array<{ userId: string, ok: boolean, code?: number }>, summaries: Array<{ callId: string, userId: string }>, logUploads: number },
 *   delay(ms: number): Promise<void>,
 * }} RestContext
 */

/** @param {Req} req */
function corsHeaders(req) {
  const origin = typeof req.headers.origin === 'string' ? req.headers.origin : '*';
  const requested = req.headers['access-control-request-headers'];
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Methods': 'GET, POST, PUT, DELETE, OPTIONS',
    'Access-Control-Allow-Headers': typeof requested === 'string' && requested.length < 2000
      ? requested
      : 'Content-Type, SendBird, SBCall-Client-Id, SBCall-Session-Token, SBCall-Short-Lived-Token',
    'Access-Control-Max-Age': '600',
    Vary: 'Origin',
  };
}

/**
 * @param {Req} req
 * @param {Res} res
 * @param {number} status
 * @param {string} body
 * @param {string} contentType
 */
function send(req, res, status, body, contentType) {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { ...corsHeaders(req), 'Content-Type': contentType, 'Cache-Control': 'no-store' });
  res.end(body);
}

/**
 * @param {Req} req
 * @param {Res} res
 * @param {unknown} value
 */
function sendJson(req, res, value) {
  send(req, res, 200, JSON.stringify(value), 'application/json; charset=utf-8');
}

/**
 * @param {Req} req
 * @param {Res} res
 * @param {{ code: number, status: number, message: string }} error
 */
function sendError(req, res, error) {
  send(req, res, error.status, JSON.stringify({ error: true, code: error.code, message: error.message }), 'application/json; charset=utf-8');
}

/**
 * @param {Req} req
 * @returns {Promise<string | null>} null when the body is larger than the emulator accepts
 */
function readBody(req) {
  return new Promise((resolve) => {
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk) => {
      if (done) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        done = true;
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => { if (!done) { done = true; resolve(Buffer.concat(chunks).toString('utf8')); } });
    req.on('error', () => { if (!done) { done = true; resolve(''); } });
  });
}

/** @param {string} text */
function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** @param {string} segment */
function decodeSegment(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/**
 * @param {RestContext} ctx
 * @returns {(req: Req, res: Res) => void}
 */
export function createRestHandler(ctx) {
  return (req, res) => {
    route(ctx, req, res).catch(() => {
      try {
        sendError(req, res, SERVER_ERRORS.INTERNAL);
      } catch {
        res.destroy();
      }
    });
  };
}

/**
 * @param {RestContext} ctx
 * @param {Req} req
 * @param {Res} res
 */
async function route(ctx, req, res) {
  if (req.method === 'OPTIONS') {
    send(req, res, 204, '', 'text/plain');
    return;
  }
  const url = new URL(req.url ?? '/', 'http://emulator.invalid');
  const body = req.method === 'GET' || req.method === 'HEAD' ? '' : await readBody(req);
  if (body === null) {
    sendError(req, res, SERVER_ERRORS.PAYLOAD_TOO_LARGE);
    req.socket.destroy();
    return;
  }
  const parts = url.pathname.split('/').filter(Boolean);

  if (req.method === 'POST' && parts.length === 4 && parts[0] === 'v1' && parts[1] === 'users' && parts[3] === 'login') {
    await login(ctx, req, res, decodeSegment(parts[2] ?? ''), body);
    return;
  }

  // Everything else is private: the SDK sends its session token in a header.
  const session = ctx.accounts.session(req.headers['sbcall-session-token']);
  const clientIdHeader = req.headers['sbcall-client-id'];
  const clientId = typeof clientIdHeader === 'string' ? clientIdHeader : null;

  if (req.method === 'POST' && url.pathname === '/v1/sdk/logs') {
    ctx.stats.logUploads += 1;
    sendJson(req, res, {});
    return;
  }
  if (req.method === 'POST' && url.pathname === '/v1/sdk/debug_logs') {
    sendJson(req, res, {});
    return;
  }
  if (!session) {
    sendError(req, res, SERVER_ERRORS.INVALID_SESSION);
    return;
  }
  const origin = { userId: session.userId, clientId };

  if (req.method === 'GET' && url.pathname === '/v1/direct_calls/missed_signal') {
    const ids = (url.searchParams.get('call_ids') ?? '').split(',').filter(Boolean);
    sendJson(req, res, { call_signal: ctx.relay.missedSignals(origin, ids) });
    return;
  }
  if (req.method === 'POST' && url.pathname === '/v1/action/direct_call') {
    const outcome = ctx.relay.handle(origin, parseJson(body));
    if (outcome.error) sendError(req, res, outcome.error);
    else sendJson(req, res, outcome.reply ?? {});
    return;
  }
  if (req.method === 'POST' && parts.length === 4 && parts[0] === 'v1' && parts[1] === 'direct_calls' && parts[3] === 'summary') {
    ctx.stats.summaries.push({ callId: decodeSegment(parts[2] ?? '') ?? '', userId: session.userId });
    sendJson(req, res, {});
    return;
  }
  sendError(req, res, SERVER_ERRORS.NOT_FOUND);
}

/**
 * @param {RestContext} ctx
 * @param {Req} req
 * @param {Res} res
 * @param {string | null} pathUserId
 * @param {string} body
 */
async function login(ctx, req, res, pathUserId, body) {
  const parsed = parseJson(body);
  const fields = typeof parsed === 'object' && parsed !== null ? parsed : {};
  const userId = pathUserId ?? '';
  if (ctx.faults.slowLoginMs > 0) await ctx.delay(ctx.faults.slowLoginMs);

  if (ctx.faults.malformedLogin) {
    ctx.stats.logins.push({ userId, ok: false });
    send(req, res, 200, '<html><body>upstream hiccup</body></html>', 'text/html');
    return;
  }
  /** @param {{ code: number, status: number, message: string }} error */
  const refuse = (error) => {
    ctx.stats.logins.push({ userId, ok: false, code: error.code });
    sendError(req, res, error);
  };
  if (fields.app_id !== ctx.appId) return refuse(SERVER_ERRORS.APP_NOT_FOUND);
  if (ctx.faults.rejectToken) return refuse(SERVER_ERRORS.INVALID_ACCESS_TOKEN);
  if (typeof fields.user_id === 'string' && fields.user_id !== userId) return refuse(SERVER_ERRORS.INVALID_ACCESS_TOKEN);
  const verdict = ctx.accounts.checkAccessToken(userId, fields.access_token);
  if (!verdict.ok) return refuse(verdict.error);

  if (ctx.faults.loginWithoutUser) {
    // Well-formed JSON that lacks `user`: sendbird-calls stores the session token, then fails reading the user.
    ctx.stats.logins.push({ userId, ok: false });
    sendJson(req, res, { sbcall_session_token: ctx.accounts.openSession(userId), stats_interval: STATS_INTERVAL_SEC });
    return;
  }
  ctx.stats.logins.push({ userId, ok: true });
  sendJson(req, res, {
    user: loginUser(userId),
    sbcall_session_token: ctx.accounts.openSession(userId),
    stats_interval: STATS_INTERVAL_SEC,
  });
}
