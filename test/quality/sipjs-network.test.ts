// The lab/network quality scenarios on SIP.js: Chromium pages through a real Kamailio.
import { startKamailio, TEST_USERS } from '../../lab/kamailio/index.mjs';
import { defineNetworkScenarios } from './network-scenarios.js';

defineNetworkScenarios({
  name: 'sipjs',
  async startLab() {
    const kamailio = await startKamailio();
    const user = (name: 'alice' | 'bob') => ({
      provider: 'sipjs',
      server: kamailio.wsUrl,
      uri: `sip:${name}@${kamailio.domain}`,
      credentials: { type: 'password', password: (TEST_USERS as Record<string, string>)[name] },
    });
    return { caller: user('alice'), callee: user('bob'), target: `sip:bob@${kamailio.domain}`, stop: () => kamailio.stop() };
  },
});
