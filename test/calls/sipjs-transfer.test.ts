// Transfer (test/calls/transfer-scenario.ts) on SIP.js in headless Chromium through a real
// Kamailio: alice, bob and carol are registered SIP users.
import { startKamailio, TEST_USERS } from '../../lab/kamailio/index.mjs';
import { defineTransferScenarios } from './transfer-scenario.js';

defineTransferScenarios({
  name: 'sipjs',
  async startLab() {
    const kamailio = await startKamailio();
    return {
      config: (user) => ({ provider: 'sipjs', server: kamailio.wsUrl, uri: `sip:${user}@${kamailio.domain}`, credentials: { type: 'password', password: TEST_USERS[user] }, iceServers: [] }),
      address: (user) => `sip:${user}@${kamailio.domain}`,
      stop: () => kamailio.stop(),
    };
  },
});
