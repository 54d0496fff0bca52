// Small helpers for conformance labs.
import { COGNIGY_REALM, startKamailio, TEST_USERS } from '../../lab/kamailio/index.mjs';
import { cognigyGateway, cognigyUsers, startCognigyBackend } from '../../lab/cognigy/index.mjs';
import { unusedLoopbackPort } from '../../lab/ports.mjs';
import { cognigyVisitor } from '../../lab/presets.mjs';
import type { ConformanceLab } from './suite.js';

// A loopback port that was free a moment ago and is closed now: connecting to it is refused.
export { unusedLoopbackPort as closedPort } from '../../lab/ports.mjs';

/**
 * The Cognigy preset: two web visitors of one lab endpoint (the real reply shape, one shared
 * digest user), each registering its own AOR at the Cognigy realm of a real Kamailio, so the
 * callee is reached at `sip:<its userId>@<realm>`.
 */
export async function cognigyLab(): Promise<ConformanceLab> {
  const users = cognigyUsers(1);
  const gateway = cognigyGateway();
  const kamailio = await startKamailio({ users: { ...TEST_USERS, ...users, ...gateway.users }, agents: gateway.agents });
  const endpoint = await startCognigyBackend({ kamailio });
  const visitor = cognigyVisitor;
  return {
    caller: visitor(endpoint.url('ok'), 'conformance-caller'),
    callee: visitor(endpoint.url('ok'), 'conformance-callee'),
    target: `sip:conformance-callee@${COGNIGY_REALM}`,
    // The endpoint hands out a SIP password Kamailio refuses (403 to REGISTER).
    wrongCredentials: visitor(endpoint.url('bad-credentials'), 'conformance-caller'),
    unreachable: visitor(`http://127.0.0.1:${await unusedLoopbackPort()}/endpoint/ok`, 'conformance-caller'),
    // A Cognigy refresh takes nothing: the provider fetches a fresh config.
    refreshWith: () => undefined,
    secrets: [...Object.values(users), ...Object.values(gateway.users)],
    // The gateway (Kamailio) restarts; the endpoint stays. Its registrations are in memory: lost.
    restartServer: () => kamailio.restart(),
    async stop() {
      await endpoint.stop();
      await kamailio.stop();
    },
  };
}
