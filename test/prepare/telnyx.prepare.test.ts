// The warm start on Telnyx: the real @telnyx/webrtc SDK against lab/telnyx, two JWT users.
import { startTelnyxEmulator } from '../../lab/telnyx/index.mjs';
import { definePrepareScenario } from './prepare-scenario.js';

definePrepareScenario('telnyx', async () => {
  const emulator = await startTelnyxEmulator();
  const jwtUser = (login: string) => ({ provider: 'telnyx', server: emulator.url, credentials: { type: 'jwt', token: emulator.issueJwt(login) }, iceServers: [] });
  return { caller: jwtUser('alice'), callee: jwtUser('bob'), target: 'bob', stop: () => emulator.stop() };
});
