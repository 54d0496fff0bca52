// The lab/network quality scenarios on Cognigy: two Cognigy web visitors (JsSIP) on a real
// Kamailio, each configured by its own lab Cognigy endpoint (as in the conformance suite).
// @ts-expect-error plain ESM lab helper without type declarations
import { startKamailio, TEST_USERS } from '../../lab/kamailio/index.mjs';
// @ts-expect-error plain ESM lab helper without type declarations
import { cognigyUsers, startCognigyBackend } from '../../lab/cognigy/index.mjs';
import { defineNetworkScenarios } from './network-scenarios.js';

defineNetworkScenarios({
  name: 'cognigy',
  async startLab() {
    const users = cognigyUsers(2) as Record<string, string>;
    const [callerUser, calleeUser] = Object.keys(users) as [string, string];
    const kamailio = await startKamailio({ users: { ...TEST_USERS, ...users } });
    const callerEndpoint = await startCognigyBackend({ kamailio, users: { [callerUser]: users[callerUser]! } });
    const calleeEndpoint = await startCognigyBackend({ kamailio, users: { [calleeUser]: users[calleeUser]! } });
    const visitor = (server: string, userId: string) => ({ provider: 'cognigy', server, userId });
    return {
      caller: visitor(callerEndpoint.url('ok'), 'network-caller'),
      callee: visitor(calleeEndpoint.url('ok'), 'network-callee'),
      target: `sip:${calleeUser}@${kamailio.domain}`,
      async stop() {
        await Promise.allSettled([callerEndpoint.stop(), calleeEndpoint.stop()]);
        await kamailio.stop();
      },
    };
  },
});
