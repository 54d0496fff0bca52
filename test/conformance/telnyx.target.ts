// The conformance lab of the Telnyx provider: the real @telnyx/webrtc SDK in the browser against
// lab/telnyx (the Verto emulator), two JWT users.
import { startTelnyxEmulator } from '../../lab/telnyx/index.mjs';
import { telnyxUser } from '../../lab/presets.mjs';
import { closedPort } from './lab-kit.js';
import type { ConformanceTarget } from './suite.js';

export const telnyxTarget: ConformanceTarget = {
  name: 'telnyx',
  async startLab() {
    const emulator = await startTelnyxEmulator();
    const jwtUser = (login: string, server = emulator.url) => telnyxUser(emulator, login, server);
    return {
      caller: jwtUser('alice'),
      callee: jwtUser('bob'),
      target: 'bob',
      wrongCredentials: { provider: 'telnyx', server: emulator.url, credentials: { type: 'password', login: 'alice', password: 'not-alices-tx-pw' }, iceServers: [] },
      unreachable: jwtUser('alice', `ws://127.0.0.1:${await closedPort()}`),
      refreshWith: () => emulator.issueJwt('alice'),
      // As a restarting server: every socket closed with 1001 (Going Away) and its session dropped
      // (the relay forgets a closed connection's login); the SDK must log in again.
      restartServer: async () => emulator.dropSockets(1001),
      stop: () => emulator.stop(),
    };
  },
};
