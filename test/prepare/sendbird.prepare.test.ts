// The warm start on Sendbird: the real sendbird-calls SDK against lab/sendbird, two users. The SDK
// takes no stream for dial/accept, so prepare() asks for the microphone and holds none (declared).
import { SENDBIRD_USERS, startSendbirdEmulator } from '../../lab/sendbird/index.mjs';
import { definePrepareScenario } from './prepare-scenario.js';

definePrepareScenario('sendbird', async () => {
  const emulator = await startSendbirdEmulator();
  const user = (userId: string, accessToken: string) => ({
    provider: 'sendbird',
    server: emulator.appId,
    apiHost: emulator.apiHost,
    wsHost: emulator.wsHost,
    credentials: { type: 'accessToken', userId, accessToken },
    iceServers: [],
  });
  return { caller: user('alice', SENDBIRD_USERS.alice!), callee: user('bob', SENDBIRD_USERS.bob!), target: 'bob', stop: () => emulator.stop() };
});
