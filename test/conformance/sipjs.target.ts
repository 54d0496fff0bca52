// The conformance lab of the SIP.js provider: two users of a real Kamailio on 127.0.0.1.
import { startKamailio, TEST_USERS } from '../../lab/kamailio/index.mjs';
import { sipjsUser } from '../../lab/presets.mjs';
import { closedPort } from './lab-kit.js';
import type { ConformanceTarget } from './suite.js';

export const sipjsTarget: ConformanceTarget = {
  name: 'sipjs',
  async startLab() {
    const kamailio = await startKamailio();
    const sip = (user: 'alice' | 'bob', extra: Record<string, unknown> = {}) => sipjsUser(kamailio, user, extra);
    return {
      // SIP INFO: the one DTMF transport whose digits a browser callee can surface.
      caller: sip('alice', { dtmfTransport: 'info' }),
      callee: sip('bob'),
      target: `sip:bob@${kamailio.domain}`,
      wrongCredentials: sip('alice', { credentials: { type: 'password', password: 'not-alices-pw-5k2' } }),
      unreachable: sip('alice', { server: `ws://127.0.0.1:${await closedPort()}` }),
      refreshWith: () => ({ type: 'password', password: TEST_USERS.alice }),
      // Kamailio keeps registrations in memory: a restart loses every one of them.
      restartServer: () => kamailio.restart(),
      stop: () => kamailio.stop(),
    };
  },
};
