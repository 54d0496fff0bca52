// The warm start on SIP.js: two users of a real Kamailio on 127.0.0.1.
import { startKamailio, TEST_USERS } from '../../lab/kamailio/index.mjs';
import { definePrepareScenario } from './prepare-scenario.js';

definePrepareScenario('sipjs', async () => {
  const kamailio = await startKamailio();
  const sip = (user: 'alice' | 'bob') => ({
    provider: 'sipjs',
    server: kamailio.wsUrl,
    uri: `sip:${user}@${kamailio.domain}`,
    credentials: { type: 'password', password: TEST_USERS[user] },
    iceServers: [],
  });
  return { caller: sip('alice'), callee: sip('bob'), target: `sip:bob@${kamailio.domain}`, stop: () => kamailio.stop() };
});
