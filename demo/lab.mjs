// Starts every lab server the demo needs and describes, per provider, a caller and a callee
// preset: the only thing that differs between vendors is the config.
import { startKamailio, TEST_USERS, DOMAIN } from '../lab/kamailio/index.mjs';
import { startCognigyBackend, cognigyUsers } from '../lab/cognigy/index.mjs';
import { startTelnyxEmulator } from '../lab/telnyx/index.mjs';
import { startSendbirdEmulator, SENDBIRD_USERS } from '../lab/sendbird/index.mjs';

export const PROVIDERS = ['sipjs', 'cognigy', 'telnyx', 'sendbird'];

export async function startDemoLab() {
  const kamailio = await startKamailio({ users: { ...TEST_USERS, ...cognigyUsers(2) } });
  const cognigy = await startCognigyBackend({ kamailio });
  const telnyx = await startTelnyxEmulator();
  const sendbird = await startSendbirdEmulator();
  // Two calls at once where the provider can (call waiting, a consultation call for a transfer).
  const sip = (/** @type {keyof typeof TEST_USERS} */ user) => ({
    provider: 'sipjs',
    server: kamailio.wsUrl,
    uri: `sip:${user}@${DOMAIN}`,
    credentials: { type: 'password', password: TEST_USERS[user] },
    iceServers: [],
    maxCalls: 2,
  });
  const telnyxUser = (/** @type {string} */ login) => ({ provider: 'telnyx', server: telnyx.url, credentials: { type: 'jwt', token: telnyx.issueJwt(login) }, iceServers: [] });
  const sendbirdUser = (/** @type {keyof typeof SENDBIRD_USERS} */ userId) => ({
    provider: 'sendbird',
    server: sendbird.appId,
    apiHost: sendbird.apiHost,
    wsHost: sendbird.wsHost,
    credentials: { type: 'accessToken', userId, accessToken: SENDBIRD_USERS[userId] },
    iceServers: [],
  });
  /** @type {Array<{ id: string, label: string, config: object, dial: string }>} */
  const presets = [
    { id: 'sipjs-caller', label: 'SIP.js — alice', config: sip('alice'), dial: `sip:bob@${DOMAIN}` },
    { id: 'sipjs-callee', label: 'SIP.js — bob', config: sip('bob'), dial: `sip:alice@${DOMAIN}` },
    { id: 'sipjs-carol', label: 'SIP.js — carol', config: sip('carol'), dial: `sip:alice@${DOMAIN}` },
    { id: 'cognigy-caller', label: 'Cognigy — web visitor', config: { provider: 'cognigy', server: cognigy.url('ok'), userId: 'demo-visitor', iceServers: [] }, dial: `sip:carol@${DOMAIN}` },
    { id: 'cognigy-callee', label: 'SIP.js — carol (agent for Cognigy)', config: sip('carol'), dial: '' },
    { id: 'telnyx-caller', label: 'Telnyx — alice (JWT)', config: telnyxUser('alice'), dial: 'bob' },
    { id: 'telnyx-callee', label: 'Telnyx — bob (JWT)', config: telnyxUser('bob'), dial: 'alice' },
    { id: 'sendbird-caller', label: 'Sendbird — alice', config: sendbirdUser('alice'), dial: 'bob' },
    { id: 'sendbird-callee', label: 'Sendbird — bob', config: sendbirdUser('bob'), dial: 'alice' },
  ];
  return {
    presets,
    kamailio,
    telnyx,
    sendbird,
    cognigy,
    async stop() {
      await Promise.allSettled([cognigy.stop(), telnyx.stop(), sendbird.stop()]);
      await kamailio.stop();
    },
  };
}
