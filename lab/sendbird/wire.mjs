// Shapes of the frames the server side sends, as the sendbird-calls 1.10 client parses them.
// Users inside CALL payloads are read from `meta_data` (the login reply uses `metadata` instead).
import { randomBytes, randomUUID } from 'node:crypto';

export const ROLE_CALLER = 'dc_caller';
export const ROLE_CALLEE = 'dc_callee';

/**
 * @param {string} userId
 * @param {string} role
 */
export function callUser(userId, role) {
  return { user_id: userId, nickname: userId, profile_url: '', meta_data: {}, is_active: true, role };
}

/** @param {string} userId */
export function loginUser(userId) {
  return { user_id: userId, nickname: userId, profile_url: '', metadata: {}, is_active: true };
}

/**
 * A frame the server originates (a push). `message_id` must be fresh: the client drops a repeated
 * one. No `sequence_number`: the client would hold frames until a gapless sequence arrives.
 * @param {string} cmd
 * @param {string} type
 * @param {Record<string, unknown>} payload
 */
export function pushFrame(cmd, type, payload) {
  return { version: 1, message_id: randomUUID(), cmd, type, payload };
}

/**
 * A reply to a client request, matched by the client through `request_id`.
 * @param {string} requestId
 * @param {string} cmd
 * @param {string} type
 * @param {Record<string, unknown>} payload
 */
export function ackFrame(requestId, cmd, type, payload) {
  return { version: 1, request_id: requestId, cmd, type, payload };
}

/**
 * @param {string | undefined} requestId
 * @param {{ code: number, message: string }} error
 */
export function errorFrame(requestId, error) {
  return { error: true, request_id: requestId, code: error.code, message: error.message };
}

/**
 * TURN credential the client insists on: an empty `turn_urls` makes its RTCPeerConnection throw, and
 * `relay` would block the host candidates that carry loopback media here. The URL points at TURN's
 * own port on loopback, where nothing answers, so the TURN allocation just fails quietly. (Not the
 * discard port 9: Firefox's RTCPeerConnection throws on a TURN URL with a port browsers block, and
 * the SDK then never makes its call's connection.)
 */
export function turnCredential() {
  return {
    username: `lab-${randomBytes(4).toString('hex')}`,
    password: randomBytes(12).toString('hex'),
    turn_urls: ['turn:127.0.0.1:3478?transport=udp'],
    transport_policy: 'all',
  };
}
