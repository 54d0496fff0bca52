// The Cognigy lab of the several-calls scenarios: one lab endpoint (lab/cognigy, the real reply
// shape) on a real Kamailio playing Cognigy's gateway; alice, bob and carol are web visitors of
// that endpoint, each registered as `<userId>@<realm>` with the endpoint's shared digest user, so
// they can call each other as a SIP peer calls a visitor.
import { COGNIGY_REALM, startKamailio, TEST_USERS } from '../../lab/kamailio/index.mjs';
import { cognigyGateway, cognigyUsers, startCognigyBackend } from '../../lab/cognigy/index.mjs';
import type { SeveralCallsLab } from './several-calls-lab.js';

export async function cognigySeveralCallsLab(): Promise<SeveralCallsLab> {
  const gateway = cognigyGateway();
  const kamailio = await startKamailio({ users: { ...TEST_USERS, ...cognigyUsers(1), ...gateway.users }, agents: gateway.agents });
  const endpoint = await startCognigyBackend({ kamailio });
  // The lab's Kamailio keeps a known SIP user's AOR for that user's own digest: visitors get names of their own.
  const userId = (user: string) => `visitor-${user}`;
  return {
    config: (user) => ({ provider: 'cognigy', server: endpoint.url('ok'), userId: userId(user), iceServers: [] }),
    address: (user) => `sip:${userId(user)}@${COGNIGY_REALM}`,
    async stop() {
      await endpoint.stop();
      await kamailio.stop();
    },
  };
}
