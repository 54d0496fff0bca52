// HS256 JSON Web Tokens for the emulator's `login_token` logins. Hand-rolled on node:crypto so the
// lab needs no JWT package; only what the emulator itself issues has to verify.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** @param {Buffer | string} data */
function base64url(data) {
  return Buffer.from(data).toString('base64url');
}

/**
 * @param {string} signingInput
 * @param {string} secret
 */
function sign(signingInput, secret) {
  return createHmac('sha256', secret).update(signingInput).digest();
}

/**
 * @param {string} login becomes both `sub` and `login` claims
 * @param {string} secret
 * @param {{ expiresInSec?: number, nowSec?: number }} [options] expiresInSec may be negative to mint
 *   an already expired token
 * @returns {string}
 */
export function signJwt(login, secret, { expiresInSec = 3600, nowSec = Math.floor(Date.now() / 1000) } = {}) {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(
    JSON.stringify({ iss: 'telnyx-emulator', sub: login, login, iat: nowSec, exp: nowSec + expiresInSec }),
  );
  const signingInput = `${header}.${payload}`;
  return `${signingInput}.${base64url(sign(signingInput, secret))}`;
}

/**
 * @typedef {{ ok: true, login: string, exp: number }
 *   | { ok: false, reason: 'malformed' | 'bad_signature' | 'expired' }} JwtVerdict
 */

/**
 * The signature is checked before `exp`, so a forged token with a past `exp` reads as forged,
 * never as expired.
 * @param {unknown} token
 * @param {string} secret
 * @param {number} [nowSec]
 * @returns {JwtVerdict}
 */
export function verifyJwt(token, secret, nowSec = Math.floor(Date.now() / 1000)) {
  if (typeof token !== 'string' || token.length > 8192) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed' };
  const [headerPart, payloadPart, signaturePart] = /** @type {[string, string, string]} */ (parts);
  /** @type {any} */
  let header;
  /** @type {any} */
  let payload;
  try {
    header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8'));
    payload = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!header || typeof header !== 'object' || header.alg !== 'HS256') return { ok: false, reason: 'malformed' };
  const expected = sign(`${headerPart}.${payloadPart}`, secret);
  const given = Buffer.from(signaturePart, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'bad_signature' };
  }
  if (!payload || typeof payload !== 'object') return { ok: false, reason: 'malformed' };
  const login = typeof payload.login === 'string' ? payload.login : payload.sub;
  if (typeof login !== 'string' || login === '' || typeof payload.exp !== 'number') {
    return { ok: false, reason: 'malformed' };
  }
  if (payload.exp <= nowSec) return { ok: false, reason: 'expired' };
  return { ok: true, login, exp: payload.exp };
}
