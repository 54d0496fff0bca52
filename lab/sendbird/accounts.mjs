// Who may log in with what, and which session tokens are live. Kept apart from the transport so the
// REST login and the WebSocket upgrade judge credentials the same way.
import { randomBytes } from 'node:crypto';
import { SERVER_ERRORS } from './codes.mjs';

/**
 * @typedef {{ userId: string, expiresAt: number | null }} AccessTokenRecord
 * @typedef {{ userId: string, clientId: string | null, issuedAt: number }} SessionRecord
 * @typedef {{ ok: true, userId: string } | { ok: false, error: { code: number, status: number, message: string } }} TokenVerdict
 */

export class Accounts {
  /** @param {Record<string, string>} users userId → access token */
  constructor(users) {
    /** @type {Map<string, AccessTokenRecord>} access token → owner */
    this.accessTokens = new Map();
    /** @type {Set<string>} tokens made expired on purpose, even if their clock has not run out */
    this.expiredTokens = new Set();
    /** @type {Set<string>} */
    this.userIds = new Set();
    /** @type {Map<string, SessionRecord>} */
    this.sessions = new Map();
    for (const [userId, token] of Object.entries(users)) {
      this.userIds.add(userId);
      this.accessTokens.set(token, { userId, expiresAt: null });
    }
  }

  /** @param {string} userId */
  hasUser(userId) {
    return this.userIds.has(userId);
  }

  /**
   * @param {string} userId
   * @param {number | undefined} expiresInSec
   */
  issueToken(userId, expiresInSec) {
    const token = `${userId}-sb-${randomBytes(12).toString('hex')}`;
    const expiresAt = typeof expiresInSec === 'number' && Number.isFinite(expiresInSec)
      ? Date.now() + expiresInSec * 1000
      : null;
    this.userIds.add(userId);
    this.accessTokens.set(token, { userId, expiresAt });
    return token;
  }

  /** @param {string} token */
  expireToken(token) {
    this.expiredTokens.add(token);
  }

  /**
   * @param {unknown} userId
   * @param {unknown} token
   * @returns {TokenVerdict}
   */
  checkAccessToken(userId, token) {
    if (typeof userId !== 'string' || typeof token !== 'string') {
      return { ok: false, error: SERVER_ERRORS.INVALID_ACCESS_TOKEN };
    }
    const record = this.accessTokens.get(token);
    if (!record || record.userId !== userId) return { ok: false, error: SERVER_ERRORS.INVALID_ACCESS_TOKEN };
    const expired = this.expiredTokens.has(token) || (record.expiresAt !== null && record.expiresAt <= Date.now());
    if (expired) return { ok: false, error: SERVER_ERRORS.ACCESS_TOKEN_EXPIRED };
    return { ok: true, userId };
  }

  /** @param {string} userId */
  openSession(userId) {
    const sessionToken = randomBytes(24).toString('hex');
    this.sessions.set(sessionToken, { userId, clientId: null, issuedAt: Date.now() });
    return sessionToken;
  }

  /**
   * @param {unknown} sessionToken
   * @returns {SessionRecord | undefined}
   */
  session(sessionToken) {
    return typeof sessionToken === 'string' ? this.sessions.get(sessionToken) : undefined;
  }
}
