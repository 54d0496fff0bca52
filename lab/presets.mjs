// The lab's users as polyphone configs, one builder per provider: what a conformance target, the
// demo or a benchmark hands createVoiceClient for a user of a lab server. Plain data (the configs
// cross into lab pages).
import { TEST_USERS } from './kamailio/index.mjs';
import { SENDBIRD_USERS } from './sendbird/index.mjs';

/**
 * A SIP.js user of a lab Kamailio (its password from TEST_USERS); `extra` overrides any field.
 * @param {{ wsUrl: string, domain: string }} kamailio
 * @param {string} user
 * @param {Record<string, unknown>} [extra]
 */
export function sipjsUser(kamailio, user, extra = {}) {
  const password = /** @type {Record<string, string>} */ (TEST_USERS)[user];
  return { provider: 'sipjs', server: kamailio.wsUrl, uri: `sip:${user}@${kamailio.domain}`, credentials: { type: 'password', password }, iceServers: [], ...extra };
}

/**
 * A Telnyx user of lab/telnyx logging in with a JWT the emulator issues (`server`: another URL).
 * @param {{ url: string, issueJwt(login: string): string }} emulator
 * @param {string} login
 * @param {string} [server]
 */
export function telnyxUser(emulator, login, server = emulator.url) {
  return { provider: 'telnyx', server, credentials: { type: 'jwt', token: emulator.issueJwt(login) }, iceServers: [] };
}

/**
 * A Sendbird user of lab/sendbird (its access token from SENDBIRD_USERS unless given).
 * @param {{ appId: string, apiHost: string, wsHost: string }} hosts
 * @param {string} userId
 * @param {string} [accessToken]
 */
export function sendbirdUser(hosts, userId, accessToken = /** @type {Record<string, string>} */ (SENDBIRD_USERS)[userId]) {
  return { provider: 'sendbird', server: hosts.appId, apiHost: hosts.apiHost, wsHost: hosts.wsHost, credentials: { type: 'accessToken', userId, accessToken }, iceServers: [] };
}

/**
 * A Cognigy web visitor of a lab endpoint URL (lab/cognigy's `url(mode)`).
 * @param {string} server
 * @param {string} userId
 * @param {Record<string, unknown>} [extra]
 */
export function cognigyVisitor(server, userId, extra = {}) {
  return { provider: 'cognigy', server, userId, iceServers: [], ...extra };
}
