// The conformance lab of the Cognigy provider: two Cognigy web visitors (JsSIP) on a real
// Kamailio, each configured by its own lab Cognigy endpoint, so the callee's SIP identity (the one
// user its endpoint gives out) is known before it connects.
import { startKamailio, TEST_USERS } from '../../lab/kamailio/index.mjs';
import { cognigyUsers, startCognigyBackend } from '../../lab/cognigy/index.mjs';
import { closedPort } from './lab-kit.js';
import type { ConformanceTarget } from './suite.js';

export const cognigyTarget: ConformanceTarget = {
  name: 'cognigy',
  async startLab() {
    const users = cognigyUsers(2);
    const [callerUser, calleeUser] = Object.keys(users) as [string, string];
    const kamailio = await startKamailio({ users: { ...TEST_USERS, ...users } });
    const callerEndpoint = await startCognigyBackend({ kamailio, users: { [callerUser]: users[callerUser]! } });
    const calleeEndpoint = await startCognigyBackend({ kamailio, users: { [calleeUser]: users[calleeUser]! } });
    const visitor = (server: string, userId: string, extra: Record<string, unknown> = {}) => ({ provider: 'cognigy', server, userId, iceServers: [], ...extra });
    return {
      // SIP INFO: the one DTMF transport whose digits a browser callee can surface.
      caller: visitor(callerEndpoint.url('ok'), 'conformance-caller', { dtmfTransport: 'info' }),
      callee: visitor(calleeEndpoint.url('ok'), 'conformance-callee'),
      target: `sip:${calleeUser}@${kamailio.domain}`,
      // The endpoint hands out a SIP password Kamailio refuses (403 to REGISTER).
      wrongCredentials: visitor(callerEndpoint.url('bad-credentials'), 'conformance-caller'),
      unreachable: visitor(`http://127.0.0.1:${await closedPort()}/endpoint/ok`, 'conformance-caller'),
      // A Cognigy refresh takes nothing: the provider fetches a fresh config.
      refreshWith: () => undefined,
      secrets: Object.values(users),
      async stop() {
        await Promise.allSettled([callerEndpoint.stop(), calleeEndpoint.stop()]);
        await kamailio.stop();
      },
    };
  },
};
