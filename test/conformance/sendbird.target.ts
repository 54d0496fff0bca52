// The conformance lab of the Sendbird provider: the real sendbird-calls SDK in the browser against
// lab/sendbird (REST and signalling emulator), two users with access tokens.
import { SENDBIRD_USERS, startSendbirdEmulator } from '../../lab/sendbird/index.mjs';
import { sendbirdUser } from '../../lab/presets.mjs';
import type { ConformanceTarget } from './suite.js';

type Hosts = { appId: string; apiHost: string; wsHost: string };

export const sendbirdTarget: ConformanceTarget = {
  name: 'sendbird',
  async startLab() {
    const emulator = await startSendbirdEmulator();
    // Hosts where nothing answers: an emulator started and stopped at once.
    const gone = await startSendbirdEmulator();
    const goneHosts: Hosts = { appId: gone.appId, apiHost: gone.apiHost, wsHost: gone.wsHost };
    await gone.stop();
    const user = (userId: string, accessToken: string, hosts: Hosts = emulator) => sendbirdUser(hosts, userId, accessToken);
    return {
      caller: user('alice', SENDBIRD_USERS.alice!),
      callee: user('bob', SENDBIRD_USERS.bob!),
      target: 'bob',
      wrongCredentials: user('alice', 'not-alices-sb-token'),
      unreachable: user('alice', SENDBIRD_USERS.alice!, goneHosts),
      refreshWith: () => emulator.issueToken('alice'),
      // As a restarting server: every socket closed at once and its session gone with it.
      restartServer: async () => emulator.dropSockets(),
      stop: () => emulator.stop(),
    };
  },
};
